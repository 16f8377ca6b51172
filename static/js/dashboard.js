// The print button on an intake (no inline scripts: the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-print]");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
