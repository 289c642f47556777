// Copy as code copies the call it sits on (issue 18): the original call's arguments from the
// panel's bar, a re-run's edited ones from that re-run. And an error names its type once.
import { afterEach, describe, expect, test } from "vitest";
import { RerunBox } from "../src/panels/rerun.js";
import { TranscriptView } from "../src/view/view.js";
import widget, { storeFor } from "../src/widget/index.js";
import { FakeModel, runningState, toolBlock } from "./fake-model.js";

const ac = new AbortController();
afterEach(() => {
  for (const el of [...document.body.children]) el.remove();
});

/** The clipboard's writes, through a stub of `navigator.clipboard`. */
function clipboard() {
  /** @type {string[]} */
  const copied = [];
  Object.defineProperty(navigator, "clipboard", {
    configurable: true,
    value: { writeText: async (/** @type {string} */ t) => void copied.push(t) },
  });
  return copied;
}

const block = toolBlock;

/** @param {HTMLElement} el */
async function click(el) {
  el.click();
  await new Promise((r) => setTimeout(r, 0));
}

describe("Copy as code", () => {
  test("a re-run's button copies its edited arguments, the bar's the original ones", async () => {
    const box = new RerunBox("c1", { send() {}, canRerun: () => true }, ac.signal);
    document.body.append(box.el);
    box.update(
      block({ reruns: [{ args: { city: "Oslo", days: 3 }, state: "done", result: "4" }] }),
    );
    const buttons = /** @type {HTMLElement[]} */ ([...box.el.querySelectorAll(".nba-copy-call")]);
    expect(buttons.length).toBe(2);
    const copied = clipboard();
    await click(/** @type {HTMLElement} */ (box.el.querySelector(".nba-rerun .nba-copy-call")));
    await click(/** @type {HTMLElement} */ (box.bar.querySelector(".nba-copy-call")));
    expect(copied).toEqual(['get_weather(city="Oslo", days=3)', 'get_weather(city="Paris")']);
  });

  test("each of several re-runs copies its own call, also after the list is redrawn", async () => {
    const box = new RerunBox("c1", { send() {}, canRerun: () => true }, ac.signal);
    const first = { args: { city: "Oslo" }, state: "done", result: "4" };
    box.update(block({ reruns: [first, { args: { city: "Rome" }, state: "running" }] }));
    box.update(block({ reruns: [first, { args: { city: "Rome" }, state: "done", result: "20" }] }));
    const copied = clipboard();
    for (const b of box.list.querySelectorAll(".nba-copy-call"))
      await click(/** @type {any} */ (b));
    expect(copied).toEqual(['get_weather(city="Oslo")', 'get_weather(city="Rome")']);
  });

  test("a call the kernel gave a template for copies as that template (an MCP server's)", async () => {
    const box = new RerunBox("c1", { send() {}, canRerun: () => true }, ac.signal);
    // "$&" in an argument stays as typed: the template is filled by a function, not a pattern.
    const rerun = { args: { text: "$& {args}" }, state: "done", result: "ok" };
    const callAs = 'server.call("echo\\x7bargs}", {args})';
    box.update(block({ name: "echo", args: {}, call_as: callAs, reruns: [rerun] }));
    const copied = clipboard();
    await click(/** @type {HTMLElement} */ (box.bar.querySelector(".nba-copy-call")));
    await click(/** @type {HTMLElement} */ (box.el.querySelector(".nba-rerun .nba-copy-call")));
    expect(copied).toEqual([
      'server.call("echo\\x7bargs}", )',
      'server.call("echo\\x7bargs}", text="$& {args}")',
    ]);
  });
});

describe("error box", () => {
  /** @param {Record<string, unknown>} error */
  function errorText(error) {
    const model = new FakeModel({});
    const stop = /** @type {() => void} */ (
      widget.initialize({ model: /** @type {any} */ (model) })
    );
    const el = document.createElement("div");
    document.body.append(el);
    const view = new TranscriptView(
      storeFor(/** @type {any} */ (model)),
      /** @type {any} */ (model),
      el,
      {
        raf: (cb) => {
          cb(0);
          return 0;
        },
        cancelRaf: () => {},
        soon: (cb) => cb(),
      },
    );
    const state = runningState([], { status: "error", end_reason: "error", ended_at: 2, error });
    model.msg({ type: "snapshot", seq: 1, now: 2, state });
    const text = el.querySelector(".nba-error-box")?.textContent;
    view.destroy();
    stop();
    return text;
  }

  test("an exception's type shows once", () => {
    const error = { message: "RuntimeError: backend went away", error_type: "RuntimeError" };
    expect(errorText(error)).toBe("Error: RuntimeError: backend went away");
  });

  test("a type or code the message does not start with is still said", () => {
    const error = { message: "Error code: 500", error_type: "server_error", code: 500 };
    expect(errorText(error)).toBe("Error: Error code: 500 (server_error, 500)");
  });
});
