// DOM safety checks shared by the vitest suite and the bare browser page (rendering.md §5).
// Returns a list of human-readable violations found under `root` (empty = safe).

const FORBIDDEN = "img,svg,math,iframe,frame,form,script,style,object,embed,video,audio,source,link,meta,base,template,textarea,select";
const OWN_BUTTONS = ["nba-stop", "nba-copy", "nba-more", "nba-action", "nba-step-button", "nba-chat-send"];
// Our own UI (the Re-run editor, the chat box); markdown never makes a <textarea> (DOMPurify drops it).
const OWN_FORBIDDEN = ["nba-rerun-args", "nba-chat-text"];
const HREF_OK = /^(?:https?:|mailto:|#)/i;

/** @param {ParentNode} root @returns {string[]} */
export function violations(root) {
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith("on") || n === "style" || n.startsWith("data-") || n === "src" || n === "srcset" || n === "formaction" || n === "xlink:href") {
        out.push(`<${el.tagName.toLowerCase()}> has attribute ${n}`);
      }
    }
    if (el.matches(FORBIDDEN) && !OWN_FORBIDDEN.some((c) => el.classList.contains(c))) {
      out.push(`forbidden element <${el.tagName.toLowerCase()}>`);
    }
    if (el.tagName === "BUTTON" && !OWN_BUTTONS.some((c) => el.classList.contains(c))) {
      out.push(`foreign <button> ${JSON.stringify(el.textContent)}`);
    }
    if (el.tagName === "INPUT" && el.getAttribute("type") !== "checkbox") out.push("non-checkbox <input>");
    if (el.tagName === "A") {
      const href = el.getAttribute("href");
      if (href !== null && !HREF_OK.test(href)) out.push(`bad href ${JSON.stringify(href)}`);
      if (href !== null && (el.getAttribute("target") !== "_blank" || el.getAttribute("rel") !== "noopener noreferrer nofollow")) {
        out.push(`link without target/rel ${JSON.stringify(href)}`);
      }
    }
  }
  return out;
}
