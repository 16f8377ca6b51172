// The new-invitation page. "Find" and its search box belong to the invitation form (form="invitation-form"), so a
// search sends every field typed and the page comes back with them, with or without scripts. As the form's first
// button, "Find" is also the one a browser presses for Enter in any of its boxes: this keeps Enter in the
// invitation's own boxes pressing "Email the link", as it did when the search had a form of its own. The search box
// sits outside the <form> element, so its Enter still presses "Find".
// (No inline scripts: the Content-Security-Policy forbids them.)
const invitationForm = document.getElementById("invitation-form");
const emailTheLink = invitationForm && invitationForm.querySelector('button[name="send_email"]');
if (invitationForm && emailTheLink) {
  invitationForm.addEventListener("keydown", (event) => {
    // Not while an input method is composing a word (Persian, Chinese names): Enter picks the word then. Safari ends
    // the word before that Enter arrives (isComposing false); its keyCode, 229, still says the input method had it.
    const picksAWord = event.isComposing || event.keyCode === 229;
    if (event.key !== "Enter" || picksAWord || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    invitationForm.requestSubmit(emailTheLink);
  });
}
