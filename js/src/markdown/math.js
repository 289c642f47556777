// A page's typesetter of math (rendering.md §2 "Math") and where its chunk comes from. The
// math chunk (js/src/markdown/math_chunk.js) holds KaTeX, the math syntax (math_syntax.js: which
// text is a formula, made a placeholder holding its TeX) and the typesetting itself (typeset.js:
// the placeholders as sanitized MathML). The kernel sends it with the first text that may hold a
// formula, and the page imports it then. Until it is here, text renders with no formula in it
// (its TeX as written), and each markdown that may hold one is rendered again once it has come
// (StreamingMarkdown.again); where the syntax is at hand (js/src/widget/at_hand.js), placeholders
// show their TeX until the chunk comes.

import DOMPurify from "dompurify";
import { chunkFromCodeModel, lazyChunk, whenSent } from "../base/chunks.js";

/**
 * What the math chunk exports: the renderer, the allow-list its MathML is sanitized with, the
 * math syntax and the typesetting.
 * @typedef {import("./typeset.js").MathRenderer & {
 *   newMathSyntax: typeof import("./math_syntax.js").newMathSyntax,
 *   newEngine: typeof import("./typeset.js").newEngine}} MathChunk
 * @typedef {ReturnType<typeof import("./math_syntax.js").newMathSyntax>} MathSyntax
 * @typedef {{el: Element, again(): void}} Rendered a markdown block (StreamingMarkdown)
 */

/**
 * The math syntax, once a math chunk or the page (at_hand.js) gave it: the marked extensions
 * `mathSlots` find formulas with, and how a live block's open formula is found and placed
 * (streaming.js).
 */
export const mathSyntax = /** @type {ReturnType<typeof lazyChunk<MathSyntax>>} */ (
  lazyChunk("formulas stay TeX")
);

/**
 * marked extensions that stand for the math syntax's (md_render.js): each finds what its
 * namesake finds once the syntax is here, nothing before.
 * @returns {import("marked").TokenizerAndRendererExtension[]}
 */
export function mathSlots() {
  /** @param {string} name @returns {any} */
  const ext = (name) => mathSyntax.get()?.extensions.find((e) => e.name === name);
  return /** @type {const} */ ([
    ["mathBlock", "block"],
    ["mathInline", "inline"],
  ]).map(([name, level]) => ({
    name,
    level,
    /** @param {string} src */
    start(src) {
      return ext(name)?.start?.call(this, src);
    },
    /** @param {string} src @param {any[]} tokens */
    tokenizer(src, tokens) {
      return ext(name)?.tokenizer.call(this, src, tokens);
    },
    /** @param {any} t */
    renderer(t) {
      return ext(name)?.renderer.call(this, t) ?? "";
    },
  }));
}

/**
 * The typeset queue of a page (or of a saved output): the math chunk and where it comes from,
 * the placeholders and markdown waiting for it, and its typesetting once here. Made by the
 * entry point (js/src/widget/index.js, js/lab/src) and handed down to every StreamingMarkdown that
 * renders.
 * @typedef {ReturnType<typeof newTypesetter>} Typesetter
 */
export function newTypesetter() {
  /** Placeholders seen before the chunk arrived, typeset when it does. @type {Set<Element>} */
  const pending = new Set();
  /** Markdown rendered without the syntax that may hold a formula. @type {Set<Rendered>} */
  const again = new Set();
  let budgetMs = 6;
  /** @type {import("./typeset.js").Engine | null} */
  let engine = null;

  /**
   * The chunk is here: its syntax finds formulas from now on (unless the page's is at hand),
   * what was rendered without it is rendered again, what waited is typeset.
   * @param {MathChunk} r
   */
  function arrived(r) {
    if (!mathSyntax.get()) mathSyntax.use(r.newMathSyntax());
    const e = r.newEngine(DOMPurify, budgetMs);
    engine = e;
    const redo = [...again].filter((md) => e.shown(md.el));
    again.clear();
    for (const md of redo) md.again();
    const waiting = [...pending].filter(e.shown);
    pending.clear();
    e.typesetAll(waiting, r);
  }

  /** The math chunk of this page. */
  const math = /** @type {ReturnType<typeof lazyChunk<MathChunk>>} */ (
    lazyChunk("math stays TeX", {
      loaded: arrived,
      failed: () => {
        pending.clear();
        again.clear();
      },
    })
  );

  /**
   * Start loading the chunk (once); render and typeset what waited when it arrives.
   * @returns {Promise<MathChunk | null>}
   */
  const load = () => math.load();

  return {
    /** @param {string} mathml @returns {DocumentFragment} the MathML sanitized (tests) */
    purify: (mathml) => engine?.purify(mathml, math.get()) ?? document.createDocumentFragment(),
    load,
    /**
     * Where the math chunk comes from (the newest source given wins, js/src/base/chunks.js):
     * the widget's code model, the lab extension's own chunk, or a direct import in tests.
     * @param {() => Promise<MathChunk>} source
     */
    provide: (source) => math.provide(source),
    /**
     * Take the math chunk from the widget's code model (nbagent/widget/code_model.py, CodeModel's `math`
     * trait), imported as the kernel sends it, with the first text that may hold a formula.
     * @param {any} model a widget model with a `code` trait ("IPY_MODEL_<id>")
     */
    provideFromCodeModel(model) {
      if (math.get()) return;
      math.provide(chunkFromCodeModel(model, "math"));
      whenSent(model, "math", load);
    },
    /** Use this chunk at once (tests, or a chunk already imported). @param {MathChunk} r */
    use(r) {
      if (math.get()) return;
      math.use(r);
      arrived(r);
    },
    /** @returns {boolean} */
    ready: () => engine !== null,
    /** @param {number} ms the budget per call; Infinity: everything at once (tests comparing renders) */
    setBudget(ms) {
      budgetMs = ms;
      engine?.setBudget(ms);
    },
    /**
     * Render `md` again once the math syntax is here: it rendered text that may hold a
     * formula without it (nothing to do when the syntax is here or no chunk will come).
     * @param {Rendered} md
     */
    later(md) {
      if (!mathSyntax.get() && math.hasSource()) again.add(md);
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
      if (engine && renderer) {
        engine.typesetAll(found, renderer, false, spread);
        return;
      }
      if (!math.hasSource()) return;
      for (const el of found) pending.add(el);
      load();
    },
    /** Resolves when the chunk has loaded (or failed) and no placeholder waits for its turn. */
    async settled() {
      await math.loading();
      await engine?.settled();
    },
  };
}
