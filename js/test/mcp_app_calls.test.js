// An MCP app's own tool calls on the page (js/src/panels/app_calls.js): the frame forwards a
// checked `tools/call` to the kernel as `app_call`, shows a paused one for the author with
// the tool panel's own PauseBox (Run, Edit arguments, Deny with a reason), and posts the
// kernel's answer (the owning call's record, in the state) to the app once; a viewer's page and a malformed call get a JSON-RPC error, the kernel asked nothing.
import { describe, expect, test, vi } from "vitest";
import { useAnswerChunk } from "../src/base/answer.js";
import answerChunk from "../src/panels/answer_chunk.js";
import { answer } from "../src/panels/app_host.js";
import { PATIENCE, withoutResizeObserver } from "./app_frames.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

// The answers' code (a lazy chunk in a page: js/src/panels/pause.js) is here at once.
useAnswerChunk(answerChunk);

const cleanups = undoneAfterEach();

withoutResizeObserver();

const URI = "ui://chart/app.html";
const RESULT = { content: [{ type: "text", text: "bumped by 3" }], isError: false };

/** A run whose call c1 has an app, its app calls' records (`reruns`) given. */
function withApp(reruns = /** @type {any[]} */ ([])) {
  const meta = { app: { uri: URI, visibility: ["model", "app"] } };
  const apps = { [URI]: { html: "<p>app</p>" } };
  return runningState([toolBlock({ args: { values: [1] }, meta, reruns })], { apps });
}

/** The opened panel's frame, what it is posted, and a way to post as it. */
async function frameOf(/** @type {HTMLElement} */ el) {
  const panel = /** @type {HTMLDetailsElement} */ (q(el, ".nba-tool"));
  q(panel, "summary").click();
  await vi.waitFor(() => expect(panel.querySelector("iframe")).not.toBeNull(), PATIENCE);
  const frame = /** @type {HTMLIFrameElement} */ (panel.querySelector("iframe"));
  const win = /** @type {Window} */ (frame.contentWindow);
  /** @type {any[]} */
  const got = [];
  vi.spyOn(win, "postMessage").mockImplementation((/** @type {any} */ m) => void got.push(m));
  const send = (/** @type {unknown} */ data) =>
    window.dispatchEvent(new MessageEvent("message", { data, source: win }));
  return { got, send, panel };
}

const bump = {
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  params: { name: "bump", arguments: { by: 3 } },
};

describe("an app's tool call", () => {
  test("is forwarded to the kernel, then its answer posted to the app once", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const { got, send } = await frameOf(w.el);
    send(bump);
    expect(got).toEqual([]); // no answer of the page's own: the kernel's
    const asked = w.model.sent.filter((m) => m.type === "app_call");
    expect(asked).toHaveLength(1);
    const { request, ...rest } = asked[0];
    expect(rest).toEqual({ type: "app_call", id: "c1", name: "bump", arguments: { by: 3 } });
    const record = { by: "app", request, name: "bump", args: { by: 3 }, state: "paused" };
    w.ops([{ op: "set", i: 0, set: { reruns: [record] } }]);
    expect(got).toEqual([]);
    const done = { ...record, state: "done", answer: { result: RESULT } };
    w.ops([{ op: "set", i: 0, set: { reruns: [done] } }]);
    await vi.waitFor(
      () => expect(got).toEqual([{ jsonrpc: "2.0", id: 7, result: RESULT }]),
      PATIENCE,
    );
    w.ops([{ op: "set", i: 0, set: { duration_s: 2 } }]);
    expect(got).toHaveLength(1); // once
  });

  test("paused, is answered like the model's: Run, edited arguments, Deny with a reason", async () => {
    const w = mountView(cleanups);
    const paused = { by: "app", request: "k:0", name: "bump", args: { by: 3 }, state: "paused" };
    w.snapshot(withApp([paused]));
    const { panel } = await frameOf(w.el);
    const app = q(panel, ".nba-app");
    // The tool panel's own PauseBox, under the app: its head names the call and who called it.
    await vi.waitFor(() => expect(app.querySelector(".nba-pause-run")).not.toBeNull(), PATIENCE);
    expect(q(app, ".nba-pause-head").textContent).toBe("bump, called by the app — waiting for you");
    const answers = () => w.model.sent.filter((m) => m.type === "app_call_answer");
    q(app, ".nba-pause-run").click();
    const head = { type: "app_call_answer", id: "c1", request: "k:0" };
    expect(answers()).toEqual([{ ...head, action: "run" }]);
    // Edited: the form starts from the app's arguments; the kernel gets the edited ones.
    w.ops([{ op: "set", i: 0, set: { reruns: [{ ...paused, error: "bump: bad" }] } }]);
    expect(q(app, ".nba-pause-error").textContent).toBe("bump: bad"); // the kernel's refusal
    q(app, ".nba-pause-edit").click();
    const input = /** @type {HTMLTextAreaElement} */ (q(app, ".nba-pause-input"));
    expect(JSON.parse(input.value)).toEqual({ by: 3 });
    input.value = '{"by": 5}';
    q(app, ".nba-pause-submit").click();
    expect(answers()[1]).toEqual({ ...head, action: "run", args: { by: 5 } });
    w.ops([{ op: "set", i: 0, set: { reruns: [{ ...paused, error: "again" }] } }]);
    q(app, ".nba-pause-deny").click();
    const reason = /** @type {HTMLTextAreaElement} */ (q(app, ".nba-pause-input"));
    reason.value = "  not now ";
    q(app, ".nba-pause-submit").click();
    expect(answers()[2]).toEqual({ ...head, action: "deny", reason: "not now" });
    // No mock result: the app gets the tool's own answer.
    expect(/** @type {HTMLElement} */ (q(app, ".nba-pause-mock")).hidden).toBe(true);
    // Answered, the box goes; one box per paused call.
    w.ops([{ op: "set", i: 0, set: { reruns: [{ ...paused, state: "running" }] } }]);
    expect(app.querySelector(".nba-pause")).toBeNull();
    expect(panel.querySelectorAll(".nba-pause")).toHaveLength(1); // the panel's own
  });

  test("a kernel's error answer is a JSON-RPC error", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const { got, send } = await frameOf(w.el);
    send(bump);
    const { request } = w.model.sent.find((m) => m.type === "app_call");
    const refused = {
      by: "app",
      request,
      name: "bump",
      state: "refused",
      answer: { error: { code: -32000, message: "no" } },
    };
    w.ops([{ op: "set", i: 0, set: { reruns: [refused] } }]);
    await vi.waitFor(
      () =>
        expect(got).toEqual([{ jsonrpc: "2.0", id: 7, error: { code: -32000, message: "no" } }]),
      PATIENCE,
    );
  });

  test("on a viewer's page is refused, the kernel asked nothing, no buttons", async () => {
    const w = mountView(cleanups, { page_actions: false });
    const paused = { by: "app", request: "k:0", name: "bump", args: {}, state: "paused" };
    w.snapshot(withApp([paused]));
    const { got, send, panel } = await frameOf(w.el);
    send(bump);
    expect(got).toEqual([
      {
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32000, message: "a viewer may not call tools" },
      },
    ]);
    expect(w.model.sent.filter((m) => m.type === "app_call")).toEqual([]);
    expect(q(panel, ".nba-app").querySelector(".nba-pause, button")).toBeNull();
  });

  test("malformed params are a JSON-RPC error, the kernel asked nothing", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const { got, send } = await frameOf(w.el);
    send({ ...bump, params: { name: "bump", arguments: [1] } });
    send({ ...bump, id: 8, params: { name: "x".repeat(129) } });
    const bad = { code: -32000, message: "bad tools/call" };
    expect(got).toEqual([7, 8].map((id) => ({ jsonrpc: "2.0", id, error: bad })));
    expect(w.model.sent.filter((m) => m.type === "app_call")).toEqual([]);
  });
});

describe("the host's reading of tools/call", () => {
  test("answer leaves tools/call to the kernel, or says there is none", () => {
    const ctx = () => ({});
    const msg = { jsonrpc: /** @type {const} */ ("2.0"), id: 1, method: "tools/call" };
    expect(answer(msg, ctx)).toBeNull();
    expect(answer(msg, ctx, false)?.error.message).toBe("no kernel");
  });
});
