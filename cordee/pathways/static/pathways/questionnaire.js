// PAR-2 in the browser: conditional items (enableWhen), repeated groups, computed values.
// The server evaluates the same rules and refuses answers to hidden items: this script only
// spares the user a round trip. A hidden item's inputs are disabled, so they are not posted.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) return;

  function scopeOf(el) {
    return el.parentElement ? el.parentElement.closest("[data-scope]") : null;
  }

  // The wrapper of a question, looked up in the item's own repeated-group line first, then outwards.
  function findItem(from, link) {
    var scope = scopeOf(from);
    while (scope) {
      var found = scope.querySelector('[data-link="' + link + '"]');
      if (found) return found;
      scope = scopeOf(scope);
    }
    return form.querySelector('[data-link="' + link + '"]');
  }

  function valueOf(wrapper) {
    if (!wrapper || wrapper.hidden) return null;
    var inputs = wrapper.querySelectorAll("input, select, textarea");
    var values = [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.disabled || input.type === "hidden" || input.type === "file") continue;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    }
    var multiple = wrapper.querySelector('input[type="checkbox"]');
    if (multiple) return values;
    return values.length ? values[0] : null;
  }

  function number(text) {
    var n = parseFloat(String(text).replace(/\s/g, "").replace(",", "."));
    return isNaN(n) ? null : n;
  }

  function test(value, cond) {
    var present = value !== null && !(Array.isArray(value) && value.length === 0);
    if (cond.op === "exists") return present === Boolean(cond.a);
    if (Array.isArray(value)) {
      var has = value.indexOf(cond.a) !== -1;
      return cond.op === "=" ? has : cond.op === "!=" ? !has : false;
    }
    var left = value, right = cond.a;
    if (typeof right === "number") left = present ? number(value) : null;
    if (cond.op === "=") return present && left === right;
    if (cond.op === "!=") return !(present && left === right);
    if (!present || left === null) return false;
    if (cond.op === ">") return left > right;
    if (cond.op === "<") return left < right;
    if (cond.op === ">=") return left >= right;
    if (cond.op === "<=") return left <= right;
    return false;
  }

  function setShown(wrapper, shown) {
    wrapper.hidden = !shown;
    var inputs = wrapper.querySelectorAll("input, select, textarea, button.q-remove, button.q-add");
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = !shown;
  }

  function ageMonths(dayIso, shiftDays) {
    var birth = form.dataset.birth;
    if (!birth || !dayIso) return null;
    var days = (Date.parse(dayIso) - Date.parse(birth)) / 86400000 - (shiftDays || 0);
    return days >= 0 ? Math.round((days / 30.4375) * 10) / 10 : null;
  }

  function computeAll() {
    var items = form.querySelectorAll("[data-function]");
    for (var i = 0; i < items.length; i++) {
      var wrapper = items[i];
      var args = wrapper.dataset.args.split(",").map(function (link) { return valueOf(findItem(wrapper, link)); });
      var result = null;
      if (wrapper.dataset.function === "bmi") {
        var w = number(args[0]), h = number(args[1]);
        if (w !== null && h !== null && h > 0) result = Math.round((w / Math.pow(h / 100, 2)) * 10) / 10;
      } else if (wrapper.dataset.function === "age_months") {
        result = ageMonths(args[0]);
      }
      // Growth statistics and corrected ages are the server's (see askServer).
      if (wrapper.dataset.function === "bmi" || wrapper.dataset.function === "age_months") {
        var out = wrapper.querySelector("output");
        var unit = wrapper.dataset.unit ? " " + wrapper.dataset.unit : "";
        out.textContent = result === null ? "—" : String(result).replace(".", ",") + unit;
      }
    }
  }

  function evaluate() {
    // Document order: a group is settled before its children, a question before what it governs.
    var items = form.querySelectorAll("[data-link]");
    for (var i = 0; i < items.length; i++) {
      var wrapper = items[i];
      var parentHidden = wrapper.parentElement.closest("[data-link][hidden]");
      if (parentHidden) continue;
      if (!wrapper.dataset.enable) {
        if (wrapper.hidden) setShown(wrapper, true);
        continue;
      }
      // Always applied: a parent shown again has just re-enabled every input below it.
      var rule = JSON.parse(wrapper.dataset.enable);
      var results = rule.when.map(function (cond) { return test(valueOf(findItem(wrapper, cond.q)), cond); });
      var shown = rule.all ? results.every(Boolean) : results.some(Boolean);
      setShown(wrapper, shown);
    }
    computeAll();
  }

  // Growth z-scores and centiles (and every other computed value) come from the server, which
  // holds the references and the dossier's sex, birth date and term: the figure shown while
  // typing is the one the saved form keeps. The answers are posted, never put in a URL.
  var computedUrl = form.dataset.computedUrl;
  var pending = null;
  var asked = 0;

  function askServer() {
    if (!computedUrl || !window.fetch || !window.FormData) return;
    var body = new FormData(form);
    var files = form.querySelectorAll('input[type="file"]');
    for (var i = 0; i < files.length; i++) body.delete(files[i].name);  // files stay in the browser
    var ticket = ++asked;
    fetch(computedUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || ticket !== asked) return;  // a later request is on its way
        Object.keys(data.computed).forEach(function (id) {
          var out = document.getElementById(id);
          if (out && out.closest("form") === form) out.textContent = data.computed[id];
        });
      })
      .catch(function () { /* offline: the value is computed again when the form is saved */ });
  }

  function scheduleServer() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(askServer, 350);
  }

  form.addEventListener("input", function () { evaluate(); scheduleServer(); });
  form.addEventListener("change", function () { evaluate(); scheduleServer(); });

  form.addEventListener("click", function (event) {
    var add = event.target.closest("button.q-add");
    if (add) {
      var fieldset = add.closest("fieldset");
      var list = fieldset.querySelector(".q-instances");
      var blank = fieldset.querySelector("template.q-blank");
      var index = Number(list.dataset.next);
      list.dataset.next = String(index + 1);
      var html = blank.innerHTML.split("__INDEX__").join(String(index));
      list.insertAdjacentHTML("beforeend", html);
      var added = list.lastElementChild;
      evaluate();
      var first = added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      return;
    }
    var remove = event.target.closest("button.q-remove");
    if (remove) {
      var line = remove.closest(".q-instance");
      var group = line.closest("fieldset");
      line.remove();
      evaluate();
      var next = group.querySelector("button.q-add");
      if (next) next.focus();
    }
  });

  evaluate();
})();
