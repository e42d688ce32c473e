// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Move focus to refreshed results after an htmx swap, so screen reader and
  // keyboard users learn that the list changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    // An outerHTML swap detaches the target; the event then fires on its replacement.
    if (target && !target.isConnected) target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-focus-after-swap")) {
      var heading = target.querySelector("[data-results-summary]");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  });

  // Messages from before an in-place change no longer apply once it lands.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var fresh = event.detail.serverResponse || "";
    if (fresh.indexOf('class="messages"') === -1) return;
    document.querySelectorAll("#main .messages").forEach(function (old) { old.remove(); });
  });

  // Buttons that ask before a destructive action: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();

// Live word count for fields with a limit: <textarea data-word-limit="250">.
(function () {
  "use strict";

  function words(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  function attachCounter(field) {
    var limit = parseInt(field.getAttribute("data-word-limit"), 10);
    var counter = document.createElement("p");
    counter.id = field.id + "-word-count";
    counter.className = "form-text word-count";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var count = words(field.value);
      counter.textContent = count + " of " + limit + " words" + (count > limit ? ": " + (count - limit) + " over the limit" : "");
      counter.classList.toggle("over", count > limit);
    }
    field.addEventListener("input", update);
    update();
  }

  // Warn before leaving a page whose form has unsaved changes: <form data-warn-unsaved>.
  var dirty = new Set();

  function watch(form) {
    if (form.dataset.watched) return;
    form.dataset.watched = "1";
    form.addEventListener("input", function () { dirty.add(form); });
    form.addEventListener("change", function () { dirty.add(form); });
    form.addEventListener("submit", function () { dirty.delete(form); });
  }

  function enhance(root) {
    root.querySelectorAll("textarea[data-word-limit]").forEach(function (field) {
      if (!document.getElementById(field.id + "-word-count")) attachCounter(field);
    });
    root.querySelectorAll("form[data-warn-unsaved]").forEach(watch);
  }

  window.addEventListener("beforeunload", function (event) {
    dirty.forEach(function (form) { if (!document.body.contains(form)) dirty.delete(form); });
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // A form sent by htmx is saved without leaving the page.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form");
    if (form) dirty.delete(form);
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})();
