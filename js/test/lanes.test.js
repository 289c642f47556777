import { afterEach, describe, expect, test, vi } from "vitest";
import { followLanes, LaneSet } from "../src/store/lanes.js";
import widget, { laneSetFor } from "../src/widget/index.js";
import { FakeModel, runningState } from "./fake-model.js";
import { mountLanes } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const q = (/** @type {Element} */ el, /** @type {string} */ s) =>
  /** @type {HTMLElement} */ (el.querySelector(s));

/** A lanes widget (initialize + a view with a manual frame queue). */
const mount = (layout = "lanes", traits = {}) => mountLanes(cleanups, layout, traits);

const initial = () => {
  const { blocks: _, ...rest } = runningState();
  return rest;
};

describe("LaneSet", () => {
  test("a lane opens from a run's first state: its opening says only what differs", () => {
    const set = new LaneSet();
    set.applyMessage({
      seq: 1,
      meta: [[0, { prompt: "q" }]],
      lanes: [[0, [["r", { started_at: 5 }]]]],
    });
    expect(set.lanes[0].store.state).toEqual({
      version: 1,
      status: "running",
      deltas: 0,
      generating_s: 0,
      started_at: 5,
      blocks: [],
    });
    expect(set.needsSync()).toBe(true); // running
  });

  test("meta opens lanes before their ops; a snapshot replaces them all", () => {
    const set = new LaneSet();
    set.applyMessage({
      seq: 1,
      meta: [
        [0, { title: "A" }],
        [1, { title: "B" }],
      ],
      lanes: [
        [
          0,
          [
            ["r", initial()],
            ["+", { type: "text", id: "m", text: "" }],
            ["t", 0, "hi"],
          ],
          3,
        ],
        [1, [["r", initial()]]],
      ],
    });
    expect(set.seq).toBe(1);
    expect(set.lanes.map((l) => l.meta.title)).toEqual(["A", "B"]);
    expect(set.lanes[0].store.state.blocks[0]).toMatchObject({ text: "hi" });
    expect(set.lanes[0].store.state.deltas).toBe(3);
    expect(set.needsSync()).toBe(true); // lanes are running
    const storeA = set.lanes[0].store;
    set.load({
      seq: 4,
      lanes: [{ meta: { title: "A" }, state: { ...runningState(), status: "completed" } }],
    });
    expect(set.lanes.length).toBe(1);
    expect(set.lanes[0].store).toBe(storeA); // views keep their store
    expect(set.needsSync()).toBe(false);
  });

  test("ops for an unknown lane, or a lane out of order, are errors (the caller resyncs)", () => {
    const set = new LaneSet();
    expect(() => set.applyMessage({ seq: 1, lanes: [[0, []]] })).toThrow(/unknown lane/);
    expect(() => set.applyMessage({ seq: 2, meta: [[3, {}]], lanes: [] })).toThrow(/order/);
    expect(() => set.applyMessage({ seq: 3 })).toThrow(/without lanes/);
  });

  test("a lane with a clock of its own (a replay's) keeps it; the others take the kernel's", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const set = new LaneSet();
      const open = [0, 1].map((i) => [i, [["r", initial()]]]);
      set.applyMessage({
        seq: 1,
        meta: [
          [0, {}],
          [1, {}],
        ],
        lanes: open,
      });
      // As connect() applies a message: its `now` first, then the message.
      const message = { seq: 2, lanes: [], now: 1000.5, clocks: [[1, 4020], ["x", 1], [7, 1], 3] };
      set.setNow(message.now);
      set.applyMessage(message);
      expect(set.lanes.map((l) => Math.round(l.store.now() * 10) / 10)).toEqual([1000.5, 4020]);
      // A message with no `now` (the kernel sends it now and then) still carries the clocks.
      vi.advanceTimersByTime(200);
      set.applyMessage({ seq: 3, lanes: [], clocks: [[1, 4020.8]] });
      expect(set.lanes.map((l) => Math.round(l.store.now() * 10) / 10)).toEqual([1000.7, 4020.8]);
    } finally {
      vi.useRealTimers();
    }
  });

  test("a view of the lanes tells the kernel that this page follows the ops", () => {
    const model = new FakeModel({ arrangement: "chat", snapshot: { seq: 0, lanes: [] } });
    const stop = widget.initialize({ model: /** @type {any} */ (model) });
    cleanups.push(/** @type {() => void} */ (stop));
    expect(model.sent).toEqual([]); // a model alone may be no page's
    const el = document.createElement("div");
    document.body.append(el);
    const unrender = widget.render({ model: /** @type {any} */ (model), el });
    cleanups.push(/** @type {() => void} */ (unrender), () => el.remove());
    expect(model.sent).toEqual([{ type: "listen" }]);
  });

  test("a gap asks the kernel for every lane", () => {
    const model = new FakeModel({ arrangement: "lanes", snapshot: { seq: 0, lanes: [] } });
    const stop = widget.initialize({ model: /** @type {any} */ (model) });
    cleanups.push(/** @type {() => void} */ (stop));
    expect(model.sent).toEqual([]); // nothing running: no sync
    model.msg({ seq: 2, lanes: [] });
    expect(model.sent).toEqual([{ type: "sync" }]);
    model.msg({
      type: "snapshot",
      seq: 2,
      lanes: [{ meta: { title: "late" }, state: runningState() }],
    });
    expect(laneSetFor(/** @type {any} */ (model)).lanes[0].meta.title).toBe("late");
  });
});

describe("turns a later cell shows apart", () => {
  test("stay hidden where the widget shows; another widget's show", () => {
    const copy = (/** @type {string} */ key) => {
      const el = document.createElement("div");
      el.className = `nba-apart nba-of-${key}`;
      document.body.append(el);
      cleanups.push(() => el.remove());
      return el;
    };
    const ours = copy("0a1b2c");
    const theirs = copy("ffff00");
    expect(getComputedStyle(ours).display).toBe("block");
    const { el } = mount("chat", { store_key: "0a1b2c" });
    cleanups.push(() => document.getElementById("nba-of-0a1b2c")?.remove());
    expect(getComputedStyle(ours).display).toBe("none");
    expect(getComputedStyle(theirs).display).toBe("block");
    expect(el.querySelector("style")).toBeNull(); // nothing of it in the widget's own DOM
  });
});

/**
 * A lanes widget with lanes saved: lane n in the model's key `lane{n}` (nbagent/widget/
 * lane_state.py), or, as notebooks saved before have them, in models of their own found
 * through the widget manager as anywidget hands it to the model: chained from the widget's
 * `last` (each lane's `prev`), or listed in `lanes`.
 * @param {Record<string, any>[]} saved each lane, there from the start
 * @param {"keys" | "chain" | "list"} [form]
 */
function withLanes(saved = [], layout = "chat", missing = false, form = "keys") {
  /** @type {Map<string, FakeModel>} */
  const lanes = new Map();
  const model = /** @type {FakeModel & {widget_manager: any}} */ (
    new FakeModel({ arrangement: layout })
  );
  model.widget_manager = {
    /** @param {string} id */
    get_model: async (id) => {
      const lane = lanes.get(id);
      if (!lane) throw new Error("widget model not found");
      return lane;
    },
  };
  saved.forEach((lane, n) => {
    if (form === "keys") {
      model.traits[`lane${n}`] = lane;
      return;
    }
    const id = `m${n}`;
    lanes.set(id, new FakeModel({ lane, prev: model.get("last") ?? null }));
    if (form === "chain") model.traits.last = `IPY_MODEL_${id}`;
    else model.traits.lanes = [...(model.get("lanes") ?? []), `IPY_MODEL_${id}`];
  });
  if (missing && form === "chain") {
    lanes.set("gone-next", new FakeModel({ lane: {}, prev: "IPY_MODEL_gone" }));
    model.traits.last = "IPY_MODEL_gone-next";
  } else if (missing) model.traits.lanes = [...(model.get("lanes") ?? []), "IPY_MODEL_gone"];
  const stop = /** @type {() => void} */ (widget.initialize({ model: /** @type {any} */ (model) }));
  cleanups.push(stop);
  return { model, set: laneSetFor(/** @type {any} */ (model)) };
}

/** Let the widget manager's promises settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const finishedLane = (/** @type {number} */ seq, /** @type {string} */ text) => ({
  seq,
  meta: { title: null, prompt: `asked ${text}`, can_rerun: false },
  state: runningState([{ type: "text", id: "m", text }], { status: "completed" }),
});

describe.each(/** @type {const} */ ([["keys"], ["chain"], ["list"]]))("lanes saved, %s", (form) => {
  test("a reloaded chat reads each turn and, all finished, asks nothing", async () => {
    const w = withLanes([finishedLane(4, "one"), finishedLane(9, "two")], "chat", false, form);
    await settle();
    expect(w.set.lanes.map((l) => l.meta.prompt)).toEqual(["asked one", "asked two"]);
    expect(w.set.lanes[1].store.state.blocks[0]).toMatchObject({ text: "two" });
    expect(w.set.seq).toBe(9);
    expect(w.model.sent).toEqual([]);
  });
});

describe.each(/** @type {const} */ ([["chain"], ["list"]]))("lane models, %s", (form) => {
  test("a lane whose model is missing leaves it to the kernel (a sync)", async () => {
    const warn = console.warn;
    console.warn = () => {};
    const w = withLanes([finishedLane(2, "one")], "chat", true, form);
    expect(w.set.loaded).toBe(false); // the models are being read
    await settle();
    console.warn = warn;
    expect(w.set.loaded).toBe(false);
    expect(w.model.sent).toEqual([{ type: "sync" }]);
    w.model.msg({
      type: "snapshot",
      seq: 3,
      lanes: [finishedLane(2, "one"), finishedLane(3, "two")],
    });
    expect(w.set.lanes.map((l) => l.meta.prompt)).toEqual(["asked one", "asked two"]);
  });
});

test("a saved chain that loops reads each of its models once", async () => {
  const a = new FakeModel({ lane: finishedLane(2, "one"), prev: "IPY_MODEL_b" });
  const b = new FakeModel({ lane: finishedLane(3, "two"), prev: "IPY_MODEL_a" });
  const models = new Map([
    ["a", a],
    ["b", b],
  ]);
  const model = Object.assign(new FakeModel({ arrangement: "chat", last: "IPY_MODEL_b" }), {
    widget_manager: { get_model: async (/** @type {string} */ id) => models.get(id) },
  });
  const set = new LaneSet();
  let ready = false;
  cleanups.push(
    followLanes(
      set,
      model,
    )(() => {
      ready = true;
    }),
  );
  await settle();
  expect(ready).toBe(true);
  expect(set.lanes.map((l) => l.meta.prompt)).toEqual(["asked one", "asked two"]);
});

describe("lanes in the model's keys", () => {
  test("a lane saved without its empty fields (no nulls, no meta) loads with them defaulted", () => {
    const w = withLanes([
      { seq: 2, meta: { prompt: "terse" }, state: { status: "completed", blocks: [] } },
      finishedLane(4, "with nulls, as older notebooks have them"),
    ]);
    expect(w.set.lanes.map((l) => l.meta.title ?? null)).toEqual([null, null]);
    expect(w.set.lanes[0].store.state.status).toBe("completed");
    expect(w.set.lanes[0].store.state.blocks).toEqual([]);
    expect(w.model.sent).toEqual([]);
  });

  test("a lane still running when read asks the kernel for a sync", () => {
    const running = { ...finishedLane(3, "half"), state: runningState() };
    const w = withLanes([finishedLane(2, "one"), running]);
    expect(w.model.sent).toEqual([{ type: "sync" }]);
  });

  test("a lane's key the kernel sends after the ops that carried it changes nothing", () => {
    const w = withLanes();
    expect(w.set.loaded).toBe(true); // no lanes yet: nothing to read
    w.model.msg({
      seq: 1,
      meta: [[0, { prompt: "q" }]],
      lanes: [[0, [["r", initial()]]]],
    });
    const store = w.set.lanes[0].store;
    /** @type {boolean[]} */
    const resets = [];
    store.subscribe((c) => resets.push(c.reset));
    w.model.msg({
      seq: 2,
      lanes: [
        [
          0,
          [
            ["+", { type: "text", id: "m", text: "hi" }],
            ["r", { status: "completed" }],
          ],
        ],
      ],
    });
    const final = structuredClone(store.state);
    w.model.set("lane0", { seq: 2, meta: { prompt: "q" }, state: final });
    expect(resets).toEqual([false]); // the ops only: no reload
    expect(store.state).toEqual(final);
    expect(w.model.sent).toEqual([]);
  });

  test("a lane is written into its key by the page as it opens and once it ended", () => {
    const w = withLanes([finishedLane(2, "one")]);
    const first = w.model.get("lane0");
    w.model.msg({
      seq: 3,
      meta: [[1, { prompt: "q" }]],
      lanes: [[1, [["r", initial()]]]],
    });
    const opened = w.model.get("lane1");
    expect(opened.seq).toBe(3);
    expect(opened.meta).toEqual({ prompt: "q" });
    expect(opened.state.status).toBe("running"); // a notebook saved now shows it running
    w.model.msg({ seq: 4, lanes: [[1, [["+", { type: "text", id: "m", text: "tw" }]]]] });
    expect(w.model.get("lane1")).toBe(opened); // running: written once
    w.model.msg({
      seq: 5,
      lanes: [
        [
          1,
          [
            ["t", 0, "o"],
            ["r", { status: "completed" }],
          ],
        ],
      ],
    });
    const kept = w.model.get("lane1");
    expect(kept.seq).toBe(5);
    expect(kept.state).toEqual(w.set.lanes[1].store.state);
    expect(kept.state.blocks[0]).toMatchObject({ text: "two" });
    expect(w.model.get("lane0")).toBe(first); // the other lane's key as it was
    // A page that opens later reads the turn from that key, as the kernel kept it.
    const again = withLanes([finishedLane(2, "one"), kept]);
    expect(again.set.lanes[1].store.state.blocks[0]).toMatchObject({ text: "two" });
    expect(again.model.sent).toEqual([]);
    expect(w.model.sent).toEqual([]);
  });

  test("a lane already at a message's seq skips its ops; the others apply them", () => {
    const set = new LaneSet();
    set.applyMessage({
      seq: 1,
      meta: [
        [0, {}],
        [1, {}],
      ],
      lanes: [
        [0, [["r", initial()]]],
        [1, [["r", initial()]]],
      ],
    });
    set.loadLane(0, {
      seq: 2,
      meta: {},
      state: runningState([{ type: "text", id: "m", text: "ab" }]),
    });
    set.applyMessage({
      seq: 2,
      lanes: [
        [
          0,
          [
            ["+", { type: "text", id: "m", text: "a" }],
            ["t", 0, "b"],
          ],
        ],
        [1, [["+", { type: "text", id: "m", text: "x" }]]],
      ],
    });
    expect(set.lanes[0].store.state.blocks.map((b) => b.text)).toEqual(["ab"]);
    expect(set.lanes[1].store.state.blocks.map((b) => b.text)).toEqual(["x"]);
    expect(set.lanes.map((l) => l.store.seq)).toEqual([2, 2]);
    // The next message applies to both again.
    set.applyMessage({
      seq: 3,
      lanes: [
        [0, [["t", 0, "c"]]],
        [1, [["t", 0, "y"]]],
      ],
    });
    expect(set.lanes.map((l) => l.store.state.blocks[0].text)).toEqual(["abc", "xy"]);
  });
});

describe("lanes view", () => {
  test("each lane is a transcript with its own title, status and Stop", () => {
    const w = mount("lanes", { title: "Big vs small" });
    w.send({
      meta: [
        [0, { title: "big" }],
        [1, { title: "small" }],
      ],
      lanes: [
        [
          0,
          [
            ["r", initial()],
            ["+", { type: "text", id: "m", text: "" }],
            ["t", 0, "**Hi**"],
          ],
        ],
        [1, [["r", initial()]]],
      ],
    });
    const lanes = w.el.querySelectorAll(".nba-lanes > .nba-lane");
    expect(lanes.length).toBe(2);
    expect(q(w.el, ":scope > .nbagent > .nba-title").textContent).toBe("Big vs small");
    expect(q(lanes[0], ".nba-title").textContent).toBe("big");
    expect(q(lanes[1], ".nba-title").textContent).toBe("small");
    expect(q(lanes[0], "strong").textContent).toBe("Hi");
    /** @type {HTMLButtonElement} */ (q(lanes[1], ".nba-stop")).click();
    expect(w.model.sent.at(-1)).toEqual({ type: "stop", lane: 1 });
  });

  test("can_rerun comes from the lane's metadata", () => {
    const w = mount("lanes");
    const tool = {
      type: "tool",
      id: "c1",
      name: "f",
      arguments: "{}",
      args: {},
      state: "done",
      result: 1,
    };
    w.send({
      meta: [[0, { title: "a", can_rerun: false }]],
      lanes: [
        [
          0,
          [
            ["r", { ...initial(), status: "completed" }],
            ["+", tool],
          ],
        ],
      ],
    });
    const rerunButtons = () =>
      [...w.el.querySelectorAll("button")].filter((b) => b.textContent === "Re-run" && !b.hidden);
    expect(rerunButtons().length).toBe(0);
    w.send({ meta: [[0, { can_rerun: true }]] });
    expect(rerunButtons().length).toBe(1);
  });
});

describe("chat view", () => {
  /** @param {ReturnType<typeof mount>} w */
  const textarea = (w) => /** @type {HTMLTextAreaElement} */ (q(w.el, ".nba-chat-text"));

  test("Enter sends, Shift+Enter does not; disabled until the turn ends", () => {
    const w = mount("chat");
    const box = textarea(w);
    box.value = "line one";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true }));
    expect(w.model.sent).toEqual([]);
    box.value = "Hello <b>there</b>";
    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", cancelable: true }));
    expect(w.model.sent).toEqual([{ type: "prompt", text: "Hello <b>there</b>" }]);
    expect(box.value).toBe("");
    expect(box.disabled).toBe(true); // waiting for the kernel
    w.send({
      meta: [[0, { title: null, prompt: "Hello <b>there</b>" }]],
      lanes: [[0, [["r", initial()]]]],
    });
    const prompt = q(w.el, ".nba-turn .nba-prompt");
    expect(prompt.textContent).toBe("Hello <b>there</b>");
    expect(prompt.querySelector("b")).toBeNull();
    expect(box.disabled).toBe(true); // the turn streams
    w.send({ lanes: [[0, [["r", { status: "completed", end_reason: "completed" }]]]] });
    expect(box.disabled).toBe(false);
  });

  test("a notice from the kernel re-enables the box and shows why", () => {
    const w = mount("chat");
    const box = textarea(w);
    box.value = "hi";
    q(w.el, ".nba-chat-send").click();
    expect(box.disabled).toBe(true);
    w.model.msg({ type: "notice", text: "ChatBusyError: still streaming" });
    expect(box.disabled).toBe(false);
    const notice = q(w.el, ".nba-chat-notice");
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toBe("ChatBusyError: still streaming");
  });

  test("with no kernel behind it (its code model not live) the box is disabled and says why", async () => {
    /** @type {Record<string, {comm_live: boolean}>} */
    const models = { code1: { comm_live: true } };
    const manager = { get_model: async (/** @type {string} */ id) => models[id] };
    const w = mountLanes(cleanups, "chat", { code: "IPY_MODEL_code1" }, manager);
    const box = textarea(w);
    const notice = q(w.el, ".nba-chat-notice");
    await Promise.resolve();
    await Promise.resolve();
    expect(box.disabled).toBe(false); // a live kernel: the box takes messages
    expect(notice.hidden).toBe(true);
    models.code1.comm_live = false; // the kernel restarted
    w.model.emit("comm_live_update");
    await vi.waitFor(() => expect(box.disabled).toBe(true));
    expect(notice.hidden).toBe(false);
    expect(notice.textContent).toContain("No kernel");
    expect(q(w.el, ".nba-chat-send").hasAttribute("disabled")).toBe(true);
    w.send({ lanes: [] }); // whatever the page renders next, the box stays off
    expect(box.disabled).toBe(true);
  });

  test("a chat restored with no kernel (an HTML page) never takes a message", async () => {
    const manager = { get_model: async () => ({ comm_live: false }) };
    const w = mountLanes(cleanups, "chat", { code: "IPY_MODEL_x" }, manager);
    await vi.waitFor(() => expect(textarea(w).disabled).toBe(true));
    textarea(w).value = "hello";
    q(w.el, ".nba-chat-send").click();
    expect(w.model.sent).toEqual([]);
  });

  test("a reloaded chat shows every turn under its prompt", () => {
    const done = {
      ...runningState([{ type: "text", id: "m", text: "Answer" }]),
      status: "completed",
    };
    const w = mount("chat", {
      snapshot: {
        seq: 9,
        lanes: [
          { meta: { prompt: "first" }, state: done },
          { meta: { prompt: "second" }, state: done },
        ],
      },
    });
    w.frame();
    const turns = w.el.querySelectorAll(".nba-turns > .nba-turn");
    expect([...turns].map((t) => q(t, ".nba-prompt").textContent)).toEqual(["first", "second"]);
    expect(q(turns[1], ".nba-md").textContent).toContain("Answer");
    expect(w.model.sent).toEqual([]); // nothing running: no sync
    expect(textarea(w).disabled).toBe(false);
  });
});
