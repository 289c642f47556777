// What a copy button does when clicked (a code block's; a table's: table_text.js): copy, then say
// so for a moment. The highlight chunk's (js/src/widget/highlight_chunk.js), which the view's
// click delegation calls (js/src/base/highlight_slot.js `copy`).

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

/**
 * Copy the code of a copy button's block; shows "Copied" for a moment.
 * @param {HTMLButtonElement} btn
 */
export async function copyCode(btn) {
  const code = btn.parentElement?.querySelector("pre")?.textContent ?? "";
  await copyText(btn, () => code.replace(/\n$/, ""), "Copy");
}
