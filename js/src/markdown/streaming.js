// Streaming markdown: block freezing (rendering.md §3), healing of the live block, and a
// bounded cost per frame. The whole render (renderMarkdown, whole.js) is the reference: a
// finished stream equals it.

import { h } from "../base/format.js";
import { finalCount } from "../base/freeze.js";
import { highlightAll } from "../base/highlight_slot.js";
import { morph } from "../base/morph.js";
import { purify } from "../base/purify.js";
import { newDefinitions, referencedBefore } from "../base/refs.js";
import { heal, healLive } from "./heal.js";
import { cutAt, part } from "./live.js";
import { mathSyntax } from "./math.js";
import { lex, MATH_MARK, parseTokens, renderContext, renderFrozen } from "./md_render.js";

/** @typedef {import("./md_render.js").Tok} Tok */
/** @typedef {import("./md_render.js").Links} Links */
/** @typedef {import("./md_render.js").RenderContext} RenderContext */
/** @typedef {import("./math.js").Typesetter} Typesetter */

/** The tokens that are blocks (not the space between them). @param {Tok[]} toks */
export const blocks = (toks) => toks.filter((t) => t.type !== "space");

const CHUNK = 32;
/** The live render's budget per frame (a frame is 16 ms; sanitizing, layout and paint follow). */
const LIVE_BUDGET_MS = 8;
/**
 * The live block's lexing deadline (markdown.js): past it, that frame shows the block as plain
 * text, and the window below shrinks for the next one.
 */
const LIVE_LEX_MS = 50;
const MIN_WINDOW = 256;

/** @param {string} cls */
const div = (cls) => h("div", cls);

/** What a formula starts with: `$`, `\(`, `\[` (math_syntax.js). */
export const MATH_CHARS = /[$\\]/;

/** Normalize line endings the way marked's lexer does (so raw lengths add up). @param {string} s */
export const normalize = (s) => s.replace(/\r\n?/g, "\n");

/**
 * The markdown of one text block, rendered incrementally. Per flush the work is proportional
 * to what arrived and to the live (last) block, not to the whole text: `append()` takes the
 * new text only, and only the unfrozen tail is parsed again.
 */
export class StreamingMarkdown {
  el = div("nba-md");
  frozenEl = div("nba-frozen");
  liveEl = div("nba-live");
  /** The live block before `cut`, rendered. */
  head = div("");
  final = false;
  dirty = false;
  // The state of a new block (`reset`):
  src = "";
  /** The source from `frozenEnd` on: what is parsed again at each flush. */
  tail = "";
  frozenEnd = 0;
  /** The raw text so far ended in "\r" (a "\n" next completes one line break). */
  cr = false;
  /** @type {HTMLElement | null} */
  chunk = null;
  chunkCount = 0;
  finalized = false;
  /** @type {Links} reference definitions in the frozen blocks */
  links = {};
  /** Labels of live definitions already used to re-render the frozen blocks. */
  shown = new Set();
  /** Some frozen block shows an unresolved reference as text (see `hideRefs`). */
  hidRefs = false;
  /** How many characters at the end of the live block are parsed (see renderLive). */
  window = Infinity;
  /** Where the parsed part of the live block starts (see renderLive); 0: all of it is. */
  cut = 0;
  /** The source has a `$` or a backslash: it may hold a formula (math.js `later`). */
  mayHoldMath = false;

  /** @param {Typesetter | null} [math] typesets the formulas (none: they stay TeX) */
  constructor(math = null) {
    this.math = math;
    this.el.append(this.frozenEl, this.liveEl);
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
      const added = src.slice(this.src.length);
      this.mayHoldMath ||= MATH_CHARS.test(added);
      this.tail += added;
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
    this.mayHoldMath ||= MATH_CHARS.test(n);
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
    const el = /** @type {HTMLDivElement} */ (this.el.cloneNode(true));
    const frozenEl = /** @type {HTMLDivElement} */ (el.firstElementChild);
    const liveEl = /** @type {HTMLDivElement} */ (el.lastElementChild);
    const c = Object.assign(new StreamingMarkdown(this.math), this, {
      el,
      frozenEl,
      liveEl,
      // The chunk being filled is always the last one.
      chunk: this.chunk && frozenEl.lastElementChild,
      links: { ...this.links },
      shown: new Set(this.shown),
      head: this.cut ? liveEl.firstElementChild : div(""),
    });
    // Formulas and code the original still waits to typeset and highlight (their chunks not
    // loaded yet) are copied as they are: the copy's own wait for them.
    this.math?.typeset(c.frozenEl);
    highlightAll(c.frozenEl);
    if (c.mayHoldMath) this.math?.later(c);
    return c;
  }

  /** Forget the source and its rendering (the state of a new block). */
  reset() {
    this.frozenEl.replaceChildren();
    this.liveEl.replaceChildren();
    Object.assign(this, {
      src: "",
      tail: "",
      frozenEnd: 0,
      cr: false,
      chunk: null,
      chunkCount: 0,
      finalized: false,
      links: {},
      shown: new Set(),
      hidRefs: false,
      mayHoldMath: false,
    });
    this.dropHead();
  }

  /** Render the whole source again, as a new block would (the math syntax came: math.js). */
  again() {
    const { src, final, cr } = this;
    this.reset();
    this.set(src, final);
    Object.assign(this, { cr }).flush();
  }

  /** A new live block: parsed whole again, no head. */
  dropHead() {
    this.window = Infinity;
    this.cut = 0;
    this.head.remove();
    this.head.replaceChildren();
  }

  /**
   * Render frozen tokens into chunks of CHUNK blocks, one sanitize per chunk they touch.
   * @param {Tok[]} toks non-space tokens
   * @param {RenderContext} [ctx]
   */
  appendFrozen(toks, ctx = renderContext(false, this.math)) {
    for (let i = 0; i < toks.length; ) {
      if (!this.chunk || this.chunkCount >= CHUNK) {
        this.chunk = div("nba-chunk");
        this.frozenEl.append(this.chunk);
        this.chunkCount = 0;
      }
      const group = toks.slice(i, i + CHUNK - this.chunkCount);
      this.chunk.append(renderFrozen(group, ctx));
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
   * @param {RenderContext} [ctx]
   */
  renderWhole(src, early, ctx = renderContext(false, this.math)) {
    this.frozenEl.replaceChildren();
    this.chunk = null;
    this.chunkCount = 0;
    const toks = lex(src, early);
    this.links = {};
    for (const d of newDefinitions(toks, {}))
      this.links[d.tag] ??= { href: d.href, title: d.title };
    this.appendFrozen(blocks(toks), ctx);
  }

  /** Render what changed since the last flush. Call once per animation frame. */
  flush() {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.finalized) return;
    // While streaming, `[text][label]` whose definition has not come shows as its text.
    const ctx = renderContext(!this.final, this.math);
    this.render(ctx);
    if (ctx.hidRefs) this.hidRefs = true;
    if (this.mayHoldMath) this.math?.later(this);
  }

  /**
   * flush()'s work.
   * @param {RenderContext} ctx
   */
  render(ctx) {
    // Block structure only (no inline parsing): all that freezing needs, linear in the tail.
    const toks = lex(this.tail, this.links, undefined, !this.final);
    const k = this.final ? toks.length : finalCount(toks, this.tail);
    let consumed = 0;
    for (let i = 0; i < k; i++) consumed += toks[i].raw.length;
    const frozenBefore = this.frozenEnd;
    this.frozenEnd += consumed;
    const frozenText = this.tail.slice(0, consumed);
    this.tail = this.tail.slice(consumed);
    if (this.final) {
      this.dropHead();
      this.liveEl.replaceChildren();
      // Definitions apply to the whole document, also to blocks frozen before them.
      // So do the references shown as text while streaming.
      if (Object.keys(toks.links).length || this.hidRefs) this.renderWhole(this.src, {}, ctx);
      else this.appendFrozen(blocks(toks), ctx);
      this.finalized = true;
      return;
    }
    if (consumed) this.dropHead();
    const frozen = consumed ? blocks(lex(frozenText, this.links)) : [];
    const defs = newDefinitions(frozen, this.links);
    // Definitions still in the live block (maybe half-typed): shown early, once per label.
    const early = Object.keys(toks.links).filter(
      (tag) => !(tag in this.links) && !this.shown.has(tag),
    );
    for (const tag of early) this.shown.add(tag);
    const used = (/** @type {string[]} */ tags) =>
      tags.length > 0 && referencedBefore(this.src.slice(0, frozenBefore), tags);
    if (used(defs.map((d) => d.tag)) || used(early)) {
      this.renderWhole(this.src.slice(0, this.frozenEnd), toks.links, ctx);
    } else {
      for (const d of defs) this.links[d.tag] ??= { href: d.href, title: d.title };
      this.appendFrozen(frozen, ctx);
    }
    this.renderLive(toks.links, ctx);
  }

  /**
   * Render the live block (healed). Its cost is bounded: once a render takes more than half
   * of LIVE_BUDGET_MS (a long paragraph dense with `_`, a long list), only its last `window`
   * characters are parsed from then on, until the block is frozen or final (which renders it
   * whole, exactly). The text before them (the head) is rendered once, in pieces of at most
   * `window` characters as the cut moves on: as markdown when that fits in the budget, else
   * as plain text.
   * @param {Links} links
   * @param {RenderContext} ctx
   */
  renderLive(links, ctx) {
    const t0 = performance.now();
    let src = this.tail;
    if (src.length - this.cut > this.window) {
      // Move the cut half a window before the end: it moves again a half window later.
      const cut = cutAt(src, src.length - (this.window >> 1));
      this.renderHead(src.slice(0, cut), links, ctx);
      this.cut = cut;
    }
    if (this.cut) src = part(src, this.cut);
    const healed = healLive(src, mathSyntax.get()?.openMath);
    const html = parseTokens(lex(healed.text, links, LIVE_LEX_MS), ctx);
    const frag = purify(html);
    if (healed.math) mathSyntax.get()?.placeOpenMath(frag, healed.math);
    // Formulas are not markdown: their time (bounded by math.js) does not shrink the window.
    const t1 = performance.now();
    if (html.includes(MATH_MARK)) ctx.math?.typeset(frag, false);
    const typesetMs = performance.now() - t1;
    if (this.cut && this.liveEl.firstChild !== this.head) this.liveEl.prepend(this.head);
    morph(this.liveEl, frag, this.cut ? this.head.nextSibling : undefined);
    // Past half the budget, parse only as much as fits in half of it next time (the cost of
    // a paragraph grows faster than its length, so this leaves room for the next chunk).
    const cost = performance.now() - t0 - typesetMs;
    if (cost > LIVE_BUDGET_MS / 2) {
      const fits = Math.floor((src.length * LIVE_BUDGET_MS) / 2 / cost);
      this.window = Math.max(MIN_WINDOW, Math.min(this.window, fits));
    }
  }

  /**
   * Render the head's new piece, `head` from the cut on, after the pieces already there.
   * @param {string} head the live block up to the new cut
   * @param {Links} links
   * @param {RenderContext} ctx
   */
  renderHead(head, links, ctx) {
    const toks = lex(heal(part(head, this.cut)), links, LIVE_BUDGET_MS / 2);
    const last = this.head.lastElementChild;
    const text = head.slice(this.cut);
    if (toks.plain) {
      // Too costly as markdown: text, one paragraph with the text pieces before.
      if (last?.className === "nba-pending") last.append(text);
      else this.head.append(h("p", "nba-pending", text));
      return;
    }
    const html = parseTokens(toks, ctx);
    const frag = purify(html);
    if (html.includes(MATH_MARK)) ctx.math?.typeset(frag);
    this.head.append(frag);
  }
}
