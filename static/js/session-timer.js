// The warning before a session ends for being idle (templates/includes/session_timer.html): WARN seconds before the
// end, a dialog with a button that keeps the session ("Stay signed in", "I'm still here"). The button posts to the
// dialog's still-here address, which starts the server's idle clock again and says how long it now has. Past the end
// the dialog says the session is over, and leaves the page as it is (what was typed can still be copied, and a
// patient's page can still be sent: intake.late_pages.after_idle takes it).
// States: "warning"; "limit" (staff at the longest a session may last: the button cannot keep it, so the warning is
// not offered again, unless another tab's new sign-in moves the end); "ended". A failed request is not taken for an ended session unless the server says so (a
// redirect to the sign-in page, or 404 for a closed form): the warning stays, with a word to try again.
// Tabs of the same person share the end time through localStorage, so a page opened in another tab (which moved
// the server's clock) keeps this one's warning away. Only a time is stored, nothing about anyone.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timer");
  if (!dialog || typeof dialog.showModal !== "function") return;

  var kind = dialog.getAttribute("data-session-timer");
  var storeKey = "session-timer-end:" + kind;
  var warnMs = Number(dialog.getAttribute("data-warn-seconds")) * 1000;
  var end = Date.now() + Number(dialog.getAttribute("data-seconds-left")) * 1000;
  var state = "counting"; // then "warning", "limit" or "ended"
  var limitEnd = 0; // the end that "limit" was said for
  var returnFocus = null;
  var problem = dialog.querySelector("[data-problem]");

  function sayProblem(on) {
    // An alert region present from the start, filled when there is something to say: announced as it fills.
    if (problem) problem.textContent = on ? problem.getAttribute("data-message") : "";
  }

  function sharedEnd() {
    try {
      var stored = Number(window.localStorage.getItem(storeKey));
      return isFinite(stored) ? stored : 0;
    } catch (error) {
      return 0; // storage refused (private mode): this tab keeps its own time
    }
  }

  function share(time) {
    try {
      window.localStorage.setItem(storeKey, String(time));
    } catch (error) { /* as above */ }
  }

  function open(next) {
    var changed = next !== state;
    state = next;
    dialog.querySelectorAll("[data-state]").forEach(function (part) {
      part.hidden = part.getAttribute("data-state") !== next;
    });
    dialog.setAttribute("aria-labelledby", "session-timer-" + next + "-title");
    dialog.setAttribute("aria-describedby", "session-timer-" + next + "-text");
    var keep = returnFocus;
    if (dialog.open && changed) dialog.close(); // opened again below, so the new state is announced
    returnFocus = keep || document.activeElement;
    if (!dialog.open) dialog.showModal();
    var button = dialog.querySelector('[data-state="' + next + '"] button');
    if (button) button.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  // However the dialog closes (its button, Escape, another tab keeping the session): back to where the person was.
  dialog.addEventListener("close", function () {
    if (dialog.open) return; // closed and opened again in a new state (the event comes after): not a close
    sayProblem(false);
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
    returnFocus = null;
  });

  function check() {
    if (state === "ended") return;
    end = Math.max(end, sharedEnd());
    var left = end - Date.now();
    if (left <= 0) {
      open("ended");
    } else if (state === "limit" && end <= limitEnd) {
      return; // nothing can keep the session: the dialog has said so once
    } else if (left <= warnMs) {
      if (!dialog.open) open("warning");
    } else {
      state = "counting";
      if (dialog.open) close(); // another tab kept the session going
    }
  }

  function stillHere() {
    var button = dialog.querySelector("[data-still-here]");
    button.disabled = true;
    sayProblem(false);
    fetch(dialog.getAttribute("data-still-here-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": dialog.getAttribute("data-csrf-token"), "Accept": "application/json" },
      redirect: "manual",
    })
      .then(function (response) {
        // The server ended the session: staff are sent to the sign-in page; a closed form answers 404.
        if (response.type === "opaqueredirect" || response.status === 404) return "ended";
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (answer) {
        if (answer === "ended") {
          open("ended");
          return;
        }
        end = Date.now() + Number(answer.seconds_left) * 1000;
        share(end);
        if (Number(answer.seconds_left) * 1000 <= warnMs && dialog.querySelector('[data-state="limit"]')) {
          limitEnd = end;
          open("limit");
        } else {
          state = "counting";
          close();
        }
      })
      .catch(function () {
        sayProblem(true); // a dropped connection, a refused request: try again
      })
      .finally(function () {
        button.disabled = false;
        if (dialog.open && state === "warning") button.focus(); // disabling it had sent the focus to the page
      });
  }

  share(Math.max(end, sharedEnd()));
  dialog.querySelector("[data-still-here]").addEventListener("click", stillHere);
  dialog.querySelectorAll("[data-close]").forEach(function (button) {
    button.addEventListener("click", close);
  });
  // Escape closes the dialog without keeping the session (pressing a key is not an answer): the next check opens it
  // again while the end is near. A page opened in another tab moves the shared end: check at once.
  window.addEventListener("storage", function (event) {
    if (event.key === storeKey) check();
  });
  window.setInterval(check, 5000);
  check();
})();
