// The life line's full-screen button (ACT-3), delegated so the page carries no inline handler.
//   <button data-fullscreen="#id">  shows the element #id full screen, or leaves full screen.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-fullscreen]") : null;
  if (!button) {
    return;
  }
  var target = document.querySelector(button.getAttribute("data-fullscreen"));
  if (!target) {
    return;
  }
  if (document.fullscreenElement) {
    document.exitFullscreen();
  } else if (target.requestFullscreen) {
    target.requestFullscreen();
  }
});
