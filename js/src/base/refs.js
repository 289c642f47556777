// Reference definitions (`[label]: url`) in streamed markdown (streaming.js): which ones a
// block brings, and whether text already frozen may use them (then it is rendered again).

/** @typedef {import("../markdown/md_render.js").Tok} Tok */
/** @typedef {import("../markdown/md_render.js").Links} Links */
/** @typedef {{tag: string, href: string | null, title: string | null}} Def */

/**
 * The reference definitions in `toks` (also inside quotes and lists) not yet in `links`.
 * @param {Tok[]} toks
 * @param {Links} links
 * @returns {Def[]}
 */
export function newDefinitions(toks, links) {
  /** @type {Def[]} */
  const out = [];
  /** @param {any[]} list */
  const walk = (list) => {
    for (const t of list) {
      if (t.type === "def" && !(t.tag in links)) out.push(t);
      else if (t.type === "blockquote") walk(t.tokens);
      else if (t.type === "list") for (const item of t.items) walk(item.tokens);
    }
  };
  walk(toks);
  return out;
}

/**
 * Whether frozen text may use one of `defs` (`[label]`, matched loosely: a false positive
 * costs one re-render, a miss is fixed by the final whole render).
 * @param {string} before
 * @param {string[]} tags
 */
export function referencedBefore(before, tags) {
  if (!tags.length || !before.includes("]")) return false;
  const text = before.toLowerCase().replace(/\s+/g, " ");
  return tags.some((tag) => text.includes(`[${tag}]`));
}
