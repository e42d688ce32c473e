// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Where focus goes when a page arrives or part of it is swapped in: a refused
  // form's error summary first; else the element the server marked (the action
  // just added or moved); else, for refreshed results, their heading.
  // Each summary and mark is used once, so a later swap elsewhere leaves focus be.
  function focusArrived() {
    var summary = document.querySelector("[data-error-summary]:not([data-shown])");
    if (summary) {
      summary.setAttribute("data-shown", "");
      summary.focus();
      return true;
    }
    var marked = document.querySelector("[data-focus-here]");
    if (marked) {
      marked.removeAttribute("data-focus-here");
      if (!marked.matches("a, button, input, select, textarea, [tabindex]")) {
        marked.setAttribute("tabindex", "-1");
      }
      marked.focus();
      return true;
    }
    return false;
  }

  document.addEventListener("DOMContentLoaded", focusArrived);
  // Scrolling to the address's #fragment, once the page has loaded, can take the
  // focus back to the page: give it to the summary again.
  window.addEventListener("load", function () {
    var summary = document.querySelector("[data-error-summary][data-shown]");
    if (summary && document.activeElement === document.body) summary.focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (focusArrived()) return;
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

  // A link in an error summary moves to its field, with the field's label in view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var label = (fieldset && fieldset.querySelector("legend")) ||
      document.querySelector("label[for='" + field.id + "']") || field;
    label.scrollIntoView();
    field.focus({ preventScroll: true });
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

// Live count for every field with a limit: <input data-char-limit="500">, or
// <textarea data-word-limit="250">. The browser is never told the limit (no
// maxlength), so nothing is cut: the count goes past zero ("3 characters too
// many") and the server refuses the save with a message. The visible count is
// hidden from screen readers; they hear the count once typing pauses, through
// one polite live region, and the field's hint states the limit.
(function () {
  "use strict";

  var PAUSE_MS = 1000;

  function words(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  // What the server will count: code points, each line break once.
  function characters(text) {
    return Array.from(text.replace(/\r\n?/g, "\n")).length;
  }

  function plural(count, one) {
    return count + " " + one + (count === 1 ? "" : "s");
  }

  function describe(used, limit, unit) {
    return used > limit
      ? plural(used - limit, unit) + " too many"
      : plural(limit - used, unit) + " remaining";
  }

  function attachCounter(field) {
    var wordLimit = parseInt(field.getAttribute("data-word-limit"), 10);
    var charLimit = parseInt(field.getAttribute("data-char-limit"), 10);
    var byWords = !isNaN(wordLimit);
    var limit = byWords ? wordLimit : charLimit;
    var unit = byWords ? "word" : "character";
    var counter = document.createElement("p");
    counter.id = field.id + "-count";
    counter.className = "form-text limit-count";
    counter.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", spoken);
    // The count shows the limit now; the hint still tells screen readers.
    var help = document.getElementById(field.id + "_helptext");
    var hint = help && help.querySelector(".limit-hint");
    if (hint) hint.classList.add("visually-hidden");
    var timer = null;
    function update(announce) {
      var used = byWords ? words(field.value) : characters(field.value);
      var over = used > limit;
      var text = describe(used, limit, unit);
      counter.textContent = text;
      counter.classList.toggle("over", over);
      field.classList.toggle("over-limit", over);
      if (announce) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { spoken.textContent = text; }, PAUSE_MS);
      }
    }
    field.addEventListener("input", function () { update(true); });
    update(false);
  }

  function counted(root) {
    var fields = [];
    if (root.matches && root.matches("[data-char-limit], [data-word-limit]")) fields.push(root);
    root.querySelectorAll("[data-char-limit], [data-word-limit]").forEach(function (field) {
      fields.push(field);
    });
    return fields;
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
    counted(root).forEach(function (field) {
      if (field.id && !document.getElementById(field.id + "-count")) attachCounter(field);
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

// A form that saves its draft as one types (<form data-autosave hx-post=...>): once it is
// being sent in full no draft save starts, and a save under way finishes first, so the
// form goes with the version that save brought back rather than be refused as stale.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-autosave")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.saving = "1";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-autosave")) return;
    delete form.dataset.saving;
    if (form.pendingSubmitter !== undefined) {
      var submitter = form.pendingSubmitter;
      delete form.pendingSubmitter;
      form.requestSubmit(submitter || undefined);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-autosave")) return;
    form.dataset.sending = "1";
    if (form.dataset.saving) {
      event.preventDefault();
      form.pendingSubmitter = event.submitter || null;
    }
  });

  // Back to the page from the browser's history: it saves as one types again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      delete form.dataset.sending;
      delete form.dataset.saving;
    });
  });
})();
