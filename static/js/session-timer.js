// The warning before a session ends for being idle (templates/includes/session_timer.html): WARN seconds before the
// end, a dialog with a button that keeps the session ("Stay signed in", "I'm still here"). The button posts to the
// dialog's still-here address, which starts the server's idle clock again and says how long it now has. Past the end
// the dialog says the session is over, and leaves the page as it is (what was typed can still be copied, and a
// patient's page can still be sent: intake.patient_views._after_idle keeps it).
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
  var ended = false;
  var returnFocus = null;

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

  function show(state) {
    dialog.querySelectorAll("[data-state]").forEach(function (part) {
      part.hidden = part.getAttribute("data-state") !== state;
    });
    dialog.setAttribute("aria-labelledby", "session-timer-" + state + "-title");
    dialog.setAttribute("aria-describedby", "session-timer-" + state + "-text");
  }

  function open(state) {
    show(state);
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    var button = dialog.querySelector('[data-state="' + state + '"] button');
    if (button) button.focus();
  }

  function close() {
    dialog.close();
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  }

  function check() {
    if (ended) return;
    end = Math.max(end, sharedEnd());
    var left = end - Date.now();
    if (left <= 0) {
      ended = true;
      open("ended");
    } else if (left <= warnMs) {
      if (!dialog.open) open("warning");
    } else if (dialog.open) {
      close(); // another tab kept the session going
    }
  }

  function stillHere() {
    var button = dialog.querySelector("[data-still-here]");
    button.disabled = true;
    fetch(dialog.getAttribute("data-still-here-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": dialog.getAttribute("data-csrf-token"), "Accept": "application/json" },
      redirect: "manual",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("ended");
        return response.json();
      })
      .then(function (answer) {
        end = Date.now() + Number(answer.seconds_left) * 1000;
        share(end);
        close();
      })
      .catch(function () {
        ended = true;
        open("ended");
      })
      .finally(function () {
        button.disabled = false;
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
