// What a copy button does when clicked (a code block's, md_render.js; a table's, table_text.js):
// copy, then say so for a moment.

/**
 * Copy `text()` for a copy button: it shows "Copied" (or "Copy failed") for a moment, then
 * `label` again.
 * @param {HTMLButtonElement} btn
 * @param {() => string} text
 * @param {string} label
 */
export async function copyText(btn, text, label) {
  try {
    await navigator.clipboard.writeText(text());
    btn.textContent = "Copied";
    btn.classList.add("nba-copied");
  } catch {
    btn.textContent = "Copy failed";
  }
  setTimeout(() => {
    btn.textContent = label;
    btn.classList.remove("nba-copied");
  }, 1500);
}
