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
