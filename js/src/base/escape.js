// Text as HTML: what the markdown renderer (md_render.js), the math placeholders
// (math_syntax.js) and the highlighter (highlight.js) put around text they write as markup.

/** @param {string} s */
export function escapeHtml(s) {
  return s.replace(
    /[&<>"']/g,
    (c) =>
      /** @type {Record<string, string>} */ ({
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
      })[c],
  );
}
