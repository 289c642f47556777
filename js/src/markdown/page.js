// What the views of one page share, made where a widget begins (js/src/widget/index.js; the lab
// renderer, js/lab/src) and passed down, never kept in a module's globals: the typesetter of
// its formulas (math.js: the math chunk, the typeset queue, the formula cache), the count
// behind its elements' ids (several widgets on one page), whether the renderer has warmed up.

/**
 * @typedef {{math: import("./math.js").Typesetter | null, ids: {n: number}, warm: boolean}} Page
 *   `math` null: formulas stay TeX; `warm`: a small document was rendered (streaming.js warmUp).
 */

/**
 * @param {import("./math.js").Typesetter | null} [math]
 * @returns {Page}
 */
export const newPage = (math = null) => ({ math, ids: { n: 0 }, warm: false });
