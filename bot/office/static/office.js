// Small helpers of the office app. Loaded as a file: the CSP allows no inline scripts.
"use strict";
document.addEventListener("click", (event) => {
  // Buttons with data-confirm ask before they change something (e.g. disable an account).
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
