// Progressive enhancement for the intake pages; every page works without it.
// - Shows and hides follow-up questions as the patient answers (the server applies the same rules on save); a hidden
//   one is not sent.
// - Shows the "Clear this answer" button of an optional single-choice question while it has an answer.
// - Asks before leaving a page whose answers are typed but not saved (switching language, "Back", "Exit").
// - Moves focus to the error summary, and from a summary link to its field.
// - Stops a second tap on "Send my answers" (the server makes one submission anyway).
// - Opens the step just changed on the review page (each step is a closed disclosure there).
// - Shows the "Print your answers" button on the printable copy (without scripts, a sentence points to the browser's
//   own Print menu instead).
(function () {
  "use strict";

  function chosen(form, field) {
    var values = [];
    form.querySelectorAll('[name="' + field + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value);
    });
    return values;
  }

  function matches(rule, form) {
    if (rule.any) return rule.any.some(function (part) { return matches(part, form); });
    if (rule.all) return rule.all.every(function (part) { return matches(part, form); });
    var values = chosen(form, rule.field);
    if (rule.in) return values.some(function (v) { return rule.in.indexOf(v) !== -1; });
    if (rule.not_in) return !values.some(function (v) { return rule.not_in.indexOf(v) !== -1; });
    // An ISO date answer earlier than the cut-off (ISO dates compare as text).
    if (rule.date_before) return values.some(function (v) { return v !== "" && v < rule.date_before; });
    if (rule.any_except) return values.some(function (v) { return rule.any_except.indexOf(v) === -1; });
    return true;
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var rule;
      try { rule = JSON.parse(block.getAttribute("data-show-if")); } catch (e) { return; }
      block.hidden = !matches(rule, form);
    });
    // A hidden follow-up is not sent: a tick left on it (its parent changed to "no") is no answer. Its inputs keep
    // their values, so the answer is back if the parent changes back.
    form.querySelectorAll("[data-show-if] input, [data-show-if] select, [data-show-if] textarea").forEach(function (input) {
      input.disabled = input.closest("[hidden]") !== null;
    });
  }

  // Answers typed on a page but not saved yet: leaving by any other way than the page's own button (the language
  // switcher, "Back", "Exit", closing the tab) asks first, in the browser's own words.
  var unsaved = false;
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = "";
  });

  document.querySelectorAll("form[data-intake-step]").forEach(function (form) {
    refresh(form);
    // Shown again with a message (or as sent after the idle limit): what it holds is not saved yet.
    if (form.hasAttribute("data-unsaved")) unsaved = true;
    form.addEventListener("change", function () { refresh(form); unsaved = true; });
    form.addEventListener("input", function () { unsaved = true; });
    form.addEventListener("submit", function () { unsaved = false; });
    // An optional single-choice answer given by mistake (a rating tapped for an activity not named) can be cleared.
    // The button shows only while the question has an answer to clear; cleared, it goes, and the focus it had moves
    // to the question's first choice (nothing is chosen by that), to choose again or Tab on.
    form.querySelectorAll("[data-clear]").forEach(function (button) {
      var inputs = form.querySelectorAll('[name="' + button.getAttribute("data-clear") + '"]');
      function answered() {
        return Array.prototype.some.call(inputs, function (input) { return input.checked; });
      }
      button.hidden = !answered();
      form.addEventListener("change", function () { button.hidden = !answered(); });
      button.addEventListener("click", function () {
        inputs.forEach(function (input) { input.checked = false; });
        refresh(form);
        if (inputs.length) inputs[0].focus();
        button.hidden = true;
      });
    });
  });

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var block = target.closest(".question") || target;
      block.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  }

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    });
  });

  // Back on the review page after a change: open the step that was changed (its section is named in the address).
  if (window.location.hash.indexOf("#review-") === 0) {
    var changed = document.getElementById(window.location.hash.slice(1));
    if (changed && changed.tagName === "DETAILS") changed.open = true;
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
    document.querySelectorAll(".print-without-script").forEach(function (note) { note.hidden = true; });
  });
})();
