// The new-invitation page: "Find" (its own form, so a name searched for never lands in a URL) keeps what was already
// typed in the invitation form, by sending it along. Without scripts the search still works; the form starts empty.
// (No inline scripts: the Content-Security-Policy forbids them.)
document.querySelectorAll("form[data-carry]").forEach((finder) => {
  finder.addEventListener("submit", () => {
    const source = document.getElementById(finder.dataset.carry);
    if (!source) return;
    finder.querySelectorAll("input[data-carried]").forEach((old) => old.remove());
    new FormData(source).forEach((value, name) => {
      if (name === "csrfmiddlewaretoken" || name === "patient" || typeof value !== "string") return;
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      input.dataset.carried = "";
      finder.appendChild(input);
    });
  });
});
