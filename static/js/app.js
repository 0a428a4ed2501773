// Kept out of the templates so a strict Content-Security-Policy (no inline scripts) can apply.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm dangerous POST buttons.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (ev) => {
      if (!window.confirm(el.dataset.confirm)) ev.preventDefault();
    });
  });
  // Disable submit buttons after the first click so a double click sends one request.
  // Disabled after the browser has taken the form's data, so the clicked button's name and value are still sent.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
    });
  });
  // Township filter change reloads village choices.
  const township = document.querySelector("select[name=township][data-autosubmit]");
  if (township) township.addEventListener("change", () => {
    const village = township.form.querySelector("select[name=village]");
    if (village) village.value = "";
    township.form.submit();
  });
});
