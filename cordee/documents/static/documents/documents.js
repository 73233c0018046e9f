// ACT-4 "Ajouter un document": the types offered follow the chosen category, and the recipients
// are shown only for a shared document. The server checks both whatever the page sent.
(function () {
  "use strict";
  var form = document.getElementById("document-form");
  if (!form) { return; }
  var data = document.getElementById("types-by-category");
  var byCategory = data ? JSON.parse(data.textContent) : {};
  var category = document.getElementById("id_category");
  var docType = document.getElementById("id_doc_type");
  function followCategory() {
    if (!category || !docType) { return; }
    var allowed = byCategory[category.value] || [];
    Array.prototype.forEach.call(docType.options, function (option) {
      var ok = option.value === "" || allowed.indexOf(option.value) !== -1;
      option.hidden = !ok;
      option.disabled = !ok;
      if (!ok && option.selected) { docType.value = ""; }
    });
  }
  var recipients = document.getElementById("document-recipients");
  function followVisibility() {
    var shared = form.querySelector("input[name=visibility][value=SHARED]");
    if (recipients && shared) { recipients.hidden = !shared.checked; }
  }
  if (category) { category.addEventListener("change", followCategory); }
  Array.prototype.forEach.call(form.querySelectorAll("input[name=visibility]"), function (input) {
    input.addEventListener("change", followVisibility);
  });
  followCategory();
  followVisibility();
})();
