// Kept out of the templates so a strict Content-Security-Policy (no inline scripts) can apply.

// Irreversible actions: the server renders the consequence (from the county's policy in force) into data-confirm
// on the button, link or form; one handler here asks for every one of them. Listening on the document in the
// capture phase also covers buttons that htmx swaps in later and the Enter key in a form's text box (the browser
// sends that as a click on the form's default button).
document.addEventListener("click", (ev) => {
  const el = ev.target instanceof Element ? ev.target.closest("[data-confirm]") : null;
  if (el && el.tagName !== "FORM" && !window.confirm(el.dataset.confirm)) {
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }
}, true);
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (form.hasAttribute("data-confirm") && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }
}, true);

// Double-submit guard: disable a POST form's submit buttons after the first click so a double click sends one
// request. They are disabled after the browser has taken the form's data, so the clicked button's name and value
// are still sent. A form whose answer is a file (an export that downloads directly) leaves the page where it is,
// so its buttons come back on their own: soon for forms marked data-download, and for any other form after a
// while, so an unmarked download never leaves a dead button behind. Coming back to the page (back button,
// bfcache) enables them too.
const DOWNLOAD_REENABLE_MS = 1500;
const FALLBACK_REENABLE_MS = 8000;

// Only buttons the guard disabled come back: a button the server rendered disabled stays so.
function submitButtons(form) {
  const own = Array.from(form.querySelectorAll("button[type=submit], button:not([type])"));
  const outside = form.id ? Array.from(document.querySelectorAll(`button[form="${form.id}"]`)) : [];
  return own.concat(outside);
}
function guard(form) {
  submitButtons(form).forEach((b) => {
    if (!b.disabled) { b.disabled = true; b.dataset.guarded = "1"; }
  });
}
function release(form) {
  submitButtons(form).forEach((b) => {
    if (b.dataset.guarded) { b.disabled = false; delete b.dataset.guarded; }
  });
}

document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (ev.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
  setTimeout(() => guard(form), 0);
  const wait = form.hasAttribute("data-download") ? DOWNLOAD_REENABLE_MS : FALLBACK_REENABLE_MS;
  setTimeout(() => release(form), wait);
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form").forEach(release);
});

document.addEventListener("DOMContentLoaded", () => {
  // Township filter change reloads village choices.
  const township = document.querySelector("select[name=township][data-autosubmit]");
  if (township) township.addEventListener("change", () => {
    const village = township.form.querySelector("select[name=village]");
    if (village) village.value = "";
    township.form.submit();
  });
});
