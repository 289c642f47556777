// The evaluation widget's view (js/src/widget/evaluation/): the header from a snapshot, the change
// feed (rows in place, appended output, a gap asking for a snapshot), sorting, the filters,
// the virtualized table, ratings and comments, Stop and Re-run (and their absence for a
// served app's viewers), opening a row into the case's run view (the loader stubbed), and the
// kernel's text kept as text.
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import * as caseCode from "../src/widget/evaluation/detail.js";
import evaluation, { evaluationView } from "../src/widget/evaluation/index.js";
import { FakeModel, runningState } from "./fake-model.js";

// An opened case's code (the case chunk the kernel sends to the code model): its module here,
// given to each view (`caseCode`).

/** What the stubbed loader was asked to render: the model, the element, the cleanup. */
const { renders } = vi.hoisted(() => ({
  /** @type {{model: any, el: HTMLElement, cleanup: import("vitest").Mock}[]} */
  renders: [],
}));
vi.mock("../src/base/loader.js", () => ({
  default: {
    render: async (/** @type {{model: any, el: HTMLElement}} */ { model, el }) => {
      const cleanup = vi.fn();
      el.textContent = `run view of ${model.get("store_key") ?? model.id}`;
      renders.push({ model, el, cleanup });
      return cleanup;
    },
  },
}));
// The files of a vitest worker share its modules (vitest.config.mjs): the next has the loader.
afterAll(() => vi.doUnmock("../src/base/loader.js"));

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const el of [...document.body.children]) el.remove();
  renders.length = 0;
  vi.useRealTimers();
});

/** @param {number} i @param {Record<string, any>} [extra] */
function row(i, extra = {}) {
  return {
    i,
    name: null,
    input: `question ${i}`,
    expected: `expected ${i}`,
    output: `answer ${i}`,
    status: "completed",
    error: null,
    scores: { exact: i % 2 === 0, judge: (i % 7) / 10 },
    score_errors: {},
    deltas: {},
    changed: false,
    latency_s: 1 + i,
    ttft_s: 0.25,
    input_tokens: 10,
    output_tokens: 5,
    cost_usd: 0.001,
    tool_calls: 1,
    repeat: 0,
    rating: null,
    comment: "",
    ...extra,
  };
}

/** @param {Record<string, any>} [extra] */
function header(extra = {}) {
  return {
    status: "completed",
    total: 4,
    done: 4,
    running: 0,
    queued: 0,
    errors: 0,
    cancelled: 0,
    skipped: 0,
    elapsed_s: 80,
    eta_s: null,
    input_tokens: 12000,
    output_tokens: 345,
    cost_usd: 0.0123,
    means: { exact: 0.5, judge: 0.15 },
    changes: {},
    ...extra,
  };
}

/**
 * Render an evaluation; `rows` and `head` go in the snapshot at seq 1.
 * @param {{rows?: any[], head?: Record<string, any>, traits?: Record<string, any>}} [opts]
 */
function mount({ rows = [0, 1, 2, 3].map((i) => row(i)), head = {}, traits = {} } = {}) {
  const model = new FakeModel({
    title: "v2 prompt",
    columns: ["exact", "judge"],
    baseline: "",
    page_actions: true,
    snapshot: { seq: 1, header: header(head), rows },
    transcripts: [],
    opened: {},
    code: "IPY_MODEL_code1",
    ...traits,
  });
  const el = document.createElement("div");
  document.body.append(el);
  cleanups.push(evaluation.render({ model, el, caseCode }));
  return { model, el };
}

/** Let the view draw (a message two animation frames after it came, then its drawing) and
 * promises settle. */
const frame = () =>
  new Promise((r) =>
    requestAnimationFrame(() =>
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 40))),
    ),
  );

/** @param {HTMLElement} el @returns {HTMLElement[]} the row elements in the DOM, in order */
const rowEls = (el) => [...el.querySelectorAll(".nba-ev-case")].map((e) => /** @type {any} */ (e));

/** @param {HTMLElement} el the cases shown, in order */
const shown = (el) => rowEls(el).map((r) => Number(r.dataset.i));

/** @param {HTMLElement} el @param {number} i @param {string} cls a column's class */
function cell(el, i, cls) {
  const r = el.querySelector(`.nba-ev-case[data-i="${i}"]`);
  if (!r) throw new Error(`row ${i} is not in the DOM`);
  return /** @type {HTMLElement} */ (r.querySelector(`.nba-ev-c-${cls}`));
}

/** @param {HTMLElement} el @param {string} key */
function clickHead(el, key) {
  /** @type {HTMLElement} */ (el.querySelector(`[data-sort="${key}"]`)).click();
}

/** @param {HTMLElement} el @param {string} name */
function filter(el, name) {
  /** @type {HTMLElement} */ (el.querySelector(`[data-filter="${name}"]`)).click();
}

describe("the header", () => {
  test("counts, times, usage and means from a snapshot", async () => {
    const { el } = mount({
      head: {
        status: "running",
        total: 10,
        done: 4,
        errors: 1,
        running: 2,
        queued: 4,
        eta_s: 40,
        changes: { exact: { mean: 0.5, baseline: 0.45, change: 0.05 } },
      },
      traits: { baseline: "v1 prompt" },
    });
    await frame();
    expect(el.querySelector(".nba-ev-title")?.textContent).toContain("v2 prompt vs v1 prompt");
    const line = el.querySelector(".nba-ev-line")?.textContent;
    expect(line).toMatch(/^4\/10 · 2 running · 1 error · elapsed 1 m 2\d s · ETA 40 s/);
    expect(line).toContain("12,345 tokens · $0.012");
    const means = [...el.querySelectorAll(".nba-ev-mean")].map((m) => m.textContent);
    expect(means).toEqual(["exact 0.5 (+0.05)", "judge 0.15"]);
    expect(el.querySelector(".nba-ev-mean .nba-ev-delta")?.classList).toContain("nba-ev-up");
    const seg = (/** @type {string} */ k) =>
      /** @type {HTMLElement} */ (el.querySelector(`.nba-ev-seg-${k}`));
    expect(seg("ok").style.width).toBe("30%");
    expect(seg("error").style.width).toBe("10%");
    expect(seg("running").title).toBe("2 running");
    expect(seg("queued").style.width).toBe("40%");
    expect(el.querySelector(".nba-ev-stop")).not.toBeNull();
  });

  test("the elapsed time ticks while running, and stops with the view", () => {
    vi.useFakeTimers();
    const model = new FakeModel({
      columns: [],
      snapshot: { seq: 1, header: header({ status: "running", elapsed_s: 10 }), rows: [] },
    });
    const el = document.createElement("div");
    const cleanup = evaluationView(model, el, { caseCode });
    const line = () => el.querySelector(".nba-ev-line")?.textContent;
    expect(line()).toContain("elapsed 10 s");
    vi.advanceTimersByTime(3000);
    expect(line()).toContain("elapsed 13 s");
    cleanup();
    expect(vi.getTimerCount()).toBe(0);
    expect(model.listenerCount()).toBe(0);
  });

  test("a view closed before it drew a message starts nothing after", async () => {
    const { model } = mount({ head: { status: "completed" } });
    const ticks = vi.spyOn(globalThis, "setInterval");
    model.msg({ type: "rows", seq: 2, rows: [], append: [], header: { status: "running" } });
    for (const cleanup of cleanups.splice(0)) cleanup();
    await frame();
    expect(ticks.mock.calls.filter((call) => call[1] === 1000)).toEqual([]); // the header's clock
    ticks.mockRestore();
  });

  test("a message redraws only what changed: the means and Stop stay as they are", async () => {
    const { el, model } = mount({ head: { status: "running", done: 2 } });
    await frame();
    const title = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-title"));
    const stop = title.querySelector(".nba-ev-stop");
    const means = [...el.querySelectorAll(".nba-ev-mean")];
    /** @type {MutationRecord[]} */
    const seen = [];
    const watch = new MutationObserver((r) => seen.push(...r));
    watch.observe(title, { childList: true, subtree: true, characterData: true });
    watch.observe(/** @type {Node} */ (el.querySelector(".nba-ev-means")), { childList: true });
    const head = header({ status: "running", done: 3 });
    model.msg({ type: "rows", seq: 2, rows: [{ i: 0, output: "x" }], append: [], header: head });
    await frame();
    expect(seen.concat(watch.takeRecords())).toEqual([]);
    expect(title.querySelector(".nba-ev-stop")).toBe(stop);
    expect([...el.querySelectorAll(".nba-ev-mean")]).toEqual(means);
    expect(el.querySelector(".nba-ev-line")?.textContent).toMatch(/^3\/4/);
    // New means are drawn; the end of the run takes Stop away.
    const means2 = { exact: 0.75, judge: 0.15 };
    const done = header({ status: "completed", means: means2 });
    model.msg({ type: "rows", seq: 3, rows: [], append: [], header: done });
    await frame();
    watch.disconnect();
    expect(el.querySelector(".nba-ev-mean")?.textContent).toBe("exact 0.75");
    expect(el.querySelector(".nba-ev-stop")).toBeNull();
    expect(title.textContent).toContain("v2 prompt");
  });

  test("a cell lays out the start of a long answer: streaming past it writes nothing", async () => {
    const { el, model } = mount({ head: { status: "running" } });
    await frame();
    const cell = /** @type {HTMLElement} */ (
      el.querySelector(".nba-ev-case[data-i='0'] .nba-ev-c-output")
    );
    model.msg({ type: "rows", seq: 2, rows: [], append: [[0, " w".repeat(200)]], header: {} });
    await frame();
    const whole = `answer 0${" w".repeat(200)}`;
    expect(cell.textContent).toBe(whole.slice(0, 240));
    expect(cell.title).toBe(whole);
    const seen = new MutationObserver(() => {});
    seen.observe(cell, { childList: true, characterData: true, subtree: true });
    model.msg({ type: "rows", seq: 3, rows: [], append: [[0, " more"]], header: {} });
    await frame();
    expect(seen.takeRecords()).toEqual([]);
    expect(cell.title).toBe(`${whole} more`);
  });

  test("a message that moves no row places none again; one that does, does", async () => {
    const { el, model } = mount({ head: { status: "running" } });
    await frame();
    const first = rowEls(el)[0];
    first.style.top = "1px"; // where no layout of the table would put it
    model.msg({ type: "rows", seq: 2, rows: [{ i: 1, status: "error" }], append: [], header: {} });
    await frame();
    expect(first.style.top).toBe("1px");
    // Sorted by status, errors first: case 1 moves to the top, and case 3 after it next.
    /** @type {HTMLElement} */ (el.querySelector("[data-sort='status']")).click();
    await frame();
    expect(shown(el)).toEqual([1, 0, 2, 3]);
    model.msg({ type: "rows", seq: 3, rows: [{ i: 3, status: "error" }], append: [], header: {} });
    await frame();
    expect(shown(el)).toEqual([1, 3, 0, 2]);
    expect(rowEls(el).map((r) => r.style.top)).toEqual(["0px", "28px", "56px", "84px"]);
  });

  test("a message's header holds what changed: the rest stays", async () => {
    const { el, model } = mount({ head: { status: "running", done: 1, running: 3 } });
    model.msg({ type: "rows", seq: 2, rows: [], append: [], header: { done: 2, running: 2 } });
    await frame();
    const line = el.querySelector(".nba-ev-line")?.textContent;
    expect(line).toMatch(/^2\/4 · 2 running · elapsed 1 m 20 s/);
    expect(el.querySelector(".nba-ev-mean")?.textContent).toBe("exact 0.5");
    expect(el.querySelector(".nba-ev-stop")).not.toBeNull(); // still running
  });

  test("a finished evaluation: no Stop, a mean that went down", async () => {
    const { el } = mount({
      head: { changes: { judge: { mean: 0.15, baseline: 0.3, change: -0.15 } } },
    });
    await frame();
    expect(el.querySelector(".nba-ev-stop")).toBeNull();
    expect(el.querySelector(".nba-ev-line")?.textContent).toContain("completed");
    const delta = el.querySelector(".nba-ev-mean .nba-ev-delta");
    expect(delta?.textContent).toBe(" (-0.15)");
    expect(delta?.classList).toContain("nba-ev-down");
  });
});

describe("the change feed", () => {
  test("a rows message updates a row in place and appends its output", async () => {
    const { model, el } = mount();
    await frame();
    const before = rowEls(el)[1];
    model.msg({
      type: "rows",
      seq: 2,
      header: header({ status: "running", done: 3, running: 1 }),
      rows: [{ i: 1, status: "running", output: "Par" }],
      append: [[1, "is is"]],
    });
    model.msg({ type: "rows", seq: 3, rows: [], append: [[1, " the capital"]] });
    await frame();
    expect(rowEls(el)[1]).toBe(before);
    expect(cell(el, 1, "output").textContent).toBe("Paris is the capital");
    expect(cell(el, 1, "output").title).toBe("Paris is the capital");
    expect(cell(el, 1, "status").getAttribute("aria-label")).toBe("running");
    expect(el.querySelector(".nba-ev-line")?.textContent).toMatch(/^3\/4 · 1 running/);
    // An old message changes nothing.
    model.msg({ type: "rows", seq: 3, rows: [{ i: 1, output: "stale" }], append: [] });
    await frame();
    expect(cell(el, 1, "output").textContent).toBe("Paris is the capital");
    expect(rowEls(el)[1]).toBe(before);
  });

  test("a change sets the fields it has, null empties one; the streamed answer stays", async () => {
    const { model, el } = mount({
      rows: [row(0, { status: "running", output: "Par", error: "x" })],
    });
    await frame();
    model.msg({
      type: "rows",
      seq: 2,
      rows: [{ i: 0, status: "completed", error: null, latency_s: null }],
      append: [],
    });
    await frame();
    expect(cell(el, 0, "output").textContent).toBe("Par");
    expect(cell(el, 0, "status").getAttribute("aria-label")).toBe("completed");
    expect(cell(el, 0, "numbers").textContent).toBe("$0.0010\n15 tok"); // no latency
    model.msg({
      type: "rows",
      seq: 3,
      rows: [{ i: 0, status: "running", output: "" }],
      append: [],
    });
    await frame();
    expect(cell(el, 0, "output").textContent).toBe("");
  });

  test("a saved table without an answer reads it from the case's transcript", async () => {
    const saved = {
      blocks: [{ type: "text", text: "Rome" }, { type: "tool" }, { type: "text", text: "is" }],
    };
    const { el } = mount({
      rows: [
        { i: 0, status: "completed" },
        { i: 1, status: "completed", output: "42" },
      ],
      traits: { transcripts: [saved, { blocks: [] }] },
    });
    await frame();
    expect(cell(el, 0, "output").textContent).toBe("Rome is"); // a preview: one line
    expect(cell(el, 1, "output").textContent).toBe("42");
  });

  test("a gap in seq asks for a snapshot and applies nothing; the snapshot replaces all", async () => {
    const { model, el } = mount();
    await frame();
    model.msg({ type: "rows", seq: 5, rows: [{ i: 0, output: "skipped ahead" }], append: [] });
    expect(model.sent).toEqual([{ type: "sync" }]);
    await frame();
    expect(cell(el, 0, "output").textContent).toBe("answer 0");
    model.msg({ type: "rows", seq: 6, rows: [], append: [] });
    expect(model.sent).toEqual([{ type: "sync" }]); // already asked
    model.msg({ type: "snapshot", seq: 6, header: header(), rows: [row(0, { output: "fresh" })] });
    expect(cell(el, 0, "output").textContent).toBe("fresh");
    model.msg({ type: "rows", seq: 7, rows: [], append: [[0, "er"]] });
    await frame();
    expect(cell(el, 0, "output").textContent).toBe("fresher");
    await frame();
    expect(shown(el)).toEqual([0]);
  });

  test("rendered mid-run it asks for a snapshot, again with back-off, at most 6 times", () => {
    vi.useFakeTimers();
    const model = new FakeModel({
      columns: ["exact"],
      snapshot: { seq: 1, header: header({ status: "running" }), rows: [row(0)] },
    });
    const el = document.createElement("div");
    const cleanup = evaluationView(model, el, { retryMs: 100, caseCode });
    expect(model.sent).toEqual([{ type: "sync" }]);
    vi.advanceTimersByTime(100);
    expect(model.sent.length).toBe(2);
    vi.advanceTimersByTime(150);
    expect(model.sent.length).toBe(2); // the next one is 200 ms after the second
    vi.advanceTimersByTime(60_000);
    expect(model.sent.length).toBe(6);
    cleanup();
  });

  test("a snapshot stops the retries; a saved notebook's throwing send does not break", () => {
    vi.useFakeTimers();
    const model = new FakeModel({
      columns: ["exact"],
      snapshot: { seq: 1, header: header({ status: "running" }), rows: [row(0)] },
    });
    let tries = 0;
    model.send = () => {
      tries += 1;
      throw new Error("Cannot send");
    };
    const el = document.createElement("div");
    const cleanup = evaluationView(model, el, { retryMs: 100, caseCode });
    expect(tries).toBe(1);
    model.msg({ type: "snapshot", seq: 2, header: header(), rows: [row(0)] });
    vi.advanceTimersByTime(60_000);
    expect(tries).toBe(1);
    expect(el.querySelectorAll(".nba-ev-case").length).toBe(1);
    cleanup();
  });

  test("change:snapshot re-draws the table", async () => {
    const { model, el } = mount();
    await frame();
    model.set("snapshot", { seq: 9, header: header(), rows: [row(0), row(1, { output: "new" })] });
    await frame();
    expect(shown(el)).toEqual([0, 1]);
    expect(cell(el, 1, "output").textContent).toBe("new");
  });
});

describe("the table", () => {
  test("cells: ✓/✗, 3 significant digits, score errors, deltas, times, tokens, cost", async () => {
    const { el } = mount({
      rows: [
        row(0, {
          scores: { exact: true, judge: 0.123456 },
          deltas: { judge: 0.1, exact: 0 },
          latency_s: 1.234,
          input_tokens: 1234,
        }),
        row(1, {
          scores: { exact: false, judge: null },
          score_errors: { judge: "judge timed out" },
          deltas: { exact: -1 },
          status: "error",
          error: "it broke",
        }),
      ],
      traits: { baseline: "v1" },
    });
    await frame();
    // The columns: the number, the status, the scores, the texts, the numbers, the review.
    const heads = [...el.querySelectorAll(".nba-ev-thead [data-sort]")];
    expect(heads.map((h) => /** @type {HTMLElement} */ (h).dataset.sort)).toEqual([
      "#",
      "status",
      "score:exact",
      "score:judge",
      "input",
      "output",
      "latency_s",
      "rating",
      "comment",
    ]);
    expect(heads[1].textContent).toBe("");
    expect(heads[1].getAttribute("aria-label")).toBe("status");
    // The status: a dot, its word in the tooltip and for a screen reader.
    const status = cell(el, 1, "status");
    expect(status.textContent).toBe("");
    expect(status.querySelector(".nba-ev-dot")).not.toBeNull();
    expect(status.getAttribute("role")).toBe("img");
    expect(status.getAttribute("aria-label")).toBe("error");
    expect(status.title).toBe("error: it broke");
    expect(rowEls(el)[1].dataset.status).toBe("error");
    const [exact0, judge0] = /** @type {HTMLElement[]} */ ([
      ...rowEls(el)[0].querySelectorAll(".nba-ev-c-score"),
    ]);
    // No change against the baseline shows nothing (not "✓ 0.00").
    expect(exact0.textContent).toBe("✓");
    expect(exact0.title).toBe("✓");
    expect(judge0.textContent).toBe("0.123+0.10");
    expect(judge0.querySelector(".nba-ev-delta")?.classList).toContain("nba-ev-up");
    const [exact1, judge1] = /** @type {HTMLElement[]} */ ([
      ...rowEls(el)[1].querySelectorAll(".nba-ev-c-score"),
    ]);
    expect(exact1.textContent).toBe("✗-1.00");
    expect(judge1.textContent).toBe("error");
    expect(judge1.title).toBe("judge timed out");
    // The times, tokens and cost in one column; all of them, in words, in its tooltip.
    expect(cell(el, 0, "numbers").textContent).toBe("1.23 s · $0.0010\n1,239 tok");
    expect(cell(el, 0, "numbers").title).toBe(
      "latency 1.23 s · first token 0.25 s · tokens in/out 1,234/5 · cost $0.0010 · tool calls 1",
    );
    expect(cell(el, 0, "n").textContent).toBe("1");
  });

  test("sorting by a score and by latency: ascending, then descending, nulls last", async () => {
    const rows = [
      row(0, { scores: { judge: 0.5 }, latency_s: 3 }),
      row(1, { scores: { judge: null }, latency_s: null }),
      row(2, { scores: { judge: 0.9 }, latency_s: 1 }),
      row(3, { scores: { judge: 0.1 }, latency_s: 2 }),
    ];
    const { el } = mount({ rows });
    await frame();
    expect(shown(el)).toEqual([0, 1, 2, 3]);
    clickHead(el, "score:judge");
    await frame();
    expect(shown(el)).toEqual([3, 0, 2, 1]);
    expect(el.querySelector('[data-sort="score:judge"]')?.getAttribute("aria-sort")).toBe(
      "ascending",
    );
    clickHead(el, "score:judge");
    await frame();
    expect(shown(el)).toEqual([2, 0, 3, 1]);
    clickHead(el, "latency_s");
    await frame();
    expect(shown(el)).toEqual([2, 3, 0, 1]);
    clickHead(el, "latency_s");
    await frame();
    expect(shown(el)).toEqual([0, 3, 2, 1]);
  });

  test("each filter's rows, and its count as the kernel counts it", async () => {
    const rows = [
      row(0, { scores: { exact: true } }),
      row(1, { scores: { exact: false }, changed: true }),
      row(2, { status: "error", error: "boom", scores: {} }),
      row(3, { scores: { exact: true }, score_errors: { judge: "bad" }, changed: true }),
    ];
    const filters = { All: 4, Failures: 2, Errors: 2, Changed: 2 };
    const { el, model } = mount({ rows, head: { filters } });
    await frame();
    const labels = () => [...el.querySelectorAll(".nba-ev-filter")].map((b) => b.textContent);
    expect(labels()).toEqual(["All 4", "Failures 2", "Errors 2"]); // no baseline: no Changed
    filter(el, "Failures");
    await frame();
    expect(shown(el)).toEqual([1, 2]);
    filter(el, "Errors");
    await frame();
    expect(shown(el)).toEqual([2, 3]);
    model.set("baseline", "v1");
    await frame();
    expect(labels()).toEqual(["All 4", "Failures 2", "Errors 2", "Changed 2"]);
    filter(el, "Changed");
    await frame();
    expect(shown(el)).toEqual([1, 3]);
    const search = /** @type {HTMLInputElement} */ (el.querySelector(".nba-ev-search"));
    search.value = "QUESTION 3";
    search.dispatchEvent(new Event("input"));
    await frame();
    expect(shown(el)).toEqual([3]);
    filter(el, "All");
    await frame();
    expect(shown(el)).toEqual([3]);
    // Text streaming into a row brings it into the text filter.
    search.value = "zebra";
    search.dispatchEvent(new Event("input"));
    await frame();
    expect(shown(el)).toEqual([]);
    model.msg({ type: "rows", seq: 2, rows: [], append: [[2, " a zebra"]], header: {} });
    await frame();
    expect(shown(el)).toEqual([2]);
    // A case that fails joins Failures, with the kernel's new count.
    search.value = "";
    search.dispatchEvent(new Event("input"));
    filter(el, "Failures");
    const header = { filters: { ...filters, Failures: 3 } };
    model.msg({ type: "rows", seq: 3, rows: [{ i: 0, status: "error" }], append: [], header });
    await frame();
    expect(shown(el)).toEqual([0, 1, 2]);
    expect(labels()[1]).toBe("Failures 3");
  });

  test("a saved table without the filters' counts shows their names", async () => {
    const { el } = mount();
    await frame();
    const labels = [...el.querySelectorAll(".nba-ev-filter")].map((b) => b.textContent);
    expect(labels).toEqual(["All", "Failures", "Errors"]);
  });

  test("1,000 rows: a bounded number in the DOM, others after a scroll", async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => row(i));
    const { el, model } = mount({ rows });
    await frame();
    expect(rowEls(el).length).toBeGreaterThan(10);
    expect(rowEls(el).length).toBeLessThanOrEqual(60);
    expect(shown(el)[0]).toBe(0);
    // Each row at its offset in a box as tall as all the rows.
    const items = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-items"));
    expect(items.style.height).toBe("28000px");
    expect(rowEls(el).map((r) => r.style.top)).toEqual(shown(el).map((i) => `${i * 28}px`));
    const scroller = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-scroll"));
    const scrollTo = async (/** @type {number} */ top) => {
      Object.defineProperty(scroller, "scrollTop", { value: top, configurable: true });
      scroller.dispatchEvent(new Event("scroll"));
      await frame();
    };
    await scrollTo(500 * 28);
    expect(rowEls(el).length).toBeLessThanOrEqual(60);
    expect(shown(el)).toContain(500);
    expect(shown(el)).not.toContain(0);
    expect(rowEls(el)[0].style.top).toBe(`${shown(el)[0] * 28}px`);
    // A few rows further: the rows drawn beyond the view do, the DOM is left as it is.
    const before = new Set(rowEls(el));
    /** @type {Node[]} */
    const removed = [];
    /** @type {Node[]} */
    const added = [];
    const watch = new MutationObserver((records) => {
      for (const r of records) {
        removed.push(...r.removedNodes);
        added.push(...r.addedNodes);
      }
    });
    watch.observe(items, { childList: true, attributes: true, subtree: true });
    await scrollTo(502 * 28);
    expect(shown(el)).toContain(502 + 17);
    expect(watch.takeRecords()).toEqual([]);
    // Further: rows come and go, and the rows still in view stay where they are (none moved).
    await scrollTo(510 * 28);
    watch.disconnect();
    expect(shown(el)).toContain(510 + 17);
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.filter((n) => n.isConnected)).toEqual([]);
    const kept = rowEls(el).filter((r) => before.has(r));
    expect(kept.length).toBe(rowEls(el).length - removed.length);
    expect(added.length).toBe(removed.length);
    expect(kept.map((r) => r.style.top)).toEqual(kept.map((r) => `${Number(r.dataset.i) * 28}px`));
    // Streaming touches the rows in the DOM only, and rows out of view still take the data.
    model.msg({ type: "rows", seq: 2, rows: [{ i: 3, output: "off screen" }], append: [] });
    expect(el.textContent).not.toContain("off screen");
    Object.defineProperty(scroller, "scrollTop", { value: 0, configurable: true });
    scroller.dispatchEvent(new Event("scroll"));
    await frame();
    expect(cell(el, 3, "output").textContent).toBe("off screen");
  });
});

describe("ratings, comments, Stop and Re-run", () => {
  test("thumbs send rate; clicking the active one clears it", async () => {
    const { el, model } = mount({ rows: [row(0, { comment: "ok" })] });
    await frame();
    const up = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-up-vote"));
    const down = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-down-vote"));
    up.click();
    expect(model.sent.at(-1)).toEqual({ type: "rate", i: 0, up: true, comment: "ok" });
    expect(up.getAttribute("aria-pressed")).toBe("true");
    up.click();
    expect(model.sent.at(-1)).toEqual({ type: "rate", i: 0, up: null, comment: "ok" });
    down.click();
    expect(model.sent.at(-1)).toEqual({ type: "rate", i: 0, up: false, comment: "ok" });
    expect(down.getAttribute("aria-pressed")).toBe("true");
    expect(model.sent.some((m) => m.type === "open")).toBe(false); // buttons do not open rows
  });

  test("a comment: Enter or leaving the box sends rate with the rating", async () => {
    const { el, model } = mount({ rows: [row(0, { rating: true }), row(1)] });
    await frame();
    const edit = (/** @type {number} */ i) => {
      /** @type {HTMLElement} */ (cell(el, i, "comment").querySelector(".nba-ev-edit")).click();
      return /** @type {HTMLInputElement} */ (cell(el, i, "comment").querySelector("input"));
    };
    let box = edit(0);
    box.value = "good answer";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(model.sent.at(-1)).toEqual({ type: "rate", i: 0, up: true, comment: "good answer" });
    expect(cell(el, 0, "comment").textContent).toContain("good answer");
    box = edit(1);
    box.value = "wrong city";
    box.dispatchEvent(new Event("blur"));
    expect(model.sent.at(-1)).toEqual({ type: "rate", i: 1, up: null, comment: "wrong city" });
    const n = model.sent.length;
    box = edit(1);
    box.value = "dropped";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(model.sent.length).toBe(n);
    expect(cell(el, 1, "comment").textContent).toContain("wrong city");
  });

  test("Stop and Re-run case send; disabled while the case runs", async () => {
    const { el, model } = mount({
      head: { status: "running" },
      rows: [row(0), row(1, { status: "running" })],
    });
    await frame();
    /** @type {HTMLElement} */ (el.querySelector(".nba-ev-stop")).click();
    expect(model.sent.at(-1)).toEqual({ type: "stop" });
    cell(el, 0, "input").click();
    cell(el, 1, "input").click();
    await frame();
    const reruns = /** @type {HTMLButtonElement[]} */ ([...el.querySelectorAll(".nba-ev-rerun")]);
    // The last opened first: case 1, then case 0.
    expect(reruns.map((b) => b.disabled)).toEqual([true, false]);
    reruns[1].click();
    expect(model.sent.at(-1)).toEqual({ type: "rerun", i: 0 });
  });

  test("with page_actions false: no Stop, Re-run, rating or comment editing", async () => {
    const { el, model } = mount({
      head: { status: "running" },
      rows: [row(0, { rating: true, comment: "fine" })],
      traits: { page_actions: false },
    });
    await frame();
    expect(el.querySelector(".nba-ev-stop")).toBeNull();
    expect(el.querySelector(".nba-ev-rate")).toBeNull();
    expect(el.querySelector(".nba-ev-edit")).toBeNull();
    expect(cell(el, 0, "rating").textContent).toBe("👍");
    expect(cell(el, 0, "comment").textContent).toBe("fine");
    cell(el, 0, "input").click(); // viewers still open rows
    await frame();
    expect(el.querySelector(".nba-ev-detail")).not.toBeNull();
    expect(el.querySelector(".nba-ev-rerun")).toBeNull();
    clickHead(el, "latency_s"); // and sort
    expect(model.sent.filter((m) => m.type !== "open" && m.type !== "sync")).toEqual([]);
  });
});

describe("opening a row", () => {
  test("sends open once, shows the saved transcript, then the live run view", async () => {
    const state = runningState([], { status: "completed", run_id: "run-7" });
    const { el, model } = mount({
      rows: [
        row(0),
        row(1, {
          status: "error",
          error: "it broke",
          score_errors: { judge: "x" },
          deltas: { exact: -1 },
          metadata: '{"city": "Oslo"}',
        }),
      ],
      traits: { transcripts: [null, state] },
    });
    const live = { id: "live-1", get: () => undefined };
    const getModel = vi.fn(async () => live);
    /** @type {any} */ (model).widget_manager = { get_model: getModel };
    await frame();
    cell(el, 1, "input").click();
    await frame();
    expect(model.sent).toEqual([{ type: "open", i: 1 }]);
    const detail = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-detail"));
    // Below the table, not in its scroll box: the rows keep their offsets.
    expect(el.querySelector(".nba-ev-scroll")?.contains(detail)).toBe(false);
    expect(detail.parentElement?.className).toBe("nba-ev-cases");
    expect(rowEls(el).map((r) => r.style.top)).toEqual(["0px", "28px"]);
    // Its row's number; its error, input, expected answer, metadata, each scorer's value.
    expect(detail.querySelector(".nba-ev-case-head")?.textContent).toBe("#2 · error✕");
    expect(detail.textContent).toContain("it broke");
    expect(detail.textContent).toContain("question 1");
    expect(detail.textContent).toContain("expected 1");
    expect(detail.textContent).toContain("judge failed");
    const fields = [...detail.querySelectorAll(".nba-ev-field")].map((f) => f.textContent);
    expect(fields).toContain('Metadata{"city": "Oslo"}');
    expect(fields).toContain("exact✗ (-1.00 vs baseline)");
    expect(fields).toContain(
      "Times, tokens, costlatency 2.00 s · first token 0.25 s · tokens in/out 10/5 · cost $0.0010 · tool calls 1",
    );
    expect(renders.length).toBe(1);
    const saved = renders[0].model;
    expect(saved.get("snapshot")).toEqual({ seq: 1, state });
    expect(saved.get("page_actions")).toBe(false);
    // What the run widget reads as none when missing: no Re-run, thinking shown.
    expect(saved.get("can_rerun")).toBeFalsy();
    expect(saved.get("show_thinking")).not.toBe(false);
    expect(saved.get("code")).toBe("IPY_MODEL_code1");
    expect(saved.get("store_key")).toBe("nba-ev:run-7:1");
    expect(saved.widget_manager).toBe(model.widget_manager);
    expect(() => saved.send({ type: "sync" })).not.toThrow();
    expect(detail.querySelector(".nba-ev-run")?.textContent).toBe("run view of nba-ev:run-7:1");
    // The kernel answers: the live view replaces the saved one.
    model.set("opened", { 1: "IPY_MODEL_abc" });
    await frame();
    expect(getModel).toHaveBeenCalledWith("abc");
    expect(renders.length).toBe(2);
    expect(renders[1].model).toBe(live);
    expect(renders[0].cleanup).toHaveBeenCalled();
    expect(detail.querySelector(".nba-ev-run")?.textContent).toBe("run view of live-1");
    // Closing cleans up (here from the keyboard); opening again asks no more (opened has
    // it), and shows it live.
    expect(rowEls(el)[1].getAttribute("aria-expanded")).toBe("true");
    rowEls(el)[1].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await frame();
    expect(rowEls(el)[1].getAttribute("aria-expanded")).toBe("false");
    expect(renders[1].cleanup).toHaveBeenCalled();
    expect(el.querySelector(".nba-ev-detail")).toBeNull();
    cell(el, 1, "input").click();
    await frame();
    expect(model.sent).toEqual([{ type: "open", i: 1 }]);
    expect(renders.at(-1)?.model).toBe(live);
  });

  test("without its code at hand, a case waits for the code model's case chunk", async () => {
    vi.resetModules(); // the view's module afresh, and no case code given
    const fresh = (await import("../src/widget/evaluation/index.js")).default;
    const code = new FakeModel({ version: "v1", case: "" });
    const model = new FakeModel({
      title: "t",
      columns: [],
      baseline: "",
      page_actions: true,
      snapshot: { seq: 1, header: header(), rows: [row(0)] },
      transcripts: [],
      opened: {},
      code: "IPY_MODEL_code1",
    });
    const getModel = vi.fn(async () => code);
    /** @type {any} */ (model).widget_manager = { get_model: getModel };
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(fresh.render({ model, el }));
    await frame();
    cell(el, 0, "input").click();
    cell(el, 0, "input").click(); // while it loads: asked once
    await frame();
    expect(model.sent).toEqual([{ type: "open", i: 0 }]); // the kernel sends the chunk with it
    expect(getModel).toHaveBeenCalledWith("code1");
    expect(el.querySelector(".nba-ev-detail")).toBeNull();
    expect(code.handlers.get("change:case")?.size).toBe(1); // until it comes
  });

  test("a case whose run is its answer (t) opens a run made from its row", async () => {
    const { el } = mount({
      rows: [row(0, { t: 1, output: "Oslo: 3 °C", ttft_s: 0.5, latency_s: 2 })],
      traits: { transcripts: [null] },
    });
    await frame();
    cell(el, 0, "input").click();
    await frame();
    expect(renders.length).toBe(1);
    expect(renders[0].model.get("snapshot").state).toEqual({
      status: "completed",
      blocks: [{ type: "text", id: "text", text: "Oslo: 3 °C" }],
    });
  });

  test("opened cases show below the table, the last first, and stay as it scrolls", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => row(i, i === 2 ? { repeat: 1 } : {}));
    const { el, model } = mount({ rows });
    await frame();
    cell(el, 0, "input").click();
    cell(el, 2, "input").click();
    await frame();
    const heads = () =>
      [...el.querySelectorAll(".nba-ev-case-head > span")].map((h) => h.textContent);
    expect(heads()).toEqual(["#3·2 · completed", "#1 · completed"]);
    const items = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-items"));
    expect(items.style.height).toBe(`${100 * 28}px`);
    expect(cell(el, 3, "input").closest("[data-i]")?.style.top).toBe(`${3 * 28}px`);
    const scroller = /** @type {HTMLElement} */ (el.querySelector(".nba-ev-scroll"));
    Object.defineProperty(scroller, "scrollTop", { value: 50 * 28, configurable: true });
    scroller.dispatchEvent(new Event("scroll"));
    await frame();
    expect(shown(el)).toContain(50);
    expect(shown(el)).not.toContain(0);
    expect(heads()).toEqual(["#3·2 · completed", "#1 · completed"]);
    // Its ✕ closes it.
    /** @type {HTMLElement} */ (el.querySelector(".nba-ev-close")).click();
    await frame();
    expect(heads()).toEqual(["#1 · completed"]);
    expect(model.sent.filter((m) => m.type === "open")).toEqual([
      { type: "open", i: 0 },
      { type: "open", i: 2 },
    ]);
  });
});

describe("hostile text", () => {
  test("the kernel's text stays text everywhere", async () => {
    const bad = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
    const { el } = mount({
      rows: [
        row(0, {
          name: bad,
          input: bad,
          output: bad,
          expected: bad,
          error: bad,
          status: "error",
          scores: { [bad]: bad },
          score_errors: { exact: bad },
          comment: bad,
        }),
      ],
      head: { means: { [bad]: 0.5 } },
      traits: { title: bad, columns: [bad, "exact"], baseline: bad },
    });
    await frame();
    cell(el, 0, "input").click();
    await frame();
    expect(el.querySelector("img, script")).toBeNull();
    expect(cell(el, 0, "output").textContent).toBe(bad);
    expect(el.querySelector(".nba-ev-title")?.textContent).toContain(bad);
    expect(el.querySelector(".nba-ev-detail")?.textContent).toContain(bad);
    expect(/** @type {any} */ (window).__pwned).toBeUndefined();
  });
});
