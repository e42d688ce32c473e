// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Move focus to refreshed results after an htmx swap, so screen reader and
  // keyboard users learn that the list changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      var heading = target.querySelector("[data-results-summary]");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  });

  // Buttons that ask before a destructive action: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
