// Cordée's page behaviours, delegated from the document so that the pages carry no inline
// handler (Content-Security-Policy without 'unsafe-inline', issue 22).
//   <form data-confirm="Question ?">  asks before submitting; nothing is sent on "Annuler".
//   <select data-autosubmit>           submits its form when its value changes.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});
//   <button data-card-more>           on a phone card, shows or hides its less used fields.
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-card-more]") : null;
  if (!button) return;
  var row = button.closest("tr");
  if (!row) return;
  var open = row.classList.toggle("show-more");
  button.setAttribute("aria-expanded", open ? "true" : "false");
  button.firstChild.textContent = open ? "Moins de détails" : "Plus de détails";
});
// <textarea maxlength="N">: "n / N caractères" under the box, announced politely (issue 24).
(function () {
  function counter(box) {
    var shown = box.nextElementSibling;
    if (!shown || !shown.classList.contains("char-count")) {
      shown = document.createElement("div");
      shown.className = "form-text char-count";
      shown.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = box.value.length + " / " + box.maxLength + " caractères";
  }
  function all(root) {
    root.querySelectorAll("textarea[maxlength]").forEach(counter);
  }
  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLTextAreaElement && event.target.maxLength > 0) counter(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { all(document); });
  document.addEventListener("htmx:afterSettle", function (event) { all(event.target); });
})();
// <fieldset data-multiselect> (templates/_multiselect.html, issue 23): checkboxes, which work
// without JavaScript, shown as a drop-down — a disclosure button naming what is chosen and
// the list under it, with a search box when the list is long. Keys: ↓ on the button opens the
// list and enters it, ↑/↓ move, Space ticks, Échap closes and returns to the button; leaving
// the list (Tab, a click elsewhere) closes it.
(function () {
  var SEARCH_FROM = 7;
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function labelOf(box) {
    var label = box.id ? box.ownerDocument.querySelector('label[for="' + box.id + '"]') : null;
    return label ? label.textContent.trim() : box.value;
  }
  function checkboxes(set) {
    return Array.prototype.slice.call(set.querySelectorAll(".multi-select-options input[type=checkbox]"));
  }
  function summarise(set) {
    var chosen = checkboxes(set).filter(function (box) { return box.checked; }).map(labelOf);
    var text = set.querySelector(".multi-select-summary");
    if (!text) return;
    text.textContent = chosen.length === 0 ? "Indifférent"
      : chosen.length + " choix : " + chosen.join(", ");
  }
  function enhance(set) {
    if (set.querySelector(".multi-select-toggle")) { summarise(set); return; }
    var legend = set.querySelector("legend");
    var options = set.querySelector(".multi-select-options");
    if (!legend || !options || !options.id) return;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "form-select multi-select-toggle";
    toggle.id = options.id + "_bouton";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", options.id);
    var text = document.createElement("span");
    text.className = "multi-select-summary";
    text.id = options.id + "_resume";
    toggle.appendChild(text);
    toggle.setAttribute("aria-labelledby", legend.id + " " + text.id);
    options.classList.add("multi-select-panel");
    options.hidden = true;
    if (checkboxes(set).length >= SEARCH_FROM) {
      var search = document.createElement("input");
      search.type = "search";
      search.className = "form-control form-control-sm mb-1 multi-select-search";
      search.setAttribute("autocomplete", "off");
      search.setAttribute("placeholder", "Rechercher…");
      search.setAttribute("aria-label", "Rechercher : " + legend.textContent.trim());
      options.insertBefore(search, options.firstChild);
    }
    legend.insertAdjacentElement("afterend", toggle);
    summarise(set);
  }
  function all(root) {
    if (root.matches && root.matches("[data-multiselect]")) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-multiselect]").forEach(enhance);
  }
  function open(set, show) {
    var toggle = set.querySelector(".multi-select-toggle");
    var panel = set.querySelector(".multi-select-panel");
    if (!toggle || !panel) return;
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
  }
  function stops(set) {  // the focusable places inside the open list, in order
    return Array.prototype.slice.call(set.querySelectorAll(".multi-select-search, .multi-select-options input[type=checkbox]"))
      .filter(function (element) { return element.classList.contains("multi-select-search") || !element.closest(".form-check").hidden; });
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var toggle = target ? target.closest(".multi-select-toggle") : null;
    document.querySelectorAll("[data-multiselect]").forEach(function (set) {
      if (toggle && set.contains(toggle)) {
        open(set, toggle.getAttribute("aria-expanded") !== "true");
      } else if (!(target && set.contains(target))) {
        open(set, false);
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var set = target ? target.closest("[data-multiselect]") : null;
    if (!set || !set.querySelector(".multi-select-toggle")) return;
    var toggle = set.querySelector(".multi-select-toggle");
    var places = stops(set);
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      event.preventDefault();
      open(set, false);
      toggle.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (target === toggle) {
        open(set, true);
        if (places.length) places[event.key === "ArrowDown" ? 0 : places.length - 1].focus();
        return;
      }
      var at = places.indexOf(target);
      if (at < 0) return;
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) toggle.focus();
      else if (next < places.length) places[next].focus();
    } else if (event.key === "Enter" && target instanceof HTMLInputElement && target.type === "checkbox" && set.contains(target)) {
      event.preventDefault();  // Enter on a choice ticks it rather than sending the form half chosen
      target.click();
    }
  });
  document.addEventListener("focusout", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var set = target ? target.closest("[data-multiselect]") : null;
    if (!set) return;
    var next = event.relatedTarget;
    if (next instanceof Node && set.contains(next)) return;
    if (next === null) return;  // focus left the page or went nowhere (a click on the panel's padding)
    open(set, false);
  });
  document.addEventListener("change", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var set = target ? target.closest("[data-multiselect]") : null;
    if (set) summarise(set);
  });
  document.addEventListener("input", function (event) {
    var search = event.target instanceof Element ? event.target.closest(".multi-select-search") : null;
    if (!search) return;
    var typed = fold(search.value.trim());
    var set = search.closest("[data-multiselect]");
    checkboxes(set).forEach(function (box) {
      box.closest(".form-check").hidden = typed !== "" && fold(labelOf(box)).indexOf(typed) < 0;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { all(document); });
  document.addEventListener("htmx:load", function (event) { all(event.target); });
})();
// <div data-commune-combobox> (territory/commune_widget.html, TER-1, issue 23): one combobox
// (WAI-ARIA 1.2, list autocomplete with the first match selected). Typing asks the server's
// matches (a name or a postal code) and lists them under the box; ↓/↑ move through them
// (aria-activedescendant), Entrée or a click chooses, Échap closes the list (a second Échap
// empties the box). The chosen commune's code goes into the hidden field; typing again
// forgets it.
(function () {
  var DELAY = 250;
  function parts(box) {
    var root = box.closest("[data-commune-combobox]");
    return {
      root: root,
      input: root.querySelector("[role=combobox]"),
      list: root.querySelector("[role=listbox]"),
      code: root.querySelector("[data-commune-code]"),
      status: root.querySelector("[data-commune-status]"),
    };
  }
  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }
  function show(p, open) {
    open = open && options(p).length > 0;
    p.list.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) p.input.removeAttribute("aria-activedescendant");
  }
  function activate(p, option) {
    options(p).forEach(function (each) { each.setAttribute("aria-selected", each === option ? "true" : "false"); });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }
  function active(p) {
    var id = p.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }
  function choose(p, option) {
    p.input.value = option.dataset.label || option.textContent.trim();
    p.code.value = option.dataset.code || "";
    p.status.textContent = "";
    show(p, false);
    p.code.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function search(p) {
    var typed = p.input.value.trim();
    var asked = (Number(p.root.dataset.asked || "0") + 1).toString();
    p.root.dataset.asked = asked;
    if (!typed) {
      p.list.replaceChildren();
      p.status.textContent = "";
      show(p, false);
      return;
    }
    var url = p.root.dataset.searchUrl + "?q=" + encodeURIComponent(typed);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
      .then(function (html) {
        if (p.root.dataset.asked !== asked) return;  // a later search has been asked meanwhile
        var found = new DOMParser().parseFromString(html, "text/html").querySelector("ul");
        var items = found ? Array.prototype.slice.call(found.querySelectorAll("[role=option]")) : [];
        items.forEach(function (item, index) {
          item.id = p.list.id + "-" + index;
          item.setAttribute("aria-selected", "false");
        });
        p.list.replaceChildren.apply(p.list, items);
        p.status.textContent = found ? found.dataset.message || "" : "";
        show(p, document.activeElement === p.input);
        if (items.length) activate(p, items[0]);
      })
      .catch(function () {
        if (p.root.dataset.asked === asked) p.status.textContent = "La recherche de communes n'a pas abouti : réessayez.";
      });
  }
  document.addEventListener("input", function (event) {
    var box = event.target instanceof Element ? event.target.closest("[data-commune-combobox] [role=combobox]") : null;
    if (!box) return;
    var p = parts(box);
    p.code.value = "";
    clearTimeout(Number(p.root.dataset.timer || "0"));
    p.root.dataset.timer = String(setTimeout(function () { search(p); }, DELAY));
  });
  document.addEventListener("keydown", function (event) {
    var box = event.target instanceof Element ? event.target.closest("[data-commune-combobox] [role=combobox]") : null;
    if (!box) return;
    var p = parts(box);
    var all = options(p);
    var open = !p.list.hidden;
    var current = active(p);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      if (!open) { show(p, true); activate(p, current || all[0]); return; }
      var at = all.indexOf(current);
      var next = event.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : Math.max(at - 1, 0);
      activate(p, all[next]);
    } else if (event.key === "Enter" && open && current) {
      event.preventDefault();  // chooses the commune; does not send the form
      choose(p, current);
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); show(p, false); }
      else if (p.input.value) { event.preventDefault(); p.input.value = ""; p.code.value = ""; p.status.textContent = ""; }
    } else if (event.key === "Tab" && open && current && !p.code.value) {
      choose(p, current);  // leaving with a match highlighted keeps it, as with a list box
    }
  });
  // mousedown, not click: the box keeps its focus, so the list is still there to be clicked.
  document.addEventListener("mousedown", function (event) {
    var option = event.target instanceof Element ? event.target.closest("[data-commune-combobox] [role=option]") : null;
    if (!option) return;
    event.preventDefault();
    choose(parts(option), option);
  });
  document.addEventListener("focusout", function (event) {
    var box = event.target instanceof Element ? event.target.closest("[data-commune-combobox] [role=combobox]") : null;
    if (box) show(parts(box), false);
  });
})();
// One dialog for many rows (the requests' [×], issue 19): the button that opens it says where
// its form goes and what it carries —
//   <button data-bs-toggle="modal" data-bs-target="#d" data-dialog-action="/url"
//           data-dialog-title="Annuler la demande 81025" data-dialog-version="3">
//   in the dialog: <input data-dialog-field="version">  takes data-dialog-version.
// The dialog's free text is emptied, then focused; Bootstrap traps the focus inside, closes on
// Échap and gives the focus back to the button.
document.addEventListener("show.bs.modal", function (event) {
  var trigger = event.relatedTarget;
  var dialog = event.target;
  if (!(trigger instanceof Element) || !trigger.hasAttribute("data-dialog-action")) return;
  var form = dialog.querySelector("form");
  if (!form) return;
  form.setAttribute("action", trigger.getAttribute("data-dialog-action"));
  var title = dialog.querySelector(".modal-title");
  if (title && trigger.hasAttribute("data-dialog-title")) title.textContent = trigger.getAttribute("data-dialog-title");
  form.querySelectorAll("[data-dialog-field]").forEach(function (field) {
    field.value = trigger.getAttribute("data-dialog-" + field.getAttribute("data-dialog-field")) || "";
  });
  form.querySelectorAll("textarea").forEach(function (box) { box.value = ""; });
});
document.addEventListener("shown.bs.modal", function (event) {
  if (!(event.relatedTarget instanceof Element) || !event.relatedTarget.hasAttribute("data-dialog-action")) return;
  var first = event.target.querySelector("form textarea, form input:not([type=hidden])");
  if (first) first.focus();
});
