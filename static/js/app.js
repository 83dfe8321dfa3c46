// Homeward's own script: small progressive enhancements, no inline handlers (CSP).
document.addEventListener("DOMContentLoaded", () => {
  // The language menu submits itself; without script the button does it.
  document.querySelectorAll("[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Ask before actions that cannot be undone.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
