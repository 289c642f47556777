// The lexing budget of the markdown renderer (md_render.js): a deadline per lex, checked
// between marked's steps, and emphasis scans metered per block's inline text, so that no text
// costs more than its budget to lex (past it, it shows as plain text).

/**
 * marked is super-linear on some texts: its setext-heading pattern rescans the lines after
 * each block, its emphasis and tag rules rescan a paragraph per delimiter (64 KB of `_a_b`
 * took ~14 s). So lexing has a deadline, checked from extension hooks that marked calls
 * between its steps, and a text that runs past it shows as plain text: a block's inline text
 * alone, or the whole source when its block structure is too costly.
 */
export class TooCostly extends Error {}

/** A text's lexing budget (ms) for the frozen and whole renders; the live block's is smaller. */
export const LEX_BUDGET_MS = 250;

/**
 * The lexer steps taken before the deadline is looked at: a page that stalls (a collection, a
 * busy CPU) past the budget in the middle of a short text would otherwise show it as plain
 * text, and a frozen block stays so. Each step costs at most a scan of the text (the emphasis
 * scans are metered below), so these steps stay linear in it.
 */
const STEPS_BEFORE_CLOCK = 32;

/**
 * marked looks for the closer of each emphasis opener by scanning the rest of the inline text
 * (its masked copy, with `emStrongRDelimAst`, `emStrongRDelimUnd`, `delRDelim`): openers
 * that find no closer make that quadratic (8 KB of `**_a `: 190 ms; of prose with `*args`
 * and `*one*`: 28 ms). So those scans are metered, in characters, per block's inline text:
 * past EMPHASIS_SCANS times its length and SCAN_ALLOWANCE, a scan finds no closer, and the
 * openers left are text. A scan stops at its closer: emphasis that closes costs its length.
 */
const EMPHASIS_SCANS = 16;
const SCAN_ALLOWANCE = 32_768;
const SCANS = ["emStrongRDelimAst", "emStrongRDelimUnd", "delRDelim"];

export function lexBudget() {
  /** @type {WeakMap<object, {at: number, steps: number}>} */
  const deadlines = new WeakMap();
  let meter = { spent: 0, limit: 0 };
  let scans = EMPHASIS_SCANS;
  class Metered extends RegExp {
    /** @param {string} s */
    exec(s) {
      // biome-ignore lint/complexity/noUselessThisAlias: tsc takes this.lastIndex in a RegExp subclass for a field used before it is set (TS2565)
      const re = /** @type {RegExp} */ (this);
      if (meter.spent > meter.limit) {
        re.lastIndex = 0;
        return null;
      }
      const from = re.lastIndex;
      const found = super.exec(s);
      meter.spent += (found ? re.lastIndex : s.length) - from;
      return found;
    }
  }
  /** marked's inline rules, and the same with the scans metered. @type {WeakMap<object, object>} */
  const metered = new WeakMap();
  /** @this {{lexer: object}} */
  function check() {
    const d = deadlines.get(this.lexer);
    if (d !== undefined && ++d.steps > STEPS_BEFORE_CLOCK && performance.now() > d.at)
      throw new TooCostly();
    return undefined;
  }
  return {
    /** @type {import("marked").TokenizerExtension[]} */
    extensions: [
      { name: "nbagentBudgetBlock", level: "block", tokenizer: check },
      { name: "nbagentBudgetInline", level: "inline", tokenizer: check },
    ],
    /** @param {object} lexer @param {number} ms */
    start(lexer, ms) {
      deadlines.set(lexer, { at: performance.now() + ms, steps: 0 });
    },
    /**
     * Meter the emphasis scans of `lexer` on `text`, a block's inline text, from now on.
     * @param {object} lexer @param {string} text
     */
    meterScans(lexer, text) {
      /** @type {{inline: Record<string, unknown>}} */
      const rules = /** @type {any} */ (lexer).tokenizer.rules;
      let table = metered.get(rules.inline);
      if (!table) {
        /** @type {Record<string, unknown>} */
        const copy = { ...rules.inline };
        for (const name of SCANS) copy[name] = new Metered(/** @type {RegExp} */ (copy[name]));
        metered.set(rules.inline, copy).set(copy, copy);
        table = copy;
      }
      rules.inline = /** @type {Record<string, unknown>} */ (table);
      meter = { spent: 0, limit: scans * text.length + SCAN_ALLOWANCE };
    },
    /** @param {number} n times its length a block's inline text may be scanned (tests) */
    setScans(n) {
      scans = n;
    },
    /** What the scans read and may read since the last `meterScans` (tests). */
    meter: () => ({ ...meter }),
  };
}
