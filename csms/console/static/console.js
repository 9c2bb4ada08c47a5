// The console's own script: htmx sends this session's CSRF token with every request it makes, and a
// form or button with data-confirm asks before it acts. No inline script anywhere (the CSP forbids it).
document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = document.body.dataset.csrf || "";
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
