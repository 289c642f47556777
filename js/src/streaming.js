// Streaming markdown: block freezing (rendering.md §3), healing of the live block, and a
// bounded cost per frame. The whole render (renderMarkdown) is the reference: a finished
// stream equals it.

import { finalCount } from "./freeze.js";
import { healLive, OPEN_MATH, openFenceLine } from "./heal.js";
import { hidingRefs, lex, lexBlocks, MATH_MARK, parseTokens, renderFrozen } from "./markdown.js";
import { typeset } from "./math.js";
import { morph } from "./morph.js";
import { purify } from "./purify.js";

/** @typedef {import("./markdown.js").Tok} Tok */
/** @typedef {import("./markdown.js").Links} Links */

const CHUNK = 32;
/** The live render's budget per frame (a frame is 16 ms; sanitizing, layout and paint follow). */
const LIVE_BUDGET_MS = 8;
/**
 * The live block's lexing deadline (markdown.js): past it, that frame shows the block as plain
 * text, and the window below shrinks for the next one.
 */
const LIVE_LEX_MS = 50;
const MIN_WINDOW = 256;

/** Normalize line endings the way marked's lexer does (so raw lengths add up). @param {string} s */
const normalize = (s) => s.replace(/\r\n?/g, "\n");

/**
 * The markdown of one text block, rendered incrementally. Per flush the work is proportional
 * to what arrived and to the live (last) block, not to the whole text: `append()` takes the
 * new text only, and only the unfrozen tail is parsed again.
 */
export class StreamingMarkdown {
  constructor() {
    this.el = document.createElement("div");
    this.el.className = "nba-md";
    this.frozenEl = document.createElement("div");
    this.frozenEl.className = "nba-frozen";
    this.liveEl = document.createElement("div");
    this.liveEl.className = "nba-live";
    this.el.append(this.frozenEl, this.liveEl);
    this.src = "";
    /** The source from `frozenEnd` on: what is parsed again at each flush. */
    this.tail = "";
    this.frozenEnd = 0;
    /** The raw text so far ended in "\r" (a "\n" next completes one line break). */
    this.cr = false;
    /** @type {HTMLElement | null} */
    this.chunk = null;
    this.chunkCount = 0;
    this.final = false;
    this.finalized = false;
    this.dirty = false;
    /** @type {Links} reference definitions in the frozen blocks */
    this.links = {};
    /** Labels of live definitions already used to re-render the frozen blocks. */
    this.shown = new Set();
    /** Some frozen block shows an unresolved reference as text (see `hideRefs`). */
    this.hidRefs = false;
    /** How many characters at the end of the live block are parsed (see renderLive). */
    this.window = Infinity;
  }

  /**
   * Set the whole source (usually the previous source plus a delta). Compares the whole
   * text with what it has: use `append()` while streaming.
   * @param {string} text
   * @param {boolean} final the block will not grow any more: flush everything
   */
  set(text, final) {
    const src = normalize(text);
    if (src === this.src && final === this.final) return;
    if (!src.startsWith(this.src)) this.reset();
    if (src !== this.src) {
      this.finalized = false;
      this.tail += src.slice(this.src.length);
      this.src = src;
    }
    this.cr = text.endsWith("\r");
    this.final = final;
    this.dirty = true;
  }

  /**
   * Add text at the end of the source.
   * @param {string} delta
   */
  append(delta) {
    let d = delta;
    if (this.cr && d.startsWith("\n")) d = d.slice(1); // "\r" already became a "\n"
    if (d === "") return;
    this.cr = d.endsWith("\r");
    const n = normalize(d);
    this.src += n;
    this.tail += n;
    this.finalized = false;
    this.dirty = true;
  }

  /** @param {boolean} final the block will not grow any more */
  setFinal(final) {
    if (final === this.final) return;
    this.final = final;
    this.dirty = true;
  }

  /**
   * A copy of this block's rendering and state (for a second view of the same transcript):
   * copying the sanitized DOM is much cheaper than parsing and sanitizing the text again.
   * @returns {StreamingMarkdown}
   */
  clone() {
    const c = new StreamingMarkdown();
    const el = /** @type {HTMLDivElement} */ (this.el.cloneNode(true));
    c.el = el;
    c.frozenEl = /** @type {HTMLDivElement} */ (el.firstElementChild);
    c.liveEl = /** @type {HTMLDivElement} */ (el.lastElementChild);
    // The chunk being filled is always the last one.
    c.chunk = this.chunk ? /** @type {HTMLElement} */ (c.frozenEl.lastElementChild) : null;
    c.src = this.src;
    c.tail = this.tail;
    c.frozenEnd = this.frozenEnd;
    c.cr = this.cr;
    c.chunkCount = this.chunkCount;
    c.final = this.final;
    c.finalized = this.finalized;
    c.dirty = this.dirty;
    c.links = { ...this.links };
    c.shown = new Set(this.shown);
    c.hidRefs = this.hidRefs;
    c.window = this.window;
    // Formulas the original still waits to typeset (the math chunk not loaded yet) are copied
    // as placeholders: the copy's own wait for them.
    typeset(c.frozenEl);
    return c;
  }

  reset() {
    this.frozenEl.replaceChildren();
    this.liveEl.replaceChildren();
    this.src = "";
    this.tail = "";
    this.frozenEnd = 0;
    this.cr = false;
    this.chunk = null;
    this.chunkCount = 0;
    this.finalized = false;
    this.links = {};
    this.shown = new Set();
    this.hidRefs = false;
    this.window = Infinity;
  }

  /**
   * Render frozen tokens into chunks of CHUNK blocks, one sanitize per chunk they touch.
   * @param {Tok[]} toks non-space tokens
   */
  appendFrozen(toks) {
    for (let i = 0; i < toks.length; ) {
      if (!this.chunk || this.chunkCount >= CHUNK) {
        this.chunk = document.createElement("div");
        this.chunk.className = "nba-chunk";
        this.frozenEl.append(this.chunk);
        this.chunkCount = 0;
      }
      const group = toks.slice(i, i + CHUNK - this.chunkCount);
      this.chunk.append(renderFrozen(group));
      this.chunkCount += group.length;
      i += group.length;
    }
  }

  /**
   * Render the whole source at once into the frozen part: at the end of a block whose
   * reference definitions may change earlier blocks, or mid-stream when a definition that
   * earlier blocks use arrives (`early`: the definitions seen so far after `src`).
   * @param {string} src
   * @param {Links} [early]
   */
  renderWhole(src, early) {
    this.frozenEl.replaceChildren();
    this.chunk = null;
    this.chunkCount = 0;
    const toks = lex(src, early);
    this.links = {};
    for (const d of newDefinitions(toks, {}))
      this.links[d.tag] ??= { href: d.href, title: d.title };
    this.appendFrozen(toks.filter((t) => t.type !== "space"));
  }

  /** Render what changed since the last flush. Call once per animation frame. */
  flush() {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.finalized) return;
    if (hidingRefs(!this.final, () => this.render())) this.hidRefs = true;
  }

  /** flush()'s work. */
  render() {
    // Block structure only (no inline parsing): all that freezing needs, linear in the tail.
    const toks = this.final ? lex(this.tail, this.links) : lexBlocks(this.tail, this.links);
    const k = this.final ? toks.length : finalCount(toks, this.tail);
    let consumed = 0;
    for (let i = 0; i < k; i++) consumed += toks[i].raw.length;
    const frozenBefore = this.frozenEnd;
    this.frozenEnd += consumed;
    const frozenText = this.tail.slice(0, consumed);
    this.tail = this.tail.slice(consumed);
    if (this.final) {
      this.liveEl.replaceChildren();
      // Definitions apply to the whole document, also to blocks frozen before them.
      // So do the references shown as text while streaming.
      if (Object.keys(toks.links).length || this.hidRefs) this.renderWhole(this.src);
      else this.appendFrozen(toks.filter((t) => t.type !== "space"));
      this.finalized = true;
      return;
    }
    if (consumed) this.window = Infinity;
    const frozen = consumed ? lex(frozenText, this.links).filter((t) => t.type !== "space") : [];
    const defs = newDefinitions(frozen, this.links);
    // Definitions still in the live block (maybe half-typed): shown early, once per label.
    const early = Object.keys(toks.links).filter(
      (tag) => !(tag in this.links) && !this.shown.has(tag),
    );
    for (const tag of early) this.shown.add(tag);
    const used = (/** @type {string[]} */ tags) =>
      tags.length > 0 && referencedBefore(this.src.slice(0, frozenBefore), tags);
    if (used(defs.map((d) => d.tag)) || used(early)) {
      this.renderWhole(this.src.slice(0, this.frozenEnd), toks.links);
    } else {
      for (const d of defs) this.links[d.tag] ??= { href: d.href, title: d.title };
      this.appendFrozen(frozen);
    }
    this.renderLive(toks.links);
  }

  /**
   * Render the live block (healed). Its cost is bounded: once a render takes more than half
   * of LIVE_BUDGET_MS (a long paragraph dense with `_`, deep quotes), only its last `window`
   * characters are parsed from then on and the text before them shows as plain text, until
   * the block is frozen or final (which renders it whole, exactly).
   * @param {Links} links
   */
  renderLive(links) {
    const t0 = performance.now();
    let src = this.tail;
    let head = "";
    if (src.length > this.window) {
      // Start the parsed part at a line, or at least a word.
      let cut = src.length - this.window;
      const nl = src.lastIndexOf("\n", cut);
      cut = nl >= cut - 256 ? nl + 1 : Math.max(src.lastIndexOf(" ", cut) + 1, cut - 64);
      head = src.slice(0, cut);
      src = src.slice(cut);
      // Inside a long code block the parsed part stays code.
      const fence = openFenceLine(head);
      if (fence !== null) src = `${fence}\n${src}`;
    }
    const healed = healLive(src);
    const html = parseTokens(lex(healed.text, links, LIVE_LEX_MS));
    const frag = purify(html);
    if (healed.math) placeOpenMath(frag, healed.math);
    if (head) {
      const p = document.createElement("p");
      p.className = "nba-pending";
      p.textContent = head;
      frag.prepend(p);
    }
    // Formulas are not markdown: their time (bounded by math.js) does not shrink the window.
    const t1 = performance.now();
    if (html.includes(MATH_MARK)) typeset(frag);
    const typesetMs = performance.now() - t1;
    morph(this.liveEl, frag);
    // Past half the budget, parse only as much as fits in half of it next time (the cost of
    // a paragraph grows faster than its length, so this leaves room for the next chunk).
    const cost = performance.now() - t0 - typesetMs;
    if (cost > LIVE_BUDGET_MS / 2) {
      const fits = Math.floor((src.length * LIVE_BUDGET_MS) / 2 / cost);
      this.window = Math.max(MIN_WINDOW, Math.min(this.window, fits));
    }
  }
}

/**
 * Put an open formula's TeX where healLive left its mark, as plain text in nbagent's math
 * placeholder (marked `nb-math-open`: not typeset until it closes).
 * @param {DocumentFragment} frag
 * @param {{tex: string, display: boolean}} math
 */
function placeOpenMath(frag, math) {
  const walker = document.createTreeWalker(frag, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = /** @type {Text} */ (n);
    const at = text.data.indexOf(OPEN_MATH);
    if (at < 0) continue;
    const code = document.createElement("code");
    code.className = math.display ? "nb-math" : "nb-math nb-math-open";
    code.textContent = math.tex;
    const p = text.parentElement;
    if (math.display && p?.tagName === "P" && p.textContent?.trim() === OPEN_MATH) {
      const box = document.createElement("div");
      box.className = "nb-math nb-math-display nb-math-open";
      box.append(code);
      p.replaceWith(box);
    } else {
      text.splitText(at).deleteData(0, OPEN_MATH.length);
      text.after(code);
    }
    return;
  }
}

/** @typedef {{tag: string, href: string | null, title: string | null}} Def */

/**
 * The reference definitions in `toks` (also inside quotes and lists) not yet in `links`.
 * @param {Tok[]} toks
 * @param {Links} links
 * @returns {Def[]}
 */
function newDefinitions(toks, links) {
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
function referencedBefore(before, tags) {
  if (!tags.length || !before.includes("]")) return false;
  const text = before.toLowerCase().replace(/\s+/g, " ");
  return tags.some((tag) => text.includes(`[${tag}]`));
}

const WARM_UP =
  "# T\n\nSome *em*, **strong**, `code`, ~~del~~ and a [link](https://example.org).\n\n" +
  "- a\n- [ ] b\n\n1. c\n\n> q\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```python\nx = 1  # c\n```\n";
let warmedUp = false;

/**
 * Render a small document once, live and frozen, off the page. The bundle is evaluated
 * afresh for every widget (anywidget imports it from a new blob URL), so without this the
 * first token of a run pays for compiling the lexer's regular expressions and the render
 * path (~6 ms); with it, the widget pays that when it is created, before the run's first token.
 */
export function warmUp() {
  if (warmedUp) return;
  warmedUp = true;
  const s = new StreamingMarkdown();
  s.append(WARM_UP.slice(0, 90));
  s.flush();
  s.append(WARM_UP.slice(90));
  s.setFinal(true);
  s.flush();
}

/**
 * Render a whole markdown document at once, with the same structure a finished
 * StreamingMarkdown has (used for tests and exports).
 * @param {string} src
 * @returns {HTMLElement} the `.nba-md` element
 */
export function renderMarkdown(src) {
  const s = new StreamingMarkdown();
  s.src = normalize(src);
  s.frozenEnd = s.src.length;
  s.appendFrozen(lex(s.src).filter((t) => t.type !== "space"));
  s.finalized = true;
  s.final = true;
  return s.el;
}

/**
 * Whole-document render into a fragment.
 * @param {string} src
 * @returns {DocumentFragment}
 */
export function renderMarkdownToFragment(src) {
  const frag = document.createDocumentFragment();
  frag.append(renderMarkdown(src));
  return frag;
}
