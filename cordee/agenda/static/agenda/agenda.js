// AGD-1: the time grid opens on 7h (the seed: "centré sur une plage horaire de 7H à 19H"); the
// rest of the day is reached by scrolling. A static file: the CSP forbids inline scripts.
(function () {
  "use strict";
  function centre() {
    document.querySelectorAll("[data-agd-scroll]").forEach(function (box) {
      var mark = box.querySelector("[data-agd-start]");
      var head = box.querySelector(".agd-head");
      if (mark) {
        var offset = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
        box.scrollTop = box.scrollTop + offset - (head ? head.offsetHeight : 0);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", centre);
  } else {
    centre();
  }
})();

// AGD-1: move an appointment by dragging it to another day or hour in the week or day view
// (quarter-hour steps). The drop fills the page's hidden "Déplacer" form (the same POST as the
// form of the appointment's page: version check, overlap warnings, journal, notifications) and
// submits it; the page comes back with the outcome. Without a pointer, the appointment's page
// has the same "Déplacer" form with a day and a time (RGAA).
(function () {
  "use strict";
  var QUARTERS = 96;
  var dragged = null;
  var grabbedAt = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function quarterAt(column, clientY) {
    var box = column.getBoundingClientRect();
    var quarter = Math.round(((clientY - grabbedAt) - box.top) / (box.height / QUARTERS));
    return Math.max(0, Math.min(QUARTERS - 1, quarter));
  }

  function submit(event, column, clientY) {
    var form = document.getElementById("agd-move-form");
    if (!form || !dragged) return;
    var quarter = quarterAt(column, clientY);
    form.action = dragged.dataset.agdMove;
    form.elements.version.value = dragged.dataset.agdVersion;
    form.elements.occurrence.value = dragged.dataset.agdOccurrence || "";
    form.elements.jour.value = column.dataset.agdDay;
    form.elements.heure.value = pad(Math.floor(quarter / 4)) + ":" + pad((quarter % 4) * 15);
    form.submit();
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target instanceof Element ? event.target.closest("[data-agd-move]") : null;
    if (!item) return;
    dragged = item;
    grabbedAt = event.clientY - item.getBoundingClientRect().top;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.agdMove);
  });
  document.addEventListener("dragend", function () { dragged = null; });
  document.addEventListener("dragover", function (event) {
    var column = event.target instanceof Element ? event.target.closest("[data-agd-day]") : null;
    if (column && dragged) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target instanceof Element ? event.target.closest("[data-agd-day]") : null;
    if (!column || !dragged) return;
    event.preventDefault();
    submit(event, column, event.clientY);
  });
})();
