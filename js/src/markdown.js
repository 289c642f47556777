// Streaming markdown: block freezing (rendering.md §3), strict sanitizing (§4).
// Model HTML is shown as text, images become links, TeX is shown as code.

import DOMPurify from "dompurify";
import { Lexer, Marked } from "marked";
import { finalCount } from "./freeze.js";
import { healLive, OPEN_MATH } from "./heal.js";
import { escapeHtml, highlight } from "./highlight.js";

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
DOMPurify.setConfig({ ...PURIFY, ...NOT_URIS });

/**
 * Sanitize an HTML string into a fragment.
 * @param {string} html
 * @returns {DocumentFragment}
 */
export function purify(html) {
  return /** @type {DocumentFragment} */ (/** @type {unknown} */ (DOMPurify.sanitize(html)));
}

/** Highlight code blocks only while rendering frozen blocks (an open fence stays plain). */
let highlightOn = false;

/** @typedef {{type: string, raw: string, text?: string}} Tok */

/** Streaming: unresolved full references show as their text (set by StreamingMarkdown). */
let hideRefs = false;
/** Some unresolved reference was shown as text since the flag was last cleared. */
let hidRefs = false;
const FULL_REF = /\[([^[\]\n]+)\]\[[^[\]\n]*\]/g;

/** Rendering inline tokens inside a link: links and images in it become text. */
let inLink = false;

/** The link rule of rendering.md §4 (PURIFY.ALLOWED_URI_REGEXP). */
const LINK_RULE = PURIFY.ALLOWED_URI_REGEXP;

/**
 * marked's own URL cleaning (percent-encode, keep existing escapes); null when malformed.
 * @param {string} href
 */
function cleanUrl(href) {
  try {
    return encodeURI(href).replace(/%25/g, "%");
  } catch {
    return null;
  }
}

const md = new Marked({
  gfm: true,
  renderer: {
    html({ text, block }) {
      return block ? `<p>${escapeHtml(text.replace(/\n+$/, ""))}</p>\n` : escapeHtml(text);
    },
    link({ href, title, tokens }) {
      // An image in a link (a README badge) becomes its text inside the link: no nested anchors.
      const outer = inLink;
      inLink = true;
      let text;
      try {
        text = this.parser.parseInline(tokens);
      } finally {
        inLink = outer;
      }
      // rendering.md §4's link rule, applied here so that `[x]()` or `[x](/path)` is text
      // rather than an anchor whose href the sanitizer empties or drops.
      const url = cleanUrl(href);
      if (url === null || !LINK_RULE.test(url) || outer) return text;
      const t = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(url)}"${t}>${text}</a>`;
    },
    text(token) {
      // While streaming, `[text][label]` whose definition has not arrived shows as its text
      // (definitions come last in an answer); the end re-renders the whole block exactly.
      if (hideRefs && !("tokens" in token && token.tokens) && token.text.includes("][")) {
        const text = token.text.replace(FULL_REF, "$1");
        if (text !== token.text) {
          hidRefs = true;
          token.text = text;
        }
      }
      return false;
    },
    image({ href, text }) {
      const label = escapeHtml(`[image: ${text || href}]`);
      const url = cleanUrl(href);
      if (inLink || url === null || !LINK_RULE.test(url))
        return `<span class="nba-image">${label}</span>`;
      return `<a href="${escapeHtml(url)}" class="nba-image">${label}</a>`;
    },
    code({ text, lang }) {
      const name = (lang ?? "").match(/^\S*/)?.[0] ?? "";
      const code = text.replace(/\n$/, "");
      const body = highlightOn ? highlight(code, name) : escapeHtml(code);
      // Entity references in an info string stand for their character (CommonMark §4.5).
      const cls = name
        ? ` class="language-${escapeHtml(name).replace(/&amp;(#?\w+;)/g, "&$1")}"`
        : "";
      // An empty fence is an empty block, not one blank line.
      return `<pre><code${cls}>${body}${code ? "\n" : ""}</code></pre>\n`;
    },
  },
  extensions: [
    {
      name: "mathBlock",
      level: "block",
      start(src) {
        const m = /(?:^|\n) {0,3}(?:\$\$|\\\[)/.exec(src);
        return m ? m.index + (m[0][0] === "\n" ? 1 : 0) : undefined;
      },
      tokenizer(src) {
        const m =
          /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src) ??
          /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/.exec(src);
        if (m) return { type: "mathBlock", raw: m[0], text: m[1].trim() };
        return undefined;
      },
      renderer(t) {
        return `<pre class="nb-math"><code class="nb-math">${escapeHtml(String(t.text))}\n</code></pre>\n`;
      },
    },
    {
      name: "mathInline",
      level: "inline",
      start(src) {
        const i = src.search(/\\\(|\$\$/);
        return i < 0 ? undefined : i;
      },
      tokenizer(src) {
        const m = /^\\\(([\s\S]+?)\\\)/.exec(src) ?? /^\$\$([^$\n]+?)\$\$/.exec(src);
        if (m) return { type: "mathInline", raw: m[0], text: m[1].trim() };
        return undefined;
      },
      renderer(t) {
        return `<code class="nb-math">${escapeHtml(String(t.text))}</code>`;
      },
    },
  ],
});

/** @typedef {Record<string, {href: string | null, title: string | null}>} Links */

/** Quote markers beyond depth 16 are text (＞): marked recurses per level, and overflows. */
const DEEP_QUOTE = /^((?:[ \t]{0,3}>){16})((?:[ \t]*>)+)/gm;

/**
 * A new lexer knowing the reference definitions found before its text (`links`): a `[foo]`
 * in the live block resolves against a definition that is already frozen.
 * @param {string} src
 * @param {Links} [links]
 */
function lexer(src, links) {
  const lx = new Lexer(md.defaults);
  if (links) Object.assign(lx.tokens.links, links);
  // A look-alike of the same length keeps raw lengths equal to the source's.
  return {
    lx,
    src: src.replace(DEEP_QUOTE, (_, kept, more) => kept + more.replace(/>/g, "\uFF1E")),
  };
}

/**
 * Markdown that marked cannot lex (a stack overflow) shows as one paragraph of text.
 * @param {string} src
 * @returns {Tok[] & {links: Links}}
 */
function asText(src) {
  const text = { type: "text", raw: src, text: escapeHtml(src), escaped: true };
  const toks = [{ type: "paragraph", raw: src, text: src, tokens: [text] }];
  return Object.assign(toks, { links: {} });
}

/**
 * Lex `src` (blocks and inline).
 * @param {string} src
 * @param {Links} [links]
 * @returns {Tok[] & {links: Links}}
 */
export function lex(src, links) {
  const { lx, src: safe } = lexer(src, links);
  try {
    return /** @type {any} */ (lx.lex(safe));
  } catch (e) {
    if (e instanceof RangeError) return asText(src);
    throw e;
  }
}

/**
 * Lex the block structure of `src` only: raw text, types and definitions, no inline parse.
 * @param {string} src
 * @param {Links} [links]
 * @returns {Tok[] & {links: Links}}
 */
function lexBlocks(src, links) {
  const { lx, src: safe } = lexer(src, links);
  try {
    lx.blockTokens(safe, lx.tokens);
    return /** @type {any} */ (lx.tokens);
  } catch (e) {
    if (e instanceof RangeError) return asText(src);
    throw e;
  }
}

/**
 * Render tokens (frozen blocks) to a sanitized fragment with highlighted code and copy buttons.
 * @param {Tok[]} toks
 */
function renderFrozen(toks) {
  highlightOn = true;
  let html;
  try {
    html = md.parser(/** @type {any} */ (toks));
  } finally {
    highlightOn = false;
  }
  const frag = purify(html);
  decorate(frag);
  return frag;
}

/**
 * Wrap each code block in a box with a copy button (our own UI, added after sanitizing).
 * @param {DocumentFragment | Element} root
 */
function decorate(root) {
  for (const pre of root.querySelectorAll("pre")) {
    const box = document.createElement("div");
    box.className = "nba-code";
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "nba-copy";
    btn.textContent = "Copy";
    btn.title = "Copy code";
    pre.replaceWith(box);
    box.append(pre, btn);
  }
}

/**
 * Copy the code of a copy button's block; shows "Copied" for a moment.
 * @param {HTMLButtonElement} btn
 */
export async function copyCode(btn) {
  const code = btn.parentElement?.querySelector("pre")?.textContent ?? "";
  try {
    await navigator.clipboard.writeText(code.replace(/\n$/, ""));
    btn.textContent = "Copied";
    btn.classList.add("nba-copied");
  } catch {
    btn.textContent = "Copy failed";
  }
  setTimeout(() => {
    btn.textContent = "Copy";
    btn.classList.remove("nba-copied");
  }, 1500);
}

/**
 * Make `el`'s children equal to `frag`'s (both sanitized output), keeping every node that is
 * already equal: the live block changes at its end, so the nodes before stay, and with them
 * their style, layout and paint. Only nodes of `frag` are ever inserted.
 * @param {Element} el
 * @param {DocumentFragment | Element} frag
 */
export function morph(el, frag) {
  let cur = el.firstChild;
  for (const n of [...frag.childNodes]) {
    if (cur === null) {
      el.append(n);
      continue;
    }
    const next = cur.nextSibling;
    if (cur.isEqualNode(n)) {
      // already there
    } else if (cur.nodeType === Node.TEXT_NODE && n.nodeType === Node.TEXT_NODE) {
      /** @type {Text} */ (cur).data = /** @type {Text} */ (n).data;
    } else if (cur instanceof Element && n instanceof Element && sameShell(cur, n)) {
      morph(cur, n);
    } else {
      cur.replaceWith(n);
    }
    cur = next;
  }
  while (cur !== null) {
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
}

/** Same tag and attributes: only the children may differ. @param {Element} a @param {Element} b */
function sameShell(a, b) {
  if (a.tagName !== b.tagName || a.attributes.length !== b.attributes.length) return false;
  for (const attr of a.attributes) if (b.getAttribute(attr.name) !== attr.value) return false;
  return true;
}

const CHUNK = 32;
/** A live render slower than this parses a shorter window from then on (a frame is 16 ms). */
const LIVE_BUDGET_MS = 8;
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
    hideRefs = !this.final;
    hidRefs = false;
    try {
      this.render();
    } finally {
      if (hidRefs) this.hidRefs = true;
      hideRefs = false;
    }
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
    const done = this.tail.slice(0, consumed);
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
    const frozen = consumed ? lex(done, this.links).filter((t) => t.type !== "space") : [];
    const defs = newDefinitions(frozen, this.links);
    // Definitions still in the live block (maybe half-typed): shown early, once per label.
    const early = Object.keys(toks.links).filter(
      (tag) => !(tag in this.links) && !this.shown.has(tag),
    );
    for (const tag of early) this.shown.add(tag);
    const used = (/** @type {string[]} */ tags) =>
      referencedBefore(this.src.slice(0, frozenBefore), tags);
    if (used(defs.map((d) => d.tag)) || used(early)) {
      this.renderWhole(this.src.slice(0, this.frozenEnd), toks.links);
    } else {
      for (const d of defs) this.links[d.tag] ??= { href: d.href, title: d.title };
      this.appendFrozen(frozen);
    }
    this.renderLive(toks.links);
  }

  /**
   * Render the live block (healed). Its cost is bounded: when a render takes longer than
   * LIVE_BUDGET_MS (a long paragraph dense with `_`, deep quotes), only its last `window`
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
    }
    const healed = healLive(src);
    const frag = purify(md.parser(/** @type {any} */ (lex(healed.text, links))));
    if (healed.math) placeOpenMath(frag, healed.math);
    if (head) {
      const p = document.createElement("p");
      p.className = "nba-pending";
      p.textContent = head;
      frag.prepend(p);
    }
    morph(this.liveEl, frag);
    if (performance.now() - t0 > LIVE_BUDGET_MS) {
      this.window = Math.max(MIN_WINDOW, Math.floor(Math.min(this.window, src.length) / 2));
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
