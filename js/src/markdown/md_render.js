// Markdown rendering: marked's configuration, sanitizing (rendering.md §4), code blocks.
// Model HTML is shown as text, images become links, TeX becomes math placeholders once the
// math syntax is here (math.js mathSlots; typeset by the math chunk after sanitizing). The
// streaming side (freezing, healing) is in streaming.js, which builds on this module;
// markdown.js is what the views import of both.
// Twin: nbagent/transcript/export/renderer.py

import { Lexer, Marked } from "marked";
import { escapeHtml } from "../base/escape.js";
import { h } from "../base/format.js";
import { boxTable, highlightCode } from "../base/highlight_slot.js";
import { PURIFY, purify } from "../base/purify.js";
import { LEX_BUDGET_MS, lexBudget, TooCostly } from "./lex_budget.js";
import { mathSlots } from "./math.js";

/** In the HTML of a block with a math placeholder (math_syntax.js). */
export const MATH_MARK = 'class="nb-math';

/** @typedef {{type: string, raw: string, text?: string}} Tok */

/**
 * What one render of tokens is told and tells (marked hands it to our renderer as
 * `this.options.nba`, see `parse`): `hideRefs`, show unresolved full references as their
 * text (while streaming), and `hidRefs`, whether one was; `inLink`, the inline tokens being
 * rendered are in a link (links and images in it become text); `math`, the typesetter of the
 * formulas (none: they stay TeX).
 * @typedef {{hideRefs: boolean, hidRefs: boolean, inLink: boolean,
 *   math: Typesetter | null}} RenderContext
 * @typedef {import("./math.js").Typesetter} Typesetter
 */

/**
 * A render's context (`RenderContext`).
 * @param {boolean} [hideRefs] unresolved full references show as their text
 * @param {Typesetter | null} [math]
 * @returns {RenderContext}
 */
export const renderContext = (hideRefs = false, math = null) => ({
  hideRefs,
  hidRefs: false,
  inLink: false,
  math,
});

/** @param {{options: object}} renderer marked's, in one of our renderer's methods */
const contextOf = (renderer) => /** @type {{nba: RenderContext}} */ (renderer.options).nba;

const FULL_REF = /\[([^[\]\n]+)\]\[[^[\]\n]*\]/g;

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

const budget = lexBudget();

/** Tests: emphasis scans allowed per character of inline text (Infinity: unmetered). */
export const setEmphasisScans = budget.setScans;
/** Tests: the characters the emphasis scans of the last inline text read, and their limit. */
export const emphasisMeter = budget.meter;

/**
 * A run of `_` between two letters or digits (`snake_case`): it can neither open nor close
 * emphasis (CommonMark §6.2; marked agrees), yet marked counts it as a possible closer, and
 * then scans the paragraph from every `_` that opens up to it: `_a_b ` repeated is quadratic
 * (8 KB: 280 ms). Hidden in marked's masked copy of the text (which only its emphasis rules
 * read), each opener with no closer after it is text at once. (A run that can open must stay:
 * marked counts the openers nested before a closer.)
 */
const INTRAWORD_UNDERSCORES = /(?<=[\p{L}\p{N}])_+(?=[\p{L}\p{N}])/gu;

const md = new Marked({
  gfm: true,
  renderer: {
    html({ text, block }) {
      return block ? `<p>${escapeHtml(trimNewlines(text))}</p>\n` : escapeHtml(text);
    },
    link({ href, title, tokens }) {
      // An image in a link (a README badge) becomes its text inside the link: no nested anchors.
      const ctx = contextOf(this);
      const outer = ctx.inLink;
      ctx.inLink = true;
      let text;
      try {
        text = this.parser.parseInline(tokens);
      } finally {
        ctx.inLink = outer;
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
      const ctx = contextOf(this);
      if (ctx.hideRefs && !("tokens" in token && token.tokens) && token.text.includes("][")) {
        const text = token.text.replace(FULL_REF, "$1");
        if (text !== token.text) {
          ctx.hidRefs = true;
          token.text = text;
        }
      }
      return false;
    },
    image({ href, text }) {
      const label = escapeHtml(`[image: ${text || href}]`);
      const url = cleanUrl(href);
      if (contextOf(this).inLink || url === null || !LINK_RULE.test(url))
        return `<span class="nba-image">${label}</span>`;
      return `<a href="${escapeHtml(url)}" class="nba-image">${label}</a>`;
    },
    code({ text, lang }) {
      const name = (lang ?? "").match(/^\S*/)?.[0] ?? "";
      const code = text.replace(/\n$/, "");
      // Highlighted in place once the block is frozen (decorate): an open fence stays plain.
      const body = escapeHtml(code);
      // Entity references in an info string stand for their character (CommonMark §4.5).
      const cls = name
        ? ` class="language-${escapeHtml(name).replace(/&amp;(#?\w+;)/g, "&$1")}"`
        : "";
      // An empty fence is an empty block, not one blank line.
      return `<pre><code${cls}>${body}${code ? "\n" : ""}</code></pre>\n`;
    },
  },
  extensions: [...budget.extensions, ...mathSlots()],
  hooks: {
    emStrongMask: (masked) =>
      masked.replace(INTRAWORD_UNDERSCORES, (run) => "a".repeat(run.length)),
  },
});

/**
 * `s` without its trailing newlines (a pattern `\n+$` is tried from every newline: quadratic).
 * @param {string} s
 */
function trimNewlines(s) {
  let end = s.length;
  while (s[end - 1] === "\n") end--;
  return s.slice(0, end);
}

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
 * Markdown that marked cannot lex (a stack overflow) or not in time shows as text.
 * @param {string} src
 */
const plainText = (src) => ({ type: "text", raw: src, text: escapeHtml(src), escaped: true });

/**
 * One paragraph of text (`plain`: the markdown was not lexed).
 * @param {string} src
 * @returns {Tok[] & {links: Links, plain?: boolean}}
 */
function asText(src) {
  const toks = [{ type: "paragraph", raw: src, text: src, tokens: [plainText(src)] }];
  return Object.assign(toks, { links: {}, plain: true });
}

/** @param {unknown} e */
const unlexable = (e) => e instanceof RangeError || e instanceof TooCostly;

/**
 * Lex `src` (blocks and inline), as marked's `lex` does, within `budgetMs` for the block
 * structure and again for each block's inline text; `blocks`: the block structure only (raw
 * text, types and definitions, no inline parse).
 * @param {string} src
 * @param {Links} [links]
 * @param {number} [budgetMs]
 * @param {boolean} [blocks]
 * @returns {Tok[] & {links: Links, plain?: boolean}}
 */
export function lex(src, links, budgetMs = LEX_BUDGET_MS, blocks = false) {
  const { lx, src: safe } = lexer(src, links);
  try {
    budget.start(lx, budgetMs);
    lx.blockTokens(safe.replace(/\r\n?/g, "\n"), lx.tokens);
    if (blocks) return /** @type {any} */ (lx.tokens);
    for (const item of lx.inlineQueue) {
      budget.start(lx, budgetMs);
      budget.meterScans(lx, item.src);
      lx.state.inRawBlock = false;
      try {
        lx.inlineTokens(item.src, item.tokens);
      } catch (e) {
        if (!unlexable(e)) throw e;
        item.tokens.splice(0, item.tokens.length, plainText(item.src));
      }
    }
    lx.inlineQueue = [];
    return /** @type {any} */ (lx.tokens);
  } catch (e) {
    if (unlexable(e)) return asText(src);
    throw e;
  }
}

/**
 * Render tokens to HTML (not sanitized) in `ctx`.
 * @param {Tok[]} toks
 * @param {RenderContext} ctx
 * @returns {string}
 */
const parse = (toks, ctx) =>
  md.parser(/** @type {any} */ (toks), /** @type {any} */ ({ ...md.defaults, nba: ctx }));

/**
 * Render tokens (frozen blocks) to a sanitized fragment with highlighted code and copy buttons.
 * @param {Tok[]} toks
 * @param {RenderContext} [ctx]
 */
export function renderFrozen(toks, ctx = renderContext()) {
  const html = parse(toks, ctx);
  const frag = purify(html);
  // Looked up only where the HTML has them: querySelectorAll on DOMPurify's fragments gets
  // slower with every call in jsdom (the spec tests), and most blocks have neither.
  if (/<pre|<table/.test(html)) decorate(frag);
  if (html.includes(MATH_MARK)) ctx.math?.typeset(frag);
  return frag;
}

/**
 * Wrap each code block in a box with a copy button and highlight its code, and give each table
 * its box with TSV and markdown copy buttons (the highlight chunk's, highlight_slot.js): our
 * own UI, added after sanitizing.
 * @param {DocumentFragment | Element} root
 */
function decorate(root) {
  for (const table of root.querySelectorAll("table")) boxTable(table);
  for (const pre of root.querySelectorAll("pre")) {
    const code = pre.firstElementChild;
    if (code?.localName === "code") highlightCode(/** @type {HTMLElement} */ (code));
    const box = h("div", "nba-code");
    const btn = Object.assign(h("button"), {
      type: "button",
      className: "nba-copy",
      textContent: "Copy",
      title: "Copy code",
    });
    pre.replaceWith(box);
    box.append(pre, btn);
  }
}

/**
 * Render tokens to HTML (not sanitized).
 * @param {Tok[]} toks
 * @param {RenderContext} [ctx]
 * @returns {string}
 */
export const parseTokens = (toks, ctx = renderContext()) => parse(toks, ctx);
