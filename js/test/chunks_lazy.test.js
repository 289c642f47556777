// The chunks the widget bundle leaves out (nbagent/widget/chunks.json) and the math chunk's
// syntax, as a page gets them: not at hand (this file imports the modules afresh, without
// test/setup_chunks.js's chunks) but from a source that answers when the test says, as the
// code model does once the kernel sent a chunk. What waits for one shows once it has come, as
// it would have shown with the chunk at hand. (The Blob URL imports from the built chunks run
// in Chromium: tests/browser/.)
import { beforeEach, expect, test, vi } from "vitest";
import { HOST_EVENT } from "../src/store/offer.js";
import { runningState, toolBlock } from "./fake-model.js";

/** A chunk's source that answers when `arrive` is called (the kernel's send). */
function later() {
  /** @type {(chunk: any) => void} */
  let arrive = () => {};
  /** @type {Promise<any>} */
  const chunk = new Promise((resolve) => (arrive = resolve));
  return { source: () => chunk, arrive: (/** @type {any} */ c) => arrive(c) };
}

/** A model for a view: traits, and what the view sends. */
const model = () => {
  /** @type {any[]} */
  const sent = [];
  return {
    sent,
    get: (/** @type {string} */ k) => (k === "can_rerun" ? true : undefined),
    send: (/** @type {any} */ m) => sent.push(m),
    on() {},
    off() {},
  };
};

/** The bundle's modules afresh: no chunk at hand. */
async function fresh() {
  vi.resetModules();
  const modules = await Promise.all([
    import("../src/view/view.js"),
    import("../src/store/store.js"),
    import("../src/base/tools.js"),
    import("../src/base/highlight_slot.js"),
    import("../src/base/output.js"),
    import("../src/markdown/math.js"),
    import("../src/base/thinking.js"),
    import("../src/base/debug.js"),
    import("../src/base/trouble.js"),
    import("../src/base/fold.js"),
  ]);
  return Object.assign({}, ...modules);
}

/**
 * A view of `state` drawn at once (frames run by hand).
 * @param {any} m the fresh modules
 * @param {any} state
 * @param {any} [page]
 */
function viewOf(m, state, page) {
  const store = new m.Store();
  store.load({ seq: 1, state });
  const el = document.createElement("div");
  document.body.append(el);
  /** @type {FrameRequestCallback[]} */
  let frames = [];
  const mdl = model();
  const view = new m.TranscriptView(store, mdl, el, {
    raf: (/** @type {FrameRequestCallback} */ cb) => frames.push(cb),
    cancelRaf: () => {},
    soon: (/** @type {() => void} */ cb) => void frames.push(cb),
    ...(page ? { page } : {}),
  });
  const frame = () => {
    const f = frames;
    frames = [];
    for (const cb of f) cb(0);
  };
  return { el, view, store, sent: mdl.sent, frame };
}

beforeEach(() => document.body.replaceChildren());

test("a tool call's panel takes its hidden place once the tools chunk comes", async () => {
  const m = await fresh();
  const parts = (await import("../src/widget/tools_chunk.js")).default;
  const chunk = later();
  m.toolsChunk.provide(chunk.source);
  const nested = { type: "text", id: "t2", text: "inside", parent: "c1" };
  const state = runningState([toolBlock(), nested, { type: "text", id: "t3", text: "after" }]);
  const { el, frame } = viewOf(m, state);
  frame();
  // Before: an empty, hidden place; the text after it shows; the nested text waits with it.
  const place = /** @type {HTMLElement} */ (el.querySelector(".nba-panel-place"));
  expect(place.hidden).toBe(true);
  expect(el.querySelector(".nba-tool")).toBeNull();
  expect(el.textContent).toContain("after");
  expect(el.textContent).not.toContain("inside");

  chunk.arrive(parts);
  await m.toolsChunk.load();
  const panel = /** @type {HTMLElement} */ (el.querySelector(".nba-tool"));
  expect(panel).not.toBeNull();
  expect(el.querySelector(".nba-panel-place")).toBeNull();
  // In the place's position, with the block's last update and its scope's blocks inside.
  expect(panel.nextElementSibling?.textContent?.trim()).toBe("after");
  expect(panel.querySelector(".nba-tool-name")?.textContent).toBe("get_weather");
  expect(panel.querySelector(".nba-children")?.textContent?.trim()).toBe("inside");
  expect(panel.querySelector(".nba-copy-call")).not.toBeNull(); // Copy as code, from the chunk
});

test("a finished code block is highlighted in place once the highlight chunk comes", async () => {
  const m = await fresh();
  const { renderMarkdown, StreamingMarkdown } = await import("../src/markdown/markdown.js");
  const parts = (await import("../src/widget/highlight_chunk.js")).default;
  const src = "Run:\n\n```python\ndef f(x):\n    return x  # same\n```\n\n| a | b |\n|---|---|\n";
  const before = renderMarkdown(src);
  const code = /** @type {HTMLElement} */ (before.querySelector("pre > code"));
  expect(code.firstElementChild).toBeNull(); // plain, its text as written
  expect(code.textContent).toBe("def f(x):\n    return x  # same\n");
  // A second view's copy, made before the chunk came, waits for it too.
  const streamed = new StreamingMarkdown();
  streamed.set(src, true);
  streamed.flush();
  const copy = streamed.clone();

  m.highlightChunk.use(parts);
  const after = renderMarkdown(src);
  expect(after.querySelector(".nba-hl-k")?.textContent).toBe("def");
  expect(before.innerHTML).toBe(after.innerHTML);
  expect(copy.el.innerHTML).toBe(after.innerHTML);
});

test("a finished run offers its output once the output chunk comes", async () => {
  const m = await fresh();
  const parts = (await import("../src/widget/output_chunk.js")).default;
  const chunk = later();
  m.outputChunk.provide(chunk.source);
  /** @type {string[]} */
  const asked = [];
  const claim = (/** @type {Event} */ e) => {
    asked.push(e.type);
    e.preventDefault(); // nbagent's renderer: it saves the output
  };
  document.body.addEventListener(HOST_EVENT, claim);
  try {
    const state = runningState([{ type: "text", id: "t1", text: "Done." }], {
      status: "completed",
      ended_at: 1001,
    });
    const { sent, frame } = viewOf(m, state);
    frame();
    expect(asked).toEqual([]);
    expect(sent).toEqual([]);

    chunk.arrive(parts);
    await m.outputChunk.load();
    expect(asked).toEqual([HOST_EVENT]);
    expect(sent).toEqual([{ type: "output", have: [] }]);
  } finally {
    document.body.removeEventListener(HOST_EVENT, claim);
  }
});

test("a thinking's panel takes its hidden place once the thinking chunk comes", async () => {
  const m = await fresh();
  const chunk = later();
  m.thinkingChunk.provide(chunk.source);
  const thinking = { type: "thinking", id: "r1", text: "Let me think", started_at: 1000 };
  const { el, frame } = viewOf(m, runningState([thinking]));
  frame();
  expect(el.querySelector(".nba-panel-place")?.hidden).toBe(true);
  chunk.arrive((await import("../src/widget/thinking_chunk.js")).default);
  await m.thinkingChunk.load();
  expect(el.querySelector(".nba-panel-place")).toBeNull();
  expect(el.querySelector(".nba-thinking-text")?.textContent?.trim()).toBe("Let me think");
});

test("what the other chunks add to a view comes with them", async () => {
  const m = await fresh();
  /** @type {[string, any][]} the chunks, each with a source that answers when told */
  const holders = [
    ["debug", m.debugChunk],
    ["trouble", m.troubleChunk],
    ["fold", m.foldChunk],
  ];
  const sources = holders.map(([name, holder]) => ({ name, holder, chunk: later() }));
  for (const { holder, chunk } of sources) holder.provide(chunk.source);
  const steps = [1, 2].map((n) => ({ id: `model-${n}`, started_at: 1000, ended_at: 1001 }));
  const blocks = Array.from({ length: 45 }, (_, i) => ({ type: "text", id: `t${i}`, text: "x" }));
  const state = runningState(blocks, { status: "error", error: { message: "boom" }, steps });
  const { el, frame } = viewOf(m, state);
  frame();
  // Before: no timeline's toggle, no error shown, every block shows.
  expect(el.querySelector(".nba-timeline-toggle")).toBeNull();
  expect(/** @type {HTMLElement} */ (el.querySelector(".nba-error-box")).hidden).toBe(true);
  expect(el.querySelector(".nba-fold")).toBeNull();
  for (const { name, holder, chunk } of sources) {
    chunk.arrive((await import(`../src/widget/${name}_chunk.js`)).default);
    await holder.load();
  }
  frame(); // the debug parts' first render
  expect(el.querySelector(".nba-timeline-toggle")).not.toBeNull();
  expect(el.querySelector(".nba-error-box")?.textContent).toBe("Error: boom");
  expect(el.querySelector(".nba-fold")?.textContent).toBe("Show 30 more blocks");
});

test("text rendered before the math chunk is rendered again with its formulas", async () => {
  const m = await fresh();
  const { renderMarkdown, StreamingMarkdown } = await import("../src/markdown/markdown.js");
  const parts = (await import("../src/markdown/math_chunk.js")).default;
  const math = m.newTypesetter();
  math.setBudget(Number.POSITIVE_INFINITY);
  const chunk = later();
  math.provide(chunk.source);
  const src = "The area is $\\pi r^2$, it costs $5.\n\n$$\n\\frac{1}{2}\n$$\n\nAnd \\(x\\).";
  const streamed = new StreamingMarkdown(math);
  for (const piece of src.match(/[\s\S]{1,7}/g) ?? []) {
    streamed.append(piece);
    streamed.flush();
  }
  streamed.setFinal(true);
  streamed.flush();
  const whole = renderMarkdown(src, math);
  const plain = new StreamingMarkdown(math); // never a `$` nor a backslash: never again
  plain.set("No formula here.", true);
  plain.flush();
  const untouched = plain.frozenEl.firstElementChild;
  document.body.append(streamed.el, whole, plain.el);
  // Before: the TeX as written, no placeholder.
  expect(streamed.el.querySelector(".nb-math")).toBeNull();
  expect(streamed.el.textContent).toContain("$\\pi r^2$");

  math.load();
  chunk.arrive(parts);
  await math.load();
  await math.settled();
  expect(streamed.el.querySelectorAll("math")).toHaveLength(3);
  expect(streamed.el.textContent).toContain("it costs $5.");
  expect(streamed.el.innerHTML).toBe(whole.innerHTML);
  expect(plain.frozenEl.firstElementChild).toBe(untouched);
  // And from now on at once, as text comes.
  const next = new StreamingMarkdown(math);
  next.set("Then $y$.", true);
  next.flush();
  expect(next.el.querySelectorAll("math")).toHaveLength(1);
});

test("a chunk comes from the newest widget's code model when an older one's notebook closed", async () => {
  const { lazyChunk } = await import("../src/base/chunks.js");
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  /** @type {(err: Error) => void} */
  let fail = () => {};
  const closed = vi.fn(() => new Promise((_, reject) => (fail = reject)));
  const lanes = lazyChunk("the lanes cannot show");
  lanes.provide(closed); // the first notebook's widget: its manager waits for a model it lost
  const first = lanes.load();
  const open = later();
  lanes.provide(open.source); // a widget of the notebook open now
  const second = lanes.load();
  expect(lanes.load()).toBe(second); // one load per source
  open.arrive("the lanes");
  expect(await second).toBe("the lanes");
  fail(new Error("widget model not found"));
  expect(await first).toBe("the lanes");
  expect(lanes.get()).toBe("the lanes");
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});

test("a source that failed is not asked again; a newer one is", async () => {
  const { lazyChunk } = await import("../src/base/chunks.js");
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const failed = vi.fn();
  const broken = vi.fn(() => Promise.reject(new Error("widget model not found")));
  const chunk = lazyChunk("the lanes cannot show", { failed });
  chunk.provide(broken);
  expect(await chunk.load()).toBeNull();
  expect(await chunk.load()).toBeNull();
  expect(broken).toHaveBeenCalledTimes(1);
  expect(warn).toHaveBeenCalledTimes(1);
  expect(failed).toHaveBeenCalledTimes(1);
  chunk.provide(() => Promise.resolve("the lanes"));
  expect(await chunk.load()).toBe("the lanes");
  warn.mockRestore();
});

test("another widget of the same notebook keeps the load in flight", async () => {
  const { lazyChunk } = await import("../src/base/chunks.js");
  const manager = {};
  const first = later();
  const firstSource = vi.fn(first.source);
  const again = vi.fn(() => Promise.resolve("a second import"));
  const tools = lazyChunk("tool calls cannot show");
  tools.provide(Object.assign(firstSource, { owner: manager }));
  const loading = tools.load();
  tools.provide(Object.assign(again, { owner: manager }));
  expect(tools.load()).toBe(loading);
  first.arrive("the tools");
  expect(await loading).toBe("the tools");
  expect(again).not.toHaveBeenCalled();
});
