// Homeward's own script: small progressive enhancements, no inline handlers (CSP).
document.addEventListener("DOMContentLoaded", () => {
  // Ask before actions that cannot be undone.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
