// Twins on one fixture: the JS live view draws each case of tests/fixtures/twins/*.json to the
// visible text its Python static twin draws (tests/test_twins.py reads the same cases, the
// static copy's HTML through tests/twin_text.py, by the same rules as `read` here). A saved
// case is drawn as a notebook reopened without a kernel draws it (view/saved.js), a `live` one
// by the widget from its snapshot. `TWINS_DUMP=1` prints what each case reads.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test, vi } from "vitest";
import { newTypesetter } from "../src/markdown/math.js";
import mathChunk from "../src/markdown/math_chunk.js";
import { newPage } from "../src/markdown/page.js";
import evaluation from "../src/widget/evaluation/index.js";
import inspector from "../src/widget/inspector/index.js";
import { FakeModel } from "./fake-model.js";
import { mountPayload, mountView, undoneAfterEach } from "./mount.js";

const TWINS = join(dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/twins");
/** @type {[string, any][]} */
const FIXTURES = readdirSync(TWINS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(TWINS, f), "utf8"))]);

/** Elements whose text runs on with the text around them (tests/twin_text.py INLINE). */
const INLINE = new Set(
  "A ABBR B CODE DEL EM I INS KBD MARK Q S SAMP SMALL STRONG SUB SUP U VAR".split(" "),
);
/** Elements whose text no reader sees as text (tests/twin_text.py SKIPPED). */
const SKIPPED = new Set([
  "STYLE",
  "SCRIPT",
  "BUTTON",
  "SVG",
  "TEMPLATE",
  "TEXTAREA",
  "INPUT",
  "ANNOTATION",
]);

/** @param {Element} el */
const hidden = (el) => el.hasAttribute("hidden") || el.getAttribute("aria-hidden") === "true";

/** @param {Element} el */
const shown = (el) => !SKIPPED.has(el.tagName.toUpperCase()) && !hidden(el);

/**
 * Whitespace collapsed, characters that draw nothing (format characters) left out.
 * @param {string} s
 */
const collapse = (s) =>
  s
    .replace(/\p{Cf}/gu, "")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");

/**
 * The text a reader sees in `el`: its elements apart (the widget lays its spans out apart, by
 * its CSS) but INLINE ones and what a <pre> holds, whitespace collapsed.
 * @param {Element} el
 */
function visibleText(el) {
  /** @type {string[]} */
  const out = [];
  /** @param {Node} node @param {boolean} pre */
  const walk = (node, pre) => {
    for (const c of node.childNodes) {
      if (c.nodeType === Node.TEXT_NODE) out.push(/** @type {Text} */ (c).data);
      else if (c.nodeType === Node.ELEMENT_NODE && shown(/** @type {Element} */ (c))) {
        const tag = /** @type {Element} */ (c).tagName.toUpperCase();
        const apart = pre || INLINE.has(tag) ? "" : " ";
        out.push(apart);
        walk(c, pre || tag === "PRE");
        out.push(apart);
      }
    }
  };
  walk(el, el.tagName.toUpperCase() === "PRE");
  return collapse(out.join(""));
}

/**
 * What `selector` (`…@name`: an attribute) reads under `root`: one text per element shown.
 * @param {Element} root @param {string} selector
 */
function read(root, selector) {
  const [sel, attr] = selector.split("@");
  /** @type {string[]} */
  const found = [];
  for (const el of root.querySelectorAll(sel)) {
    let up = el.parentElement;
    while (up && up !== root && shown(up)) up = up.parentElement;
    if ((up && up !== root) || hidden(el)) continue;
    found.push(attr ? collapse(el.getAttribute(attr) ?? "") : visibleText(el));
  }
  return found;
}

const cleanups = undoneAfterEach();

/** @param {any} fixture @param {any} state */
const stateOf = (fixture, state) => ({ ...(fixture.base ?? {}), ...(state ?? {}) });

/** A page whose formulas are typeset at once (the math chunk here, no time budget). */
function typesetting() {
  const math = newTypesetter();
  math.use(mathChunk);
  math.setBudget(Number.POSITIVE_INFINITY);
  return newPage(math);
}

/**
 * The JS live view of `c`, drawn into an element of the page.
 * @param {any} fixture @param {any} c
 * @returns {Promise<HTMLElement>}
 */
async function draw(fixture, c) {
  if (fixture.view === "run" && c.live) {
    const w = mountView(cleanups);
    w.snapshot(stateOf(fixture, c.state));
    return w.el;
  }
  if (fixture.view === "run") {
    const runs = [{ title: null, prompt: null, state: stateOf(fixture, c.state) }];
    const payload = { version: 1, layout: "single", model_id: "m", runs };
    return mountPayload(cleanups, payload, fixture.math ? typesetting() : undefined);
  }
  if (fixture.view === "runs") {
    const runs = c.runs.map((/** @type {any} */ r) => ({
      title: r.title ?? null,
      prompt: r.prompt ?? null,
      state: stateOf(fixture, r.state),
    }));
    return mountPayload(cleanups, {
      version: 1,
      layout: c.layout,
      model_id: "m",
      title: c.title ?? null,
      runs,
    });
  }
  const el = document.createElement("div");
  document.body.append(el);
  cleanups.push(() => el.remove());
  if (fixture.view === "evaluation") {
    const model = new FakeModel({
      title: "",
      columns: c.scores,
      baseline: "",
      page_actions: false,
      snapshot: { seq: 1, header: { status: "completed" }, rows: c.rows },
      transcripts: [],
      opened: {},
    });
    cleanups.push(evaluation.render({ model: /** @type {any} */ (model), el }));
    // Its rows come with a later frame: wait for them (a budget for a loaded machine).
    const rows = () => el.querySelectorAll(".nba-ev-case").length;
    await vi.waitFor(() => expect(rows(), "rows drawn").toBe(c.rows.length), { timeout: 30_000 });
    return el;
  }
  if (fixture.view === "inspector") {
    const traits = { server: c.server, catalog: c.catalog, pending: [], calls: "" };
    const model = new FakeModel({ ...traits, page_actions: false });
    cleanups.push(inspector.render({ model: /** @type {any} */ (model), el }));
    /** @type {HTMLElement | null} */ (el.querySelector(`[data-tab="${c.tab}"]`))?.click();
    return el;
  }
  throw new Error(`a view the twins do not know: ${fixture.view}`);
}

/** @param {string | Record<string, string>} sel @returns {string} */
const selector = (sel) => (typeof sel === "string" ? sel : sel.js);

/**
 * What a part reads and what its case says, for this side (the same for both, or its own):
 * one text (the elements found, one after the other) or one per element.
 * @param {string[]} got @param {any} want
 */
function shownAs(got, want) {
  const mine = typeof want === "object" && want !== null && !Array.isArray(want) ? want.js : want;
  return typeof mine === "string" ? [got.filter(Boolean).join(" "), mine] : [got, mine];
}

describe.each(FIXTURES)("%s", (name, fixture) => {
  test.each(fixture.cases.map((/** @type {any} */ c) => [c.name, c]))("%s", async (_, c) => {
    const el = await draw(fixture, c);
    /** @type {Record<string, string[]>} */
    const got = {};
    for (const [part, sel] of Object.entries(fixture.parts)) got[part] = read(el, selector(sel));
    if (process.env.TWINS_DUMP)
      console.log(JSON.stringify({ fixture: name, case: c.name, text: got }));
    for (const [part, want] of Object.entries(c.text)) {
      const [text, says] = shownAs(got[part], want);
      expect(text, part).toEqual(says);
    }
  });
});
