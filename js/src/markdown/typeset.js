// Typesetting math placeholders (js/src/markdown/math_syntax.js) as MathML, after the main
// sanitizer: the work of a page's typesetter (js/src/markdown/math.js) once the math chunk is here,
// and in it (js/src/markdown/math_chunk.js), next to KaTeX.
//
// rendering.md §2 "Math": model markdown is sanitized first (no math tags pass); then nbagent
// renders MathML from the TeX *text* of its own placeholders and passes that MathML alone
// through a second, MathML-only allow-list (the chunk's MATHML) in a DOMPurify instance of its
// own, so the main configuration stays untouched.
// Twin: nbagent/transcript/export/math.py

import { h } from "../base/format.js";

/**
 * A renderer of TeX to MathML and the allow-list its MathML is sanitized with (the math
 * chunk, or a test's).
 * @typedef {{toMathML(tex: string, display: boolean): {mathml: string} | {error: string},
 *   MATHML?: import("dompurify").Config & {ALLOWED_CLASSES: string[]}}} MathRenderer
 */

/**
 * The typesetting state of a page's typesetter: the formula cache, the time budget and the
 * placeholders past it.
 * @param {import("dompurify").DOMPurify} DOMPurify the bundle's (its own instance is made
 *   from it: the chunk has no sanitizer of its own)
 * @param {number} budget the budget per call (ms)
 * @typedef {ReturnType<typeof newEngine>} Engine
 */
export function newEngine(DOMPurify, budget) {
  /**
   * The MathML-only purifier of each renderer, made from its allow-list.
   * @type {WeakMap<MathRenderer, import("dompurify").DOMPurify>}
   */
  const purifiers = new WeakMap();
  /** Rendered formulas by kind and TeX: the live block is rendered again every frame. */
  const cache = new Map();
  /**
   * Formulas not yet in the cache are rendered for at most this long per call (ms); the rest
   * wait for the next task, so a page of new formulas does not make one long frame (rendering
   * .md §6: ≤ 16 ms). One formula is never split.
   */
  let budgetMs = budget;
  /** Placeholders past the budget, typeset on the next task. @type {Set<Element>} */
  const deferred = new Set();
  let draining = false;
  /** @type {MathRenderer | null} */
  let last = null;

  /**
   * Sanitize the renderer's MathML with its MathML-only allow-list; a renderer without one
   * yields nothing (the formula then shows as an error).
   * @param {string} mathml
   * @param {MathRenderer | null} r
   * @returns {DocumentFragment}
   */
  function purify(mathml, r) {
    if (!r?.MATHML) return document.createDocumentFragment();
    let purifier = purifiers.get(r);
    if (!purifier) {
      const p = DOMPurify(window);
      const classes = new Set(r.MATHML.ALLOWED_CLASSES);
      p.setConfig(r.MATHML);
      p.addHook("afterSanitizeAttributes", (n) => {
        // KaTeX's annotation is the TeX; any other encoding is not ours.
        if (n.localName === "annotation" && n.getAttribute("encoding") !== "application/x-tex") {
          n.remove();
          return;
        }
        const cls = n.getAttribute("class");
        if (cls !== null && !classes.has(cls)) n.removeAttribute("class");
      });
      purifiers.set(r, p);
      purifier = p;
    }
    return /** @type {DocumentFragment} */ (/** @type {unknown} */ (purifier.sanitize(mathml)));
  }

  /**
   * @param {Iterable<Element>} els
   * @param {MathRenderer} r
   * @param {boolean} [late] a task of its own (not the frame that shows the formulas)
   * @param {boolean} [spread] at most PLACED_MAX formulas placed
   */
  function typesetAll(els, r, late = false, spread = true) {
    last = r;
    const start = performance.now();
    let fresh = 0;
    let placed = 0;
    for (const el of els) {
      if (spread && budgetMs < Infinity && placed++ >= PLACED_MAX) {
        deferred.add(el);
        continue;
      }
      const key = keyOf(el);
      let made = cache.get(key);
      if (!made) {
        // At least one new formula per call (the queue always moves), but a long one never in
        // the caller's frame: in a task of its own.
        if (
          budgetMs < Infinity &&
          ((!late && key.length > LONG_TEX) ||
            (fresh++ > 0 && performance.now() - start > budgetMs))
        ) {
          deferred.add(el);
          continue;
        }
        made = render(key.slice(1), key[0] === "D", r, purify);
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(key, made);
      }
      el.replaceWith(made.cloneNode(true));
    }
    if (deferred.size > 0 && !draining) {
      draining = true;
      setTimeout(drain, 0);
    }
  }

  function drain() {
    draining = false;
    const els = [...deferred].filter(shown);
    deferred.clear();
    if (last) typesetAll(els, last, true);
  }

  return {
    purify,
    typesetAll,
    shown,
    /** @param {number} ms the budget per call; Infinity: everything at once */
    setBudget(ms) {
      budgetMs = ms;
    },
    /** Resolves when no placeholder waits for its turn. */
    async settled() {
      while (draining) await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

const CACHE_MAX = 2000;
/**
 * KaTeX takes about 20 µs per character of TeX (a 10,000-character formula: 200 ms, more for
 * some commands): a formula longer than LONG_TEX is typeset in a task of its own, after the
 * frame that shows it, and one longer than MAX_TEX not at all (its TeX is shown).
 */
const LONG_TEX = 400;
const MAX_TEX = 4000;
/**
 * Formulas placed in new markup per call at most; the rest wait for later tasks, this many in
 * each. Laying out MathML is what costs then: 450 formulas in one 8 KB paragraph, 31 ms in
 * Chromium (~70 µs each). A live block is rendered again every frame and keeps its formulas
 * (morph.js), so it places them all: it would flicker.
 */
const PLACED_MAX = 24;

/**
 * Whether a placeholder (or a markdown block's element) still matters: in the page, or in a
 * view not attached yet. One left in the fragment a live block was rendered into (`morph` took
 * another) does not.
 * @param {Element} el
 */
const shown = (el) => el.isConnected || !(el.getRootNode() instanceof DocumentFragment);

/**
 * "D" (display) or "I" (inline), then the TeX.
 * @param {Element} el
 */
function keyOf(el) {
  const display =
    el.classList.contains("nb-math-display") ||
    (el.parentElement?.classList.contains("nb-math-display") ?? false);
  return `${display ? "D" : "I"}${el.textContent ?? ""}`;
}

/**
 * @param {string} tex
 * @param {boolean} display
 * @param {MathRenderer} r
 * @param {(mathml: string, r: MathRenderer) => DocumentFragment} purify the engine's
 * @returns {Element}
 */
function render(tex, display, r, purify) {
  const out =
    tex.length > MAX_TEX ? { error: "nbagent: too long to typeset" } : r.toMathML(tex, display);
  if ("mathml" in out) {
    const frag = purify(out.mathml, r);
    const math = frag.firstElementChild;
    // Exactly one <math>, as the renderer makes it; anything else is shown as an error.
    if (math?.localName === "math" && frag.childNodes.length === 1) {
      const box = h("span", display ? "nb-mathml nb-mathml-display" : "nb-mathml");
      box.append(math);
      return box;
    }
  }
  const error = h("code", "nb-math-error");
  error.title = "error" in out ? out.error : "nbagent: the formula's MathML was not as expected";
  error.textContent = tex;
  return error;
}
