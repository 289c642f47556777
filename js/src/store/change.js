// What applying ops changed (a store's `Change`, store.js): made empty, merged for a view that
// renders several messages' changes at once (view.js).

/** @returns {import("./store.js").Change} */
export function emptyChange() {
  return { reset: false, run: false, blocks: new Set(), appends: new Map() };
}

/**
 * Merge `src` into `dst` (both change summaries).
 * @param {import("./store.js").Change} dst
 * @param {import("./store.js").Change} src
 */
export function mergeChange(dst, src) {
  dst.reset ||= src.reset;
  dst.run ||= src.run;
  for (const i of src.blocks) dst.blocks.add(i);
  for (const [i, text] of src.appends) dst.appends.set(i, (dst.appends.get(i) ?? "") + text);
}
