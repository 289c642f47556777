// Ends that look like ends (issue 18): a run the page ends itself (kernel restart, shutdown,
// a connection gone), tool calls left pending shown cancelled, nbagent's own icons.

import { afterEach, describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { ICON_NAMES, icon } from "../src/base/icons.js";
import { KERNEL_END_EVENT } from "../src/base/kernel_end.js";
import { connectionGone, guardSend } from "../src/base/send_guard.js";
import { toolIconState } from "../src/panels/panels.js";
import { Store } from "../src/store/store.js";
import { renderSaved } from "../src/view/saved.js";
import { TranscriptView } from "../src/view/view.js";
import widget, { laneSetFor, storeFor } from "../src/widget/index.js";
import { FakeModel, runningState } from "./fake-model.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  document.body.replaceChildren();
});

/** @param {string} id @param {string} state */
const toolBlock = (id, state) => ({
  type: "tool",
  id,
  name: `tool_${id}`,
  arguments: "{}",
  args: state === "args" ? null : {},
  state,
  result: state === "done" ? "ok" : null,
  is_error: false,
  started_at: 1000,
  ended_at: state === "done" ? 1001 : null,
  duration_s: state === "done" ? 1 : null,
});

/** Blocks of a run mid-tool: one call done, one running, one still receiving arguments. */
const midTool = () => [
  { type: "text", id: "m1", text: "Checking." },
  toolBlock("a", "done"),
  toolBlock("b", "running"),
  toolBlock("c", "args"),
  { type: "agent", id: "g", name: "researcher", started_at: 1000, ended_at: null },
];

/**
 * A view of a running run, rendered by hand (frames run on `frame()`).
 * @param {FakeModel} model
 * @param {Store} store
 */
function mountView(model, store) {
  const el = document.createElement("div");
  document.body.append(el);
  /** @type {FrameRequestCallback[]} */
  let frames = [];
  const view = new TranscriptView(store, /** @type {any} */ (model), el, {
    raf: (cb) => frames.push(cb),
    cancelRaf: () => {},
    soon: (cb) => void frames.push(cb),
  });
  cleanups.push(() => view.destroy());
  const frame = () => {
    const due = frames;
    frames = [];
    for (const cb of due) cb(0);
  };
  frame();
  return { el, view, frame };
}

/** Spinners a user can see: not inside anything hidden. @param {Element} el */
const visibleSpinners = (el) =>
  [...el.querySelectorAll(".nba-spinner")].filter((s) => !s.closest("[hidden]"));

/** A store holding a running run mid-tool. */
function runningStore() {
  const store = new Store();
  store.load({ seq: 1, state: runningState(midTool()) });
  return store;
}

describe("Store.endByPage", () => {
  test("ends a running run as cancelled with the reason, a warning, pending calls cancelled", () => {
    const store = runningStore();
    const before = store.now();
    /** @type {import("../src/store/store.js").Change[]} */
    const changes = [];
    store.subscribe((c) => changes.push(c));
    expect(store.endByPage("kernel_restarted")).toBe(true);
    const s = store.state;
    expect(s.status).toBe("cancelled");
    expect(s.end_reason).toBe("kernel_restarted");
    expect(s.ended_at).toBeGreaterThanOrEqual(before);
    expect(s.ended_at).toBeLessThanOrEqual(store.now());
    expect(s.warnings).toEqual([{ message: "The kernel restarted; this run ended." }]);
    const states = s.blocks.map((b) => (b.type === "tool" ? b.state : b.type));
    expect(states).toEqual(["text", "done", "cancelled", "cancelled", "agent"]);
    const [, done, running, args, agent] = /** @type {any[]} */ (s.blocks);
    expect(done.ended_at).toBe(1001); // a finished call keeps its end
    expect([running.ended_at, args.ended_at, agent.ended_at]).toEqual(Array(3).fill(s.ended_at));
    expect(changes).toHaveLength(1);
    expect([...changes[0].blocks].sort()).toEqual([2, 3, 4]);
    expect(changes[0].run).toBe(true);
  });

  test("ops the kernel sent before it went keep their data, and the end stays", () => {
    const store = runningStore();
    store.endByPage("kernel_restarted");
    const ended = store.state.ended_at;
    // A throttled flush: the call's whole arguments (it was receiving them), a warning.
    store.applyOps(
      [
        { op: "set", i: 3, set: { state: "running", args: { q: "x" }, arguments: '{"q": "x"}' } },
        { op: "run", set: { warnings: [{ message: "slow" }], deltas: 12 } },
      ],
      2,
    );
    const s = store.state;
    expect([s.status, s.end_reason, s.ended_at, s.deltas]).toEqual([
      "cancelled",
      "kernel_restarted",
      ended,
      12,
    ]);
    const call = /** @type {any} */ (s.blocks[3]);
    expect([call.state, call.arguments]).toEqual(["cancelled", '{"q": "x"}']);
    expect(s.warnings).toEqual([
      { message: "slow" },
      { message: "The kernel restarted; this run ended." },
    ]);
    // The kernel's own snapshot is the truth again (a page end on a kernel that lived on).
    store.load({ seq: 3, state: runningState(midTool()) });
    expect(store.state.status).toBe("running");
    store.applyOps([{ op: "run", set: { deltas: 13 } }], 4);
    expect(store.state.status).toBe("running");
  });

  test("only a running run: a second end, or an ended run, is left as it is", () => {
    const store = runningStore();
    expect(store.endByPage("kernel_shutdown")).toBe(true);
    expect(store.state.warnings).toEqual([{ message: "The kernel shut down; this run ended." }]);
    expect(store.endByPage("kernel_restarted")).toBe(false);
    expect(store.state.end_reason).toBe("kernel_shutdown");
    const done = new Store();
    done.load({ seq: 1, state: runningState([], { status: "completed", ended_at: 1002 }) });
    expect(done.endByPage("kernel_restarted")).toBe(false);
    expect(done.state.status).toBe("completed");
  });
});

describe("a view whose kernel ends", () => {
  test("the lab extension's event ends it: no spinner, no Stop, the reason said", () => {
    const model = new FakeModel();
    const store = runningStore();
    const { el, frame } = mountView(model, store);
    expect(visibleSpinners(el).length).toBeGreaterThan(0);
    const root = /** @type {HTMLElement} */ (el.querySelector(".nbagent"));
    root.dispatchEvent(
      new CustomEvent(KERNEL_END_EVENT, { detail: { reason: "kernel_restarted" } }),
    );
    frame();
    expect(store.state.status).toBe("cancelled");
    expect(el.querySelector(".nba-status-label")?.textContent).toBe("cancelled (kernel restarted)");
    expect(visibleSpinners(el)).toEqual([]);
    expect(/** @type {HTMLButtonElement} */ (el.querySelector(".nba-stop")).hidden).toBe(true);
    expect(el.querySelectorAll(".nba-tool.nba-cancelled svg.nba-icon-cancelled")).toHaveLength(2);
    expect([...el.querySelectorAll(".nba-warning")].map((w) => w.textContent)).toEqual([
      "The kernel restarted; this run ended.",
    ]);
    expect(violations(el)).toEqual([]);
  });

  test("an unknown reason in the event is ignored", () => {
    const store = runningStore();
    const { el } = mountView(new FakeModel(), store);
    const root = /** @type {HTMLElement} */ (el.querySelector(".nbagent"));
    root.dispatchEvent(new CustomEvent(KERNEL_END_EVENT, { detail: { reason: "whatever" } }));
    expect(store.state.status).toBe("running");
  });

  test("the widget manager's comm_live_update (a restart) and comm:close end it", () => {
    const model = new FakeModel();
    const store = runningStore();
    mountView(model, store);
    model.emit("comm_live_update");
    expect(store.state.end_reason).toBe("kernel_restarted");
    const other = runningStore();
    const model2 = new FakeModel();
    mountView(model2, other);
    model2.emit("comm:close");
    expect(other.state.end_reason).toBe("kernel_unreachable");
  });

  test("a destroyed view stops listening", () => {
    const model = new FakeModel();
    const store = runningStore();
    const { view } = mountView(model, store);
    const before = model.listenerCount();
    view.destroy();
    expect(model.listenerCount()).toBeLessThan(before);
    model.emit("comm_live_update");
    expect(store.state.status).toBe("running");
  });
});

describe("the kernel's last word", () => {
  test("a kernel_end message ends the run, with its reason", () => {
    const model = new FakeModel();
    cleanups.push(
      /** @type {() => void} */ (widget.initialize({ model: /** @type {any} */ (model) })),
    );
    const store = storeFor(/** @type {any} */ (model));
    model.msg({ type: "snapshot", seq: 1, state: runningState(midTool()) });
    expect(store.state.status).toBe("running");
    model.msg({ type: "kernel_end", reason: "kernel_shutdown" });
    expect(store.state.end_reason).toBe("kernel_shutdown");
    expect(
      store.state.blocks.filter((b) => b.type === "tool" && b.state === "cancelled"),
    ).toHaveLength(2);
  });

  test("every lane of a lanes widget ends", () => {
    const model = new FakeModel({ arrangement: "lanes", lanes: [] });
    cleanups.push(
      /** @type {() => void} */ (widget.initialize({ model: /** @type {any} */ (model) })),
    );
    const set = laneSetFor(/** @type {any} */ (model));
    set.load({
      seq: 1,
      lanes: [
        { meta: { title: "a" }, state: runningState(midTool()) },
        { meta: { title: "b" }, state: runningState([], { status: "completed", ended_at: 1001 }) },
      ],
    });
    model.msg({ type: "kernel_end", reason: "kernel_restarted" });
    expect(set.lanes.map((l) => [l.store.state.status, l.store.state.end_reason])).toEqual([
      ["cancelled", "kernel_restarted"],
      ["completed", null],
    ]);
  });
});

describe("sends that fail", () => {
  test("Stop on a closed comm ends the run here, and throws nothing into the page", () => {
    const model = new FakeModel();
    model.send = () => {
      throw new Error("Cannot send");
    };
    cleanups.push(
      /** @type {() => void} */ (widget.initialize({ model: /** @type {any} */ (model) })),
    );
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(
      /** @type {() => void} */ (widget.render({ model: /** @type {any} */ (model), el })),
    );
    const store = storeFor(/** @type {any} */ (model));
    store.load({ seq: 1, state: runningState(midTool()) });
    const stop = /** @type {HTMLButtonElement} */ (el.querySelector(".nba-stop"));
    expect(() => stop.click()).not.toThrow();
    expect(store.state.status).toBe("cancelled");
    expect(store.state.end_reason).toBe("kernel_unreachable");
  });

  test("another failure is not proof: logged, the run goes on", () => {
    const store = runningStore();
    let gone = 0;
    const model = guardSend(
      {
        send() {
          throw new Error("Could not send message");
        },
      },
      () => gone++,
    );
    const warn = console.warn;
    /** @type {unknown[][]} */
    const logged = [];
    console.warn = (...args) => void logged.push(args);
    try {
      expect(() => model.send({ type: "stop" })).not.toThrow();
    } finally {
      console.warn = warn;
    }
    expect(gone).toBe(0);
    expect(logged).toHaveLength(1);
    expect(store.state.status).toBe("running");
    expect(connectionGone(new Error("Kernel is dead"))).toBe(true);
    expect(connectionGone(new Error("Cannot send something else"))).toBe(false);
  });
});

describe("cancelled tool calls", () => {
  test("the icon state of each tool state", () => {
    const states = ["args", "running", "done", "error", "cancelled"].map((st) =>
      toolIconState(/** @type {any} */ (toolBlock("x", st))),
    );
    expect(states).toEqual(["busy", "busy", "done", "error", "cancelled"]);
    expect(toolIconState(/** @type {any} */ ({ ...toolBlock("x", "done"), is_error: true }))).toBe(
      "error",
    );
  });

  test("a kernel's cancelled call shows the neutral icon, no spinner", () => {
    const store = new Store();
    const state = runningState([toolBlock("b", "cancelled")], {
      status: "cancelled",
      end_reason: "cancelled",
      ended_at: 1003,
    });
    store.load({ seq: 1, state });
    const { el } = mountView(new FakeModel(), store);
    const panel = /** @type {HTMLElement} */ (el.querySelector(".nba-tool"));
    expect(panel.classList.contains("nba-cancelled")).toBe(true);
    expect(panel.querySelector(".nba-state svg.nba-icon-cancelled")).not.toBeNull();
    expect(/** @type {HTMLElement} */ (panel.querySelector(".nba-state")).title).toContain(
      "cancelled",
    );
    expect(visibleSpinners(el)).toEqual([]);
  });

  test("a saved state still running shows its pending calls cancelled", () => {
    const el = document.createElement("div");
    document.body.append(el);
    const payload = {
      version: 1,
      layout: "single",
      model_id: null,
      title: null,
      inModel: false,
      runs: [{ title: null, prompt: null, state: runningState(midTool()) }],
    };
    cleanups.push(renderSaved(el, /** @type {any} */ (payload)));
    expect(el.querySelectorAll(".nba-tool.nba-cancelled")).toHaveLength(2);
    expect(visibleSpinners(el)).toEqual([]);
  });
});

describe("icons", () => {
  test("each is an inline svg in currentColor that check.js allows", () => {
    const box = document.createElement("div");
    for (const name of ICON_NAMES) box.append(icon(name));
    expect(ICON_NAMES).toEqual(expect.arrayContaining(["check", "cross", "cancelled", "warning"]));
    const svgs = [...box.querySelectorAll("svg")];
    expect(svgs.map((s) => s.getAttribute("class"))).toEqual(
      ICON_NAMES.map((n) => `nba-icon nba-icon-${n}`),
    );
    for (const s of svgs) {
      expect(s.getAttribute("aria-hidden")).toBe("true");
      expect(s.getAttribute("stroke")).toBe("currentColor");
    }
    expect(violations(box)).toEqual([]);
    // @ts-expect-error - not an icon name
    expect(() => icon("rocket")).toThrow(TypeError);
  });

  test("check.js: any other svg, or an icon inside content, is a violation", () => {
    const box = document.createElement("div");
    box.innerHTML =
      '<svg class="nba-icon nba-icon-check" fill="none" stroke="currentColor"><path d="M0 0"/><script>1</script></svg>' +
      '<svg class="chart"><circle r="3"/></svg>' +
      '<div class="nba-md"><svg class="nba-icon nba-icon-check" fill="none" stroke="currentColor"></svg></div>' +
      '<svg class="nba-icon nba-icon-check" fill="red" stroke="currentColor"><path d="M0 0" onclick="x()"/></svg>';
    const v = violations(box).join("\n");
    expect(v).toContain("SVG element <script> not allowed");
    expect(v).toContain("SVG <svg> that is not one of nbagent's icons");
    expect(v).toContain("SVG <circle> that is not one of nbagent's icons");
    expect(v).toContain("nbagent icon inside content");
    expect(v).toContain("icon not drawn in currentColor");
    expect(v).toContain("<path> has SVG attribute onclick");
  });
});
