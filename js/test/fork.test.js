// Forks (issue 19 K): the tool panel's "Fork with an edited result" and the message it sends;
// a run's forks (its `forks` trait) rendered as lanes beside it, each from its own model.
import { afterEach, describe, expect, test, vi } from "vitest";
import { ForkBox } from "../src/panels/forks.js";
import { Store } from "../src/store/store.js";
import widget from "../src/widget/index.js";
import { FakeModel, runningState, toolBlock } from "./fake-model.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
  for (const el of [...document.body.children]) el.remove();
});

/** How long a test waits for what the views render after an await (a model fetched, a
 * frame): a watchdog sized for a loaded machine, not for how long that takes, so the tests
 * that wait get twice that as their own timeout. */
const PATIENCE_MS = 30_000;
const waiting = { timeout: 2 * PATIENCE_MS };

/** `check` once it passes (polled); its failure after PATIENCE_MS. @param {() => void} check */
const eventually = (check) => vi.waitFor(check, { timeout: PATIENCE_MS, interval: 5 });

/** The call the forks edit: the kernel's id for it, a result that is data. */
const call = (extra = {}) => toolBlock({ id: "call_1", result: { temp: 15 }, ...extra });

const answer = (/** @type {string} */ text) => ({ type: "text", id: "m2", text, refusal: false });

/** @param {any[]} blocks @param {string} [title] */
const completed = (blocks, title = null) =>
  runningState(blocks, { status: "completed", end_reason: "completed", ended_at: 2, title });

describe("Fork with an edited result", () => {
  /** @param {boolean} canRerun */
  function box(canRerun) {
    /** @type {any[]} */
    const sent = [];
    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    const actions = {
      send: (/** @type {any} */ m) => sent.push(m),
      canRerun: () => canRerun,
      canFork: () => true,
    };
    const b = new ForkBox(new Store(), "call_1", actions, ac.signal);
    document.body.append(b.el);
    return { b, sent };
  }

  test("sends the edited result for the call; the kernel finds the step", () => {
    const { b, sent } = box(true);
    b.update(call());
    expect(b.el.hidden).toBe(false);
    b.open.click();
    expect(b.editor.hidden).toBe(false);
    expect(b.input.value).toBe('{\n  "temp": 15\n}');
    b.input.value = "-40°C, storm";
    b.fork.click();
    expect(sent).toEqual([{ type: "fork", step: null, edit: { call_1: "-40°C, storm" } }]);
    expect(b.editor.hidden).toBe(true);
  });

  test("only on a finished top-level call of a run whose kernel holds the agent", () => {
    const { b, sent } = box(true);
    b.update(call({ state: "running", result: null }));
    expect(b.el.hidden).toBe(true);
    b.update(call({ parent: "call_0" }));
    expect(b.el.hidden).toBe(true);
    b.update(call({ state: "error", is_error: true, result: "boom" }));
    expect(b.el.hidden).toBe(false);
    b.store.setUnreachable(true);
    b.update(call());
    expect(b.el.hidden).toBe(true);
    const saved = box(false); // a saved transcript: no kernel to fork in
    saved.b.update(call());
    expect(saved.b.el.hidden).toBe(true);
    expect(sent).toEqual([]);
  });
});

describe("forks beside the original", waiting, () => {
  /** A fork's model as the widget manager hands it: its own store key and snapshot. */
  function forkModel(/** @type {string} */ key, /** @type {string} */ text) {
    const model = new FakeModel({
      store_key: key,
      title: `fork after step 1 — edited: get_weather → ${text}`,
      can_rerun: true,
      snapshot: { seq: 1, state: completed([call(), answer(`It is ${text}.`)]) },
    });
    const stop = /** @type {() => void} */ (
      widget.initialize({ model: /** @type {any} */ (model) })
    );
    cleanups.push(stop);
    return model;
  }

  /** @param {Record<string, unknown>} [traits] */
  function original(traits = { forks: [] }) {
    /** @type {Map<string, FakeModel>} */
    const models = new Map();
    const model = /** @type {any} */ (
      new FakeModel({
        store_key: "orig",
        can_rerun: true,
        ...traits,
        snapshot: { seq: 1, state: completed([call(), answer("It is 15°C.")], "Agent") },
      })
    );
    model.widget_manager = { get_model: async (/** @type {string} */ id) => models.get(id) };
    cleanups.push(/** @type {() => void} */ (widget.initialize({ model })));
    const el = document.createElement("div");
    document.body.append(el);
    const stopView = /** @type {() => void} */ (widget.render({ model, el }));
    cleanups.push(stopView);
    return { model, el, models };
  }

  test("a run without forks keeps its plain layout", async () => {
    const { el } = original();
    expect(el.querySelector(".nba-forks")).toBeNull();
    expect(el.firstElementChild?.classList.contains("nbagent")).toBe(true);
    await eventually(() => expect(el.querySelector(".nba-tool")).not.toBeNull());
    expect(/** @type {HTMLElement} */ (el.querySelector(".nba-fork-box")).hidden).toBe(false);
  });

  test("a view whose model shows no forks (a lane, a chat turn) offers no Fork", async () => {
    const { el } = original({ store_key: "lane-like" });
    await eventually(() => expect(el.querySelector(".nba-tool")).not.toBeNull());
    expect(/** @type {HTMLElement} */ (el.querySelector(".nba-fork-box")).hidden).toBe(true);
  });

  test("a run of a stream or a framework's offers no Fork with an edited result", async () => {
    const { el } = original({ forks: null, can_rerun: "read from a stream" });
    await eventually(() => expect(el.querySelector(".nba-tool")).not.toBeNull());
    expect(/** @type {HTMLElement} */ (el.querySelector(".nba-fork-box")).hidden).toBe(true);
  });

  test("each fork is a lane of its own model beside the original, in order", async () => {
    const { model, el, models } = original();
    models.set("f1", forkModel("k1", "-40°C"));
    model.set("forks", ["IPY_MODEL_f1"]);
    await eventually(() => expect(el.querySelectorAll(".nba-fork-lane .nba-text").length).toBe(2));
    const lanes = () => [...el.querySelectorAll(".nba-forks > .nba-fork-lane")];
    expect(lanes().map((l) => l.querySelector(".nba-title")?.textContent)).toEqual([
      "Agent",
      "fork after step 1 — edited: get_weather → -40°C",
    ]);
    expect(lanes()[0].classList.contains("nba-fork-original")).toBe(true);
    expect(lanes()[1].querySelector(".nba-text")?.textContent).toContain("It is -40°C.");

    const second = forkModel("k2", "rain");
    models.set("f2", second);
    model.set("forks", ["IPY_MODEL_f1", "IPY_MODEL_f2"]);
    await eventually(() => expect(lanes().length).toBe(3));
    await eventually(() => expect(lanes()[2].textContent).toContain("It is rain."));
    expect(lanes()[0].textContent).toContain("It is 15°C.");

    // A fork's own buttons talk to its own model: a fork of the fork goes to the kernel's fork.
    const panel = /** @type {HTMLElement} */ (lanes()[2].querySelector(".nba-tool"));
    /** @type {HTMLElement} */ (panel.querySelector(".nba-fork-open")).click();
    /** @type {HTMLElement} */ (panel.querySelector(".nba-fork-run")).click();
    expect(second.sent).toEqual([
      { type: "fork", step: null, edit: { call_1: '{\n  "temp": 15\n}' } },
    ]);
    expect(model.sent.filter((/** @type {any} */ m) => m.type === "fork")).toEqual([]);
  });
});

describe("Fork here on the step lines", waiting, () => {
  const step = (/** @type {string} */ id, /** @type {number} */ at, extra = {}) => ({
    id,
    name: id.startsWith("tools") ? "tools" : "model",
    usage: null,
    finish_reason: null,
    started_at: at,
    ended_at: at + 1,
    first_token_at: null,
    output_chars: null,
    ...extra,
  });

  /** @param {Record<string, unknown>} traits @param {Record<string, unknown>} [state] */
  function mount(traits, state = {}) {
    const steps = [step("model-1", 1000), step("tools-1", 1001, { type: "tool" })];
    steps.push(step("model-2", 1002));
    const model = /** @type {any} */ (
      new FakeModel({
        store_key: `steps-${Math.random()}`,
        can_rerun: true,
        ...traits,
        snapshot: {
          seq: 1,
          state: { ...completed([call(), answer("It is 15°C.")]), steps, ...state },
        },
      })
    );
    cleanups.push(/** @type {() => void} */ (widget.initialize({ model })));
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(/** @type {() => void} */ (widget.render({ model, el })));
    return { model, el };
  }

  const forkButtons = (/** @type {HTMLElement} */ el) => [
    ...el.querySelectorAll(".nba-steps .nba-step-fork"),
  ];

  test("each ended model step of an agent run forks with the message typed", async () => {
    const { model, el } = mount({ forks: [] });
    /** @type {HTMLButtonElement} */ (el.querySelector(".nba-details-toggle")).click();
    await eventually(() => expect(forkButtons(el)).toHaveLength(2)); // not the tool round
    const [first, second] = /** @type {HTMLButtonElement[]} */ (forkButtons(el));
    expect(first.getAttribute("aria-label")).toBe("Fork after step 1");
    second.click();
    const editor = /** @type {HTMLElement} */ (el.querySelector(".nba-details .nba-fork-editor"));
    expect(editor.hidden).toBe(false);
    expect(editor.textContent).toContain("Fork after step 3. The next user message:");
    const input = /** @type {HTMLTextAreaElement} */ (editor.querySelector("textarea"));
    const run = /** @type {HTMLButtonElement} */ (editor.querySelector(".nba-fork-run"));
    // After the answer the kernel forks only with a message: Fork waits for one.
    expect(run.disabled).toBe(true);
    input.value = "  And in Oslo?  ";
    input.dispatchEvent(new Event("input"));
    expect(run.disabled).toBe(false);
    run.click();
    first.click();
    expect(editor.textContent).toContain("Fork after step 1. The next user message (optional):");
    expect(run.disabled).toBe(false);
    run.click();
    const forks = model.sent.filter((/** @type {any} */ m) => m.type === "fork");
    expect(forks).toEqual([
      { type: "fork", step: "model-2", edit: "And in Oslo?" },
      { type: "fork", step: "model-1", edit: null },
    ]);
    expect(editor.hidden).toBe(true);
  });

  test("a run the kernel cannot fork (a replay) gets them disabled, saying why", async () => {
    const replay = { position: 9, total: 9, step: false, speed: 1, paused: false };
    const { model, el } = mount({ forks: null, can_rerun: "replayed from a recording", replay });
    /** @type {HTMLButtonElement} */ (el.querySelector(".nba-details-toggle")).click();
    await eventually(() => expect(forkButtons(el)).toHaveLength(2));
    const said = "Fork here needs a run of nbagent.Agent: a replay has no model to ask again";
    for (const b of /** @type {HTMLButtonElement[]} */ (forkButtons(el))) {
      expect(b.disabled).toBe(true);
      expect(b.title).toBe(said);
      b.click();
    }
    const note = /** @type {HTMLElement} */ (el.querySelector(".nba-details .nba-fork-note"));
    expect(note.hidden).toBe(false);
    expect(note.textContent).toBe(said);
    expect(/** @type {HTMLElement} */ (el.querySelector(".nba-fork-editor")).hidden).toBe(true);
    expect(model.sent.filter((/** @type {any} */ m) => m.type === "fork")).toEqual([]);
    // An agent run's: enabled, no note.
    const agent = mount({ forks: [] });
    /** @type {HTMLButtonElement} */ (agent.el.querySelector(".nba-details-toggle")).click();
    await eventually(() => expect(forkButtons(agent.el)).toHaveLength(2));
    expect(forkButtons(agent.el).map((b) => /** @type {HTMLButtonElement} */ (b).disabled)).toEqual(
      [false, false],
    );
    const quiet = /** @type {HTMLElement} */ (
      agent.el.querySelector(".nba-details .nba-fork-note")
    );
    expect(quiet.hidden).toBe(true);
  });

  test("any other run's say what fork() says of it, not what its tools' reach says", async () => {
    // A framework's run or watch()'s, whose tools nbagent reaches (Re-run works), and a stream's.
    for (const can_rerun of [true, "read from a stream", false]) {
      const { el } = mount({ forks: null, can_rerun, replay: {} });
      /** @type {HTMLButtonElement} */ (el.querySelector(".nba-details-toggle")).click();
      await eventually(() => expect(forkButtons(el)).toHaveLength(2));
      const said =
        "Fork here needs a run of nbagent.Agent: this run has no conversation to go on from";
      expect(forkButtons(el).map((b) => /** @type {HTMLButtonElement} */ (b).title)).toEqual([
        said,
        said,
      ]);
      expect(/** @type {HTMLElement} */ (el.querySelector(".nba-fork-note")).textContent).toBe(
        said,
      );
    }
  });

  test("no Fork here in a lane, a chat turn, or while the run streams", async () => {
    const lane = mount({});
    /** @type {HTMLButtonElement} */ (lane.el.querySelector(".nba-details-toggle")).click();
    await eventually(() => expect(lane.el.querySelectorAll(".nba-steps li")).toHaveLength(3));
    expect(forkButtons(lane.el)).toEqual([]);
    const live = mount({ forks: [] }, { status: "running", end_reason: null, ended_at: null });
    /** @type {HTMLButtonElement} */ (live.el.querySelector(".nba-details-toggle")).click();
    await eventually(() => expect(live.el.querySelectorAll(".nba-steps li")).toHaveLength(3));
    expect(forkButtons(live.el)).toEqual([]);
  });
});
