// Typesetting math placeholders (js/src/math_syntax.js) as MathML, after the main sanitizer.
//
// rendering.md §2 "Math": model markdown is sanitized first (no math tags pass); then nbagent
// renders MathML from the TeX *text* of its own placeholders, with KaTeX in a separate chunk
// (js/src/math_chunk.js, loaded on first use), and passes that MathML alone through a second,
// MathML-only allow-list (the chunk's MATHML) in a DOMPurify instance of its own, so the main
// configuration stays untouched. Until the chunk arrives, placeholders show their TeX.

import DOMPurify from "dompurify";
import { chunkFromCodeModel, lazyChunk } from "./chunks.js";
import { h } from "./format.js";

/**
 * What the math chunk exports: the renderer and the allow-list its MathML is sanitized with.
 * @typedef {{toMathML(tex: string, display: boolean): {mathml: string} | {error: string},
 *   MATHML?: import("dompurify").Config & {ALLOWED_CLASSES: string[]}}} MathRenderer
 */

/**
 * The typeset queue of a page (or of a saved output): the math chunk and where it comes from,
 * the placeholders waiting for it or for their turn, and the formula cache. Made by the entry
 * point (js/src/index.js, js/lab/src) and handed down to every StreamingMarkdown that renders.
 * @typedef {ReturnType<typeof newTypesetter>} Typesetter
 */
export function newTypesetter() {
  /**
   * The MathML-only purifier of each renderer, made from the allow-list its chunk carries
   * (math_chunk.js `MATHML`: needed only once a formula is typeset, so it is not in the bundle).
   * @type {WeakMap<MathRenderer, import("dompurify").DOMPurify>}
   */
  const purifiers = new WeakMap();
  /** Placeholders seen before the chunk arrived, typeset when it does. @type {Set<Element>} */
  const pending = new Set();
  /** Rendered formulas by kind and TeX: the live block is rendered again every frame. */
  const cache = new Map();
  /**
   * Formulas not yet in the cache are rendered for at most this long per call (ms); the rest
   * wait for the next task, so a page of new formulas does not make one long frame (rendering
   * .md §6: ≤ 16 ms). One formula is never split.
   */
  let budgetMs = 6;
  /** Placeholders past the budget, typeset on the next task. @type {Set<Element>} */
  const deferred = new Set();
  let draining = false;

  /** The math chunk: once it loads, what waited for it is typeset. */
  const math = /** @type {ReturnType<typeof lazyChunk<MathRenderer>>} */ (
    lazyChunk("math stays TeX", {
      loaded(r) {
        const waiting = [...pending].filter(shown);
        pending.clear();
        typesetAll(waiting, r);
      },
      failed: () => pending.clear(),
    })
  );

  /**
   * Sanitize the renderer's MathML with its chunk's MathML-only allow-list; a renderer without
   * one yields nothing (the formula then shows as an error).
   * @param {string} mathml
   * @param {MathRenderer | null} [r]
   * @returns {DocumentFragment}
   */
  function purify(mathml, r = math.get()) {
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
   * Start loading the chunk (once); typeset what waited when it arrives.
   * @returns {Promise<MathRenderer | null>}
   */
  const load = () => math.load();

  /**
   * @param {Iterable<Element>} els
   * @param {MathRenderer} r
   * @param {boolean} [late] a task of its own (not the frame that shows the formulas)
   * @param {boolean} [spread] at most PLACED_MAX formulas placed
   */
  function typesetAll(els, r, late = false, spread = true) {
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
    const renderer = math.get();
    if (renderer) typesetAll(els, renderer, true);
  }

  return {
    purify,
    load,
    /**
     * Where the math chunk comes from (the first source given wins): the widget's code model,
     * the lab extension's own chunk, or a direct import in tests.
     * @param {() => Promise<MathRenderer>} source
     */
    provide: (source) => math.provide(source),
    /**
     * Take the math chunk from the widget's code model (nbagent/_widget.py, CodeModel's `math`
     * trait, sent with the first text that may hold a formula): imported on the first formula.
     * @param {any} model a widget model with a `code` trait ("IPY_MODEL_<id>")
     */
    provideFromCodeModel(model) {
      if (!math.hasSource()) math.provide(chunkFromCodeModel(model, "math"));
    },
    /** Use this renderer at once (tests, or a chunk already imported). @param {MathRenderer} r */
    use: (r) => math.use(r),
    /** @returns {boolean} */
    ready: () => math.get() !== null,
    /** @param {number} ms the budget per call; Infinity: everything at once (tests comparing renders) */
    setBudget(ms) {
      budgetMs = ms;
    },
    /**
     * Typeset the math placeholders under `root` (a sanitized fragment about to be inserted,
     * or an element). Without the chunk yet, they stay TeX and are typeset when it arrives.
     * @param {DocumentFragment | Element} root
     * @param {boolean} [spread] past PLACED_MAX formulas, place the rest in later tasks
     */
    typeset(root, spread = true) {
      // An open formula (heal.js: still streaming, `nb-math-open`) stays TeX until it closes.
      // (Filtered here: a `:not(a > b)` selector is re-parsed by jsdom at every call.)
      const found = [...root.querySelectorAll("code.nb-math")].filter(
        (el) =>
          !el.classList.contains("nb-math-open") &&
          !el.parentElement?.classList.contains("nb-math-open"),
      );
      if (found.length === 0) return;
      const renderer = math.get();
      if (renderer) {
        typesetAll(found, renderer, false, spread);
        return;
      }
      if (!math.hasSource()) return;
      for (const el of found) pending.add(el);
      load();
    },
    /** Resolves when the chunk has loaded (or failed) and no placeholder waits for its turn. */
    async settled() {
      await math.loading();
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
 * Whether a placeholder still matters: in the page, or in a view not attached yet. One left
 * in the fragment a live block was rendered into (`morph` took another) does not.
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
 * @param {(mathml: string, r: MathRenderer) => DocumentFragment} purify the typesetter's
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
