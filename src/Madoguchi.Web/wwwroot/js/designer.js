// Form designer enhancements; every page works without them.
// 1. After a move or undo (a full page load), put the keyboard focus back on the button that was
//    pressed, now at the item's new place (?focus=<button id>), so a keyboard user can press it again.
// 2. On the preview, switch between phone and desktop width without reloading the page.
(function () {
  "use strict";
  var focus = new URLSearchParams(window.location.search).get("focus");
  var button = focus ? document.getElementById(focus) : null;
  if (button) {
    button.focus();
    // Scrolling to the URL's fragment after load may move focus again: settle it once the page is loaded.
    window.addEventListener("load", function () { if (document.activeElement !== button) button.focus(); });
  }
  var widths = document.querySelector("[data-preview-width]");
  var preview = document.getElementById("preview");
  if (widths && preview) {
    widths.addEventListener("click", function (e) {
      var link = e.target.closest("a[data-width]");
      if (!link) return;
      e.preventDefault();
      preview.setAttribute("data-width", link.getAttribute("data-width"));
      widths.querySelectorAll("a[data-width]").forEach(function (a) {
        if (a === link) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
      });
      window.history.replaceState(null, "", link.getAttribute("href"));
    });
  }
})();
