// The sanitizer of model text (rendering.md §4): exactly this DOMPurify configuration.

import DOMPurify from "dompurify";

/** rendering.md §4 — exactly this configuration. */
export const PURIFY = {
  ALLOWED_TAGS: [
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "input",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "span",
    "sup",
    "sub",
  ],
  ALLOWED_ATTR: [
    "href",
    "title",
    "class",
    "start",
    "type",
    "checked",
    "disabled",
    "align",
    "colspan",
    "rowspan",
  ],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  ALLOW_DATA_ATTR: false, // JupyterLab executes data-commandlinker-command (jupyterlab#9937)
  ALLOW_ARIA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
  RETURN_DOM_FRAGMENT: true,
};

/**
 * PURIFY's ALLOWED_URI_REGEXP is tested against every attribute that DOMPurify does not know
 * to be URI-safe, which strips `type="checkbox"`, `align="center"`, `start="3"` and
 * `colspan="2"` (and then the hook removes the task-list checkboxes). These attributes never
 * hold URLs; `href` is still checked against the regexp.
 */
const NOT_URIS = { ADD_URI_SAFE_ATTR: ["type", "align", "start", "colspan", "rowspan"] };

DOMPurify.addHook("afterSanitizeAttributes", (n) => {
  if (n.tagName === "A") {
    /** @type {HTMLAnchorElement} */ (n).target = "_blank";
    /** @type {HTMLAnchorElement} */ (n).rel = "noopener noreferrer nofollow";
  }
  if (n.tagName === "INPUT" && n.getAttribute("type") !== "checkbox") n.remove();
});

// Configured once: a config passed to every sanitize() call is parsed again every time.
// The bundle has its own DOMPurify, so the configuration is ours alone.
/**
 * Display math placeholders are `<div class="nb-math nb-math-display">` (math_syntax.js): a
 * block of their own, not a code block. Model HTML never reaches the sanitizer as markup
 * (renderer.html escapes it), so a `div` only comes from that placeholder.
 */
const MATH_PLACEHOLDER = { ADD_TAGS: ["div"] };

DOMPurify.setConfig({ ...PURIFY, ...NOT_URIS, ...MATH_PLACEHOLDER });

/**
 * Sanitize an HTML string into a fragment: an empty one when nothing survives (DOMPurify
 * returns null when the markup leaves no body, e.g. a `<frameset>` page).
 * @param {string} html
 * @returns {DocumentFragment}
 */
export function purify(html) {
  const out = /** @type {DocumentFragment | null} */ (
    /** @type {unknown} */ (DOMPurify.sanitize(html))
  );
  return out ?? document.createDocumentFragment();
}
