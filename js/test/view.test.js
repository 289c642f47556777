import { afterEach, describe, expect, test, vi } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { renderMarkdown, StreamingMarkdown } from "../src/markdown/markdown.js";
import { OPEN_TOOLS } from "../src/panels/panels.js";
import { statusLabel, statusParts } from "../src/panels/status_words.js";
import { TranscriptView } from "../src/view/view.js";
import widget, { storeFor } from "../src/widget/index.js";
import { FakeModel, runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const mount = (traits = {}) => mountView(cleanups, traits);

const q = (/** @type {Element} */ el, /** @type {string} */ s) =>
  /** @type {HTMLElement} */ (el.querySelector(s));

describe("thinking panel", () => {
  test("open while streaming, collapses when answer text arrives, shows duration", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([
      {
        op: "add",
        block: {
          type: "thinking",
          id: "t1",
          text: "",
          redacted: false,
          started_at: 1000,
          ended_at: null,
        },
      },
    ]);
    w.ops([{ op: "append", i: 0, key: "text", text: "Let me <b>think</b>" }]);
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-thinking"));
    expect(panel.open).toBe(true);
    expect(q(panel, ".nba-label").textContent).toBe("Thinking…");
    // Thinking is markdown now (sanitized like answers): the model's HTML is shown as text.
    expect(q(panel, ".nba-thinking-text").textContent?.trim()).toBe("Let me <b>think</b>");
    expect(panel.querySelector("b")).toBeNull();
    w.ops([
      { op: "set", i: 0, set: { ended_at: 1001.5 } },
      { op: "add", block: { type: "text", id: "m1", text: "" } },
    ]);
    expect(panel.open).toBe(true); // no answer text yet
    expect(q(panel, ".nba-meta").textContent).toBe("1.50 s");
    w.ops([{ op: "append", i: 1, key: "text", text: "Answer" }]);
    expect(panel.open).toBe(false);
    expect(q(panel, ".nba-label").textContent).toBe("Thinking");
  });

  test("a user toggle wins and survives a re-created view", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([
      {
        op: "add",
        block: { type: "thinking", id: "t1", text: "hmm", started_at: 1000, ended_at: null },
      },
    ]);
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-thinking"));
    q(panel, "summary").click(); // user closes it while streaming
    expect(panel.open).toBe(false);
    w.ops([{ op: "append", i: 0, key: "text", text: " more" }]);
    expect(panel.open).toBe(false);
    q(panel, "summary").click(); // user opens it
    w.ops([{ op: "add", block: { type: "text", id: "m1", text: "answer" } }]);
    expect(panel.open).toBe(true); // stays open: the user opened it
    w.view.destroy();
    const v2 = w.mk();
    const p2 = /** @type {HTMLDetailsElement} */ (q(v2.root, ".nba-thinking"));
    expect(p2.open).toBe(true);
  });

  test("redacted thinking and show_thinking=false", () => {
    const w = mount();
    w.snapshot(
      runningState([
        { type: "thinking", id: "t1", text: "", redacted: true, started_at: 1, ended_at: 2 },
      ]),
    );
    expect(q(w.el, ".nba-thinking-text").textContent?.trim()).toBe("(redacted)");
    expect(w.view.root.classList.contains("nba-hide-thinking")).toBe(false);
    w.model.set("show_thinking", false);
    w.frame();
    expect(w.view.root.classList.contains("nba-hide-thinking")).toBe(true);
  });
});

describe("tool panel", () => {
  const tool = {
    type: "tool",
    id: "c1",
    name: "get_weather",
    arguments: "",
    args: null,
    parse_error: null,
    state: "args",
    result: null,
    is_error: false,
    started_at: 1,
    args_done_at: null,
    ended_at: null,
    duration_s: null,
  };

  test("an MCP server's tool names its server", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([{ op: "add", block: { ...tool, name: "forecast" } }]);
    const name = q(w.el, ".nba-tool-name");
    expect(name.textContent).toBe("forecast");
    w.ops([{ op: "set", i: 0, set: { server: "weather" } }]);
    expect(name.textContent).toBe("forecast · weather");
  });

  test("args stream as text, then pretty JSON; done collapses with a check icon and duration", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([
      { op: "add", block: tool },
      { op: "append", i: 0, key: "arguments", text: '{"city": "Pa' },
    ]);
    const p = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    expect(p.open).toBe(true);
    expect(q(p, ".nba-tool-name").textContent).toBe("get_weather");
    expect(q(p, ".nba-args").textContent).toBe('{"city": "Pa');
    expect(q(p, ".nba-state .nba-spinner")).not.toBeNull();
    w.ops([
      { op: "append", i: 0, key: "arguments", text: 'ris"}' },
      { op: "set", i: 0, set: { state: "running", args: { city: "Paris" } } },
    ]);
    expect(q(p, ".nba-args").textContent).toBe('{\n  "city": "Paris"\n}');
    expect(q(p, ".nba-preview").textContent).toBe('city="Paris"');
    expect(p.open).toBe(true);
    w.ops([{ op: "set", i: 0, set: { state: "done", result: { temp: 18 }, duration_s: 63.2 } }]);
    expect(p.open).toBe(false);
    expect(q(p, ".nba-state svg.nba-icon-check")).not.toBeNull();
    expect(q(p, ".nba-state").textContent).toBe("");
    expect(q(p, ".nba-meta").textContent).toBe("1 m 03 s");
    expect(q(p, ".nba-result").textContent).toBe('{\n  "temp": 18\n}');
  });

  test("in a place of calls shown for their results (the MCP inspector's), done stays open", () => {
    const w = mount();
    w.el.classList.add(OPEN_TOOLS);
    w.snapshot(runningState([{ ...tool, args: { city: "Paris" }, state: "running" }]));
    const p = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    w.ops([{ op: "set", i: 0, set: { state: "done", result: "18 °C", duration_s: 0.2 } }]);
    expect(p.open).toBe(true);
    expect(q(p, ".nba-result").textContent).toBe("18 °C");
    q(p, ".nba-summary").click(); // the reader's choice stands
    expect(p.open).toBe(false);
    w.ops([{ op: "set", i: 0, set: { duration_s: 0.3 } }]);
    expect(p.open).toBe(false);
  });

  test("errors stay open and are styled; parse errors show the raw text", () => {
    const w = mount();
    w.snapshot(
      runningState([
        { ...tool, arguments: "{bad", state: "running", parse_error: "Expecting value" },
      ]),
    );
    const p = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    expect(q(p, ".nba-args").textContent).toBe("{bad");
    expect(q(p, ".nba-parse-error").textContent).toContain("Expecting value");
    w.ops([
      {
        op: "set",
        i: 0,
        set: { state: "error", is_error: true, result: "boom <script>", duration_s: 0.42 },
      },
    ]);
    expect(p.open).toBe(true);
    expect(q(p, ".nba-state svg.nba-icon-cross")).not.toBeNull();
    expect(q(p, ".nba-result").classList.contains("nba-is-error")).toBe(true);
    expect(q(p, ".nba-result").textContent).toBe("boom <script>");
    expect(q(p, ".nba-meta").textContent).toBe("0.42 s");
  });

  test("what the tool printed, its traceback and a timeout show as text", () => {
    const w = mount();
    w.snapshot(runningState([{ ...tool, args: {}, state: "running" }]));
    const p = q(w.el, ".nba-tool");
    expect(q(p, ".nba-output").hidden).toBe(true);
    expect(q(p, ".nba-traceback").hidden).toBe(true);
    expect(q(p, ".nba-abandoned").hidden).toBe(true);
    const tb = 'Traceback (most recent call last):\n  File "<cell>", line 3\nValueError: <b>no</b>';
    w.ops([
      {
        op: "set",
        i: 0,
        set: {
          state: "error",
          is_error: true,
          result: "ValueError: <b>no</b>",
          output: "looking up <img src=x>\n",
          traceback: tb,
          abandoned: true,
        },
      },
    ]);
    expect(q(p, ".nba-output").hidden).toBe(false);
    expect(q(p, ".nba-output").textContent).toBe("looking up <img src=x>\n");
    const details = /** @type {HTMLDetailsElement} */ (q(p, ".nba-traceback"));
    expect(details.hidden).toBe(false);
    expect(details.open).toBe(false);
    expect(q(p, ".nba-traceback-text").textContent).toBe(tb);
    expect(q(p, ".nba-abandoned").hidden).toBe(false);
    expect(p.querySelector("img, b")).toBeNull();
  });

  test("Re-run and Copy as code: only for agent runs, JSON arguments only", async () => {
    const w = mount();
    const done = { ...tool, args: { city: "Paris", n: 2, ok: true, x: null }, state: "done" };
    w.snapshot(runningState([{ ...done, result: { temp: 18 } }]));
    const p = q(w.el, ".nba-tool");
    expect(q(p, ".nba-rerun-open").hidden).toBe(true); // not an agent run
    expect(q(p, ".nba-copy-call").hidden).toBe(false);
    w.model.set("can_rerun", true);
    w.frame();
    expect(q(p, ".nba-rerun-open").hidden).toBe(false);
    q(p, ".nba-rerun-open").click();
    const input = /** @type {HTMLTextAreaElement} */ (q(p, ".nba-rerun-args"));
    expect(q(p, ".nba-rerun-editor").hidden).toBe(false);
    expect(JSON.parse(input.value)).toEqual(done.args);
    input.value = "{city: 'Oslo'}";
    q(p, ".nba-rerun-run").click();
    expect(q(p, ".nba-rerun-error").hidden).toBe(false);
    expect(q(p, ".nba-rerun-error").textContent).toContain("Not valid JSON");
    input.value = '["Oslo"]';
    q(p, ".nba-rerun-run").click();
    expect(q(p, ".nba-rerun-error").textContent).toContain("JSON object");
    expect(w.model.sent.filter((m) => m.type === "rerun")).toEqual([]);
    input.value = '{"city": "Oslo"}';
    q(p, ".nba-rerun-run").click();
    expect(q(p, ".nba-rerun-editor").hidden).toBe(true);
    expect(w.model.sent.filter((m) => m.type === "rerun")).toEqual([
      { type: "rerun", id: "c1", args: { city: "Oslo" } },
    ]);

    /** @type {string[]} */
    const copied = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (/** @type {string} */ t) => void copied.push(t) },
    });
    q(p, ".nba-copy-call").click();
    await new Promise((r) => setTimeout(r, 0));
    expect(copied).toEqual(['get_weather(city="Paris", n=2, ok=True, x=None)']);
    expect(q(p, ".nba-copy-call").textContent).toBe("Copied");
  });

  test("a viewer of a served app gets Copy as code, no Re-run, no Fork", () => {
    const w = mount({ can_rerun: true, forks: [], page_actions: false });
    w.snapshot(runningState([{ ...tool, args: { city: "Paris" }, state: "done", result: "18" }]));
    const p = q(w.el, ".nba-tool");
    expect(q(p, ".nba-rerun-open").hidden).toBe(true);
    expect(q(p, ".nba-copy-call").hidden).toBe(false);
    expect(q(p, ".nba-fork-box").hidden).toBe(true);
  });

  test("re-runs show under the original call, as text", () => {
    const w = mount({ can_rerun: true });
    const done = { ...tool, args: { city: "Paris" }, state: "done", result: "18" };
    w.snapshot(runningState([done]));
    const p = q(w.el, ".nba-tool");
    w.ops([{ op: "set", i: 0, set: { reruns: [{ args: { city: "Oslo" }, state: "running" }] } }]);
    expect(q(p, ".nba-rerun-head").textContent).toBe('Re-run 1 · city="Oslo" · running…');
    const reruns = [
      { args: { city: "Oslo" }, state: "done", result: { temp: 4 }, duration_s: 0.25 },
      {
        args: { city: "<img src=x>" },
        state: "error",
        is_error: true,
        result: "ValueError: <b>bad</b>",
        output: "tried\n",
        traceback: "Traceback ...",
      },
    ];
    w.ops([{ op: "set", i: 0, set: { reruns } }]);
    const items = p.querySelectorAll(".nba-rerun");
    expect(items.length).toBe(2);
    expect(q(items[0], ".nba-rerun-head").textContent).toBe('Re-run 1 · city="Oslo" · 0.25 s');
    expect(q(items[0], ".nba-result").textContent).toBe('{\n  "temp": 4\n}');
    expect(items[1].classList.contains("nba-error")).toBe(true);
    expect(q(items[1], ".nba-result").textContent).toBe("ValueError: <b>bad</b>");
    expect(q(items[1], ".nba-output").textContent).toBe("tried\n");
    expect(q(items[1], ".nba-traceback-text").textContent).toBe("Traceback ...");
    expect(p.querySelector(".nba-reruns img, .nba-reruns b")).toBeNull();
    expect(q(p, ".nba-result").textContent).toBe("18"); // the original result stays
  });

  test("an MCP app's call shows as the app's call of its tool, copied as that call", async () => {
    const w = mount({ can_rerun: true });
    const callAs = "server.call('chart', {args})";
    w.snapshot(
      runningState([{ ...tool, name: "chart", state: "done", result: "1", call_as: callAs }]),
    );
    const p = q(w.el, ".nba-tool");
    const byApp = {
      args: { by: 2 },
      state: "done",
      result: "bumped",
      label: "bump, called by the app",
      call_as: 'server.call("bump", {args})',
    };
    w.ops([{ op: "set", i: 0, set: { reruns: [byApp] } }]);
    expect(q(p, ".nba-rerun-head").textContent).toBe("bump, called by the app · by=2");
    const copied = /** @type {string[]} */ ([]);
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText: async (/** @type {string} */ t) => void copied.push(t) },
      configurable: true,
    });
    /** @type {HTMLElement} */ (q(q(p, ".nba-rerun"), ".nba-copy-call")).click();
    await vi.waitFor(() => expect(copied).toEqual(['server.call("bump", by=2)']));
  });

  test("long results fold after 20 lines with Show all", () => {
    const w = mount();
    const result = Array.from({ length: 45 }, (_, i) => `line ${i}`).join("\n");
    w.snapshot(runningState([{ ...tool, args: {}, state: "done", result }]));
    const p = q(w.el, ".nba-tool");
    expect(q(p, ".nba-result").textContent?.split("\n").length).toBe(20);
    const more = q(p, ".nba-more");
    expect(more.hidden).toBe(false);
    expect(more.textContent).toBe("Show all (45 lines)");
    more.click();
    expect(q(p, ".nba-result").textContent).toBe(result);
    expect(more.hidden).toBe(true);
  });

  test("a user-opened finished tool stays open", () => {
    const w = mount();
    w.snapshot(runningState([{ ...tool, args: {}, state: "running" }]));
    const p = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    q(p, "summary").click(); // close
    q(p, "summary").click(); // open again
    w.ops([{ op: "set", i: 0, set: { state: "done", result: "ok" } }]);
    expect(p.open).toBe(true);
  });
});

describe("status line", () => {
  const base = runningState([{ type: "text", id: "m1", text: "x".repeat(400) }], {
    first_token_at: 1000.5,
    deltas: 100,
  });

  test("final statuses", () => {
    const done = { ...base, status: "completed", end_reason: "completed", ended_at: 1004.5 };
    expect(statusLabel(done)).toBe("completed");
    expect(statusLabel({ ...done, end_reason: "max_tokens" })).toBe("completed (max tokens)");
    expect(statusLabel({ ...done, end_reason: "tool_calls" })).toBe("completed (tool calls)");
    expect(statusLabel({ ...done, end_reason: "incomplete" })).toBe(
      "completed (stream ended unexpectedly)",
    );
    expect(statusLabel({ ...done, status: "cancelled", end_reason: "cancelled" })).toBe(
      "cancelled",
    );
    expect(
      statusLabel({ ...done, status: "error", end_reason: "error", error: { message: "boom" } }),
    ).toBe("error: boom");
    expect(statusLabel({ ...base, activity: "searching…" })).toBe("searching…");
    expect(statusLabel({ blocks: [] })).toBe("waiting");
    // Started, nothing streamed yet: the label says so, the line has the clock only.
    expect(statusLabel(runningState())).toBe("waiting for the first token");
    expect(statusParts(runningState(), 1007.25)).toEqual(["7.2 s"]);
    // A state without generation time (saved before it was kept): from the first token on;
    // no usage: one token per delta.
    expect(statusParts(done, 0)).toEqual(["first token 0.50 s", "≈ 25.0 tok/s", "4.5 s"]);
    const withUsage = { ...done, usage: { input_tokens: 120, output_tokens: 456 } };
    expect(statusParts(withUsage, 0)).toEqual([
      "first token 0.50 s",
      "114.0 tok/s",
      "4.5 s",
      "in 120 · out 456 tokens",
    ]);
    // nbagent.watch() on calls that do not stream: messages came whole, no token rate.
    expect(statusParts({ ...withUsage, whole: true }, 0)).toEqual([
      "first message 0.50 s",
      "whole messages",
      "4.5 s",
      "in 120 · out 456 tokens",
    ]);
  });

  test("elapsed ticks from the kernel clock while running", () => {
    expect(statusParts(base, 1000.93)).toContain("0.9 s");
    expect(statusParts(base, 1007.9)).toContain("7.9 s");
    expect(statusParts(base, 1012.5)).toContain("12 s");
    expect(statusParts(base, 1063)).toContain("1 m 03 s");
  });

  test("Stop sends stop, then shows Stopping… until the status changes", () => {
    const w = mount();
    w.snapshot(runningState());
    const stop = /** @type {HTMLButtonElement} */ (q(w.el, ".nba-stop"));
    expect(stop.hidden).toBe(false);
    stop.click();
    w.frame();
    expect(w.model.sent.filter((m) => m.type === "stop")).toEqual([{ type: "stop" }]);
    expect(stop.textContent).toBe("Stopping…");
    expect(stop.disabled).toBe(true);
    w.ops([{ op: "run", set: { status: "cancelled", end_reason: "cancelled", ended_at: 1002 } }]);
    expect(stop.hidden).toBe(true);
    expect(q(w.el, ".nba-status-label").textContent).toBe("cancelled");
  });

  test("a Stop the run does not answer is sent again, doubling, until the status changes", () => {
    vi.useFakeTimers();
    try {
      const w = mount();
      w.snapshot(runningState());
      /** @type {HTMLButtonElement} */ (q(w.el, ".nba-stop")).click();
      const stops = () => w.model.sent.filter((m) => m.type === "stop").length;
      expect(stops()).toBe(1);
      vi.advanceTimersByTime(1999);
      expect(stops()).toBe(1);
      vi.advanceTimersByTime(1);
      expect(stops()).toBe(2); // lost around a reload: asked again
      vi.advanceTimersByTime(4000);
      expect(stops()).toBe(3);
      w.ops([{ op: "run", set: { status: "cancelled", end_reason: "cancelled", ended_at: 1002 } }]);
      vi.advanceTimersByTime(60_000);
      expect(stops()).toBe(3); // answered: no more
    } finally {
      vi.useRealTimers();
    }
  });

  test("warnings, error box below the partial output, title", () => {
    const w = mount({ title: "" });
    w.snapshot(runningState([{ type: "text", id: "m1", text: "partial" }]));
    w.ops([
      {
        op: "run",
        set: { warnings: ["skipped a chunk", { message: "retrying" }], title: "My <b>run</b>" },
      },
    ]);
    expect([...w.el.querySelectorAll(".nba-warning")].map((li) => li.textContent)).toEqual([
      "skipped a chunk",
      "retrying",
    ]);
    expect(w.el.querySelectorAll(".nba-warning > svg.nba-icon-warning").length).toBe(2);
    expect(q(w.el, ".nba-title").textContent).toBe("My <b>run</b>");
    w.ops([
      {
        op: "run",
        set: {
          status: "error",
          end_reason: "error",
          ended_at: 1003,
          error: { message: "rate <i>limited</i>", error_type: "RateLimit", code: 429 },
        },
      },
    ]);
    const box = q(w.el, ".nba-error-box");
    expect(box.hidden).toBe(false);
    expect(box.textContent).toBe("Error: rate <i>limited</i> (RateLimit, 429)");
    expect(q(w.el, ".nba-md").textContent).toContain("partial");
    expect(
      box.compareDocumentPosition(q(w.el, ".nba-md")) & Node.DOCUMENT_POSITION_PRECEDING,
    ).toBeTruthy();
    // The status line: the error's class and first line (the box above has the whole text).
    expect(q(w.el, ".nba-status-label").textContent).toBe("error: RateLimit: rate <i>limited</i>");
  });
});

describe("render lifecycle", () => {
  test("render returns a cleanup that removes the view and listeners", () => {
    const model = new FakeModel();
    const el = document.createElement("div");
    const stopInit = /** @type {() => void} */ (
      widget.initialize({ model: /** @type {any} */ (model) })
    );
    const stop = /** @type {() => void} */ (
      widget.render({ model: /** @type {any} */ (model), el })
    );
    expect(el.querySelector(".nbagent")).not.toBeNull();
    stop();
    expect(el.querySelector(".nbagent")).toBeNull();
    stopInit();
    expect(model.listenerCount()).toBe(0);
  });
});

describe("copy button", () => {
  test("copies the code text and shows Copied", async () => {
    /** @type {string[]} */
    const copied = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (/** @type {string} */ t) => void copied.push(t) },
    });
    const w = mount();
    w.snapshot(
      runningState([{ type: "text", id: "m1", text: "```python\nprint('<b>')\n```\n\nafter" }], {
        status: "completed",
      }),
    );
    const btn = q(w.el, ".nba-code .nba-copy");
    btn.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(copied).toEqual(["print('<b>')"]);
    expect(btn.textContent).toBe("Copied");
  });
});

test("a near-instant run's tokens/s is left out, not shown as a dash", () => {
  const s = runningState([{ type: "text", id: "m1", text: "abc" }], {
    status: "completed",
    first_token_at: 1000,
    ended_at: 1000.01,
  });
  expect(statusParts(s, 0).join(" · ")).not.toMatch(/tok\/s|—/);
});

describe("footer", () => {
  test("one status line; the details fold behind one click, the replay bar in them", () => {
    const steps = [
      { id: "s1", name: "model", usage: { input_tokens: 4, output_tokens: 9 }, output_deltas: 3 },
      { id: "s2", name: "model", usage: { input_tokens: 6, output_tokens: 2 }, output_deltas: 2 },
    ].map((step, n) => ({ ...step, started_at: 1000 + 2 * n }));
    const failing = { type: "tool", id: "c1", name: "f", arguments: "{}", state: "error" };
    const w = mount({ replay: { position: 3, total: 3, step: false, speed: 1, paused: false } });
    w.snapshot({
      ...runningState([failing], { steps, deltas: 5, usage: { input_tokens: 10 } }),
      status: "completed",
      end_reason: "completed",
      ended_at: 1003,
    });
    const footer = q(w.view.root, ".nba-footer");
    const shown = [...footer.children].filter((c) => !(/** @type {HTMLElement} */ (c).hidden));
    expect(shown.map((c) => c.className)).toEqual(["nba-status"]);
    const toggle = /** @type {HTMLButtonElement} */ (q(footer, ".nba-status .nba-details-toggle"));
    const details = q(footer, ".nba-details");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(toggle.getAttribute("aria-controls")).toBe(details.id);
    expect(details.contains(q(w.view.root, ".nba-replay"))).toBe(true);
    toggle.click();
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(details.hidden).toBe(false);
    expect([...details.querySelectorAll(".nba-step")].map((li) => li.textContent)).toEqual([
      "step 1 · in 4 · out 9 tokens",
      "step 2 · in 6 · out 2 tokens",
    ]);
    expect(q(details, ".nba-details-usage").textContent).toBe("in 10 tokens");
    // The steps' usage covers the run's 5 deltas: their tokens, not estimated, in words.
    expect(q(details, ".nba-details-counts").textContent).toBe("11 output tokens");
    expect(q(details, ".nba-replay-label").textContent).toBe("Replay · event 3 of 3");
    toggle.click();
    expect(details.hidden).toBe(true);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
  });
});

describe("steps", () => {
  test("a run of several model calls lists each step with its usage", async () => {
    const { stepLines } = await import("../src/panels/step_lines.js");
    const steps = [
      {
        id: "s1",
        name: "model",
        usage: { input_tokens: 412, output_tokens: 96 },
        finish_reason: "tool_calls",
      },
      {
        id: "s2",
        name: "model",
        usage: { input_tokens: 655, output_tokens: 241 },
        finish_reason: "stop",
      },
    ];
    expect(stepLines(runningState([], { steps }))).toEqual([
      "step 1 · in 412 · out 96 tokens · tool calls",
      "step 2 · in 655 · out 241 tokens · stop",
    ]);
    expect(stepLines(runningState([], { steps: steps.slice(0, 1) }))).toEqual([]);
    const model = new FakeModel({ snapshot: { seq: 1, state: runningState([], { steps }) } });
    const el = document.createElement("div");
    const view = new TranscriptView(
      storeFor(/** @type {any} */ (model)),
      /** @type {any} */ (model),
      el,
    );
    view.flush();
    /** @type {HTMLButtonElement} */ (el.querySelector(".nba-details-toggle")).click();
    const items = [...el.querySelectorAll(".nba-step")].map((li) => li.textContent);
    expect(items).toHaveLength(2);
    expect(items[1]).toContain("in 655");
    view.destroy();
  });
});

/** The rendered text of a text block, whitespace collapsed. */
const text = (/** @type {Element} */ el, sel = ".nba-text") =>
  (q(el, sel).textContent ?? "").replace(/\s+/g, " ").trim();

describe("when a change renders", () => {
  /** A view with a hand-driven clock, frame queue and soon queue. */
  function timed() {
    const model = new FakeModel({ snapshot: { seq: 1, state: runningState() } });
    const el = document.createElement("div");
    /** @type {FrameRequestCallback[]} */
    const frames = [];
    /** @type {(() => void)[]} */
    const soon = [];
    const clock = { now: 1000, visible: true };
    const store = storeFor(/** @type {any} */ (model));
    const view = new TranscriptView(store, /** @type {any} */ (model), el, {
      raf: (cb) => frames.push(cb),
      cancelRaf: () => {},
      soon: (cb) => void soon.push(cb),
      now: () => clock.now,
      visible: () => clock.visible,
    });
    cleanups.push(() => view.destroy());
    let seq = 1;
    const send = (/** @type {any[]} */ list) =>
      model.msg({ type: "ops", seq: ++seq, now: 1001, ops: list });
    const run = (/** @type {Function[]} */ q) => {
      for (const cb of q.splice(0)) cb(0);
    };
    return { el, view, frames, soon, clock, send, run };
  }

  test("after a quiet spell at once (right after the message), then at most once a frame", () => {
    const t = timed();
    t.clock.now += 500; // the first token comes well after the view was drawn
    t.send([{ op: "add", block: { type: "text", id: "m1", text: "Hello" } }]);
    expect(t.soon).toHaveLength(1);
    expect(t.frames).toHaveLength(0);
    t.run(t.soon);
    expect(text(t.el)).toBe("Hello");
    t.clock.now += 5; // the next batch, within a frame of that render: wait for the frame
    t.send([{ op: "append", i: 0, key: "text", text: " world" }]);
    expect(t.soon).toHaveLength(0);
    expect(t.frames).toHaveLength(1);
    expect(text(t.el)).toBe("Hello");
    t.run(t.frames);
    expect(text(t.el)).toBe("Hello world");
  });

  test("a hidden page renders at its next frame only", () => {
    const t = timed();
    t.clock.now += 500;
    t.clock.visible = false;
    t.send([{ op: "add", block: { type: "text", id: "m1", text: "Hello" } }]);
    expect(t.soon).toHaveLength(0);
    expect(t.frames).toHaveLength(1);
  });

  test("a streamed text block is fed its new text only", () => {
    const t = timed();
    t.clock.now += 500;
    t.send([
      { op: "add", block: { type: "text", id: "m1", text: "" } },
      { op: "add", block: { type: "text", id: "m2", text: "" } },
    ]);
    t.run(t.soon);
    const [first, second] = t.view.views.map((v) => /** @type {any} */ (v.md));
    /** @type {string[]} */
    const calls = [];
    for (const [name, md] of [
      ["m1", first],
      ["m2", second],
    ]) {
      const set = md.set.bind(md);
      const append = md.append.bind(md);
      md.set = (/** @type {string} */ text, /** @type {boolean} */ f) => {
        calls.push(`${name} set ${text}`);
        set(text, f);
      };
      md.append = (/** @type {string} */ d) => {
        if (d) calls.push(`${name} append ${d}`);
        append(d);
      };
    }
    for (const word of ["one ", "two ", "three"]) {
      t.clock.now += 100;
      t.send([{ op: "append", i: 1, key: "text", text: word }]);
      t.run(t.soon);
    }
    expect(calls).toEqual(["m2 append one ", "m2 append two ", "m2 append three"]);
    expect(text(t.el, ".nba-text:last-child")).toBe("one two three");
  });
});

test("a view that replaces a destroyed one takes over its rendered text, not its panels", () => {
  const w = mount();
  w.snapshot(
    runningState([
      { type: "thinking", id: "t1", text: "hmm", started_at: 1, ended_at: 2 },
      { type: "text", id: "m1", text: "# Title\n\nSome *text*." },
    ]),
  );
  const md = w.el.querySelector(".nba-text .nba-md");
  const panel = w.el.querySelector(".nba-thinking");
  w.view.destroy(); // JupyterLab re-creates the output when the run's display is updated
  const v2 = w.mk();
  expect(v2.root.querySelector(".nba-text .nba-md")).toBe(md);
  expect(v2.root.querySelector(".nba-thinking")).not.toBe(panel);
  expect(v2.root.querySelector(".nba-text h1")?.textContent).toBe("Title");
  w.ops([{ op: "append", i: 1, key: "text", text: " More." }]);
  expect(text(v2.root)).toBe("Title Some text. More.");
  const v3 = w.mk(); // a second view while v2 lives gets a copy of its rendering
  const copy = v3.root.querySelector(".nba-text .nba-md");
  expect(copy).not.toBe(md);
  expect(copy?.innerHTML).toBe(md?.innerHTML);
  w.ops([{ op: "append", i: 1, key: "text", text: " And **more**." }]);
  expect(copy?.innerHTML).toBe(md?.innerHTML);
  expect(text(v3.root)).toBe("Title Some text. More. And more.");
});

test("a copied rendering goes on streaming like the original", () => {
  const src =
    "# T\n\n- one\n- two\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nend";
  const a = new StreamingMarkdown();
  a.append(src.slice(0, 25));
  a.flush();
  const b = a.clone();
  for (const s of [a, b]) {
    s.append(src.slice(25));
    s.setFinal(true);
    s.flush();
  }
  expect(b.el.innerHTML).toBe(renderMarkdown(src).innerHTML);
  expect(a.el.innerHTML).toBe(b.el.innerHTML);
});

describe("replay bar", () => {
  test("a live run has none", () => {
    const w = mount();
    w.snapshot(runningState());
    expect(q(w.view.root, ".nba-replay").hidden).toBe(true);
  });

  test("a step replay shows its position and sends the step buttons' clicks", () => {
    const r = { position: 0, total: 42, step: true, speed: 1, paused: true };
    const w = mount({ replay: r });
    w.snapshot(runningState());
    const bar = q(w.view.root, ".nba-replay");
    expect(bar.hidden).toBe(false);
    // Its buttons wait for a click: the footer's details, where the bar is, opened for them.
    expect(q(w.view.root, ".nba-details").hidden).toBe(false);
    expect(violations(w.view.root)).toEqual([]); // our own buttons, no data-/on* attributes
    expect(q(bar, ".nba-replay-label").textContent).toBe("Replay paused · event 0 of 42");
    const buttons = [...bar.querySelectorAll("button")];
    expect(buttons.map((b) => b.textContent)).toEqual(["Next event", "Next tool call", "To end"]);
    for (const b of buttons) b.click();
    expect(w.model.sent.filter((m) => m.type === "step")).toEqual([
      { type: "step", to: "event" },
      { type: "step", to: "tool" },
      { type: "step", to: "end" },
    ]);
    w.model.set("replay", { ...r, position: 12 });
    w.frame();
    expect(q(bar, ".nba-replay-label").textContent).toBe("Replay paused · event 12 of 42");
    // Once the run is over there is nothing left to step through.
    w.model.set("replay", { ...r, position: 42, paused: false });
    w.snapshot({ ...runningState(), status: "completed", end_reason: "completed", ended_at: 1001 });
    expect(q(bar, ".nba-replay-label").textContent).toBe("Replay · event 42 of 42");
    expect(q(bar, ".nba-replay-buttons").hidden).toBe(true);
  });

  test("a replay that plays on its own says how fast, with no buttons", () => {
    const w = mount({ replay: { position: 0, total: 7, step: false, speed: 0, paused: false } });
    w.snapshot(runningState());
    const bar = q(w.view.root, ".nba-replay");
    expect(q(bar, ".nba-replay-label").textContent).toBe("Replay · 7 events · as fast as possible");
    expect(q(bar, ".nba-replay-buttons").hidden).toBe(true);
    w.model.set("replay", { position: 0, total: 7, step: false, speed: 2, paused: false });
    w.frame();
    expect(q(bar, ".nba-replay-label").textContent).toBe("Replay · 7 events · 2× speed");
  });
});

describe("nesting", () => {
  const tool = (/** @type {string} */ id, /** @type {any} */ extra = {}) => ({
    type: "tool",
    id,
    name: "research",
    arguments: "{}",
    args: {},
    state: "running",
    ...extra,
  });

  test("a sub-agent's blocks go inside the tool call that started it, live", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([
      { op: "add", block: { type: "text", id: "m1", text: "Let me ask." } },
      { op: "add", block: tool("call_1") },
      { op: "add", block: { type: "text", id: "s1", text: "Sub answer", parent: "call_1" } },
    ]);
    w.ops([{ op: "append", i: 2, key: "text", text: " grows" }]);
    w.ops([{ op: "add", block: tool("call_2", { name: "search", parent: "call_1" }) }]);
    const outer = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-blocks > .nba-tool"));
    const children = q(outer, ".nba-children");
    expect([...children.children].map((c) => c.className)).toEqual([
      "nba-text",
      expect.stringContaining("nba-tool"),
    ]);
    expect(q(children, ".nba-text").textContent?.trim()).toBe("Sub answer grows");
    // top level: the text and the outer tool only
    expect(w.el.querySelectorAll(".nba-blocks > *").length).toBe(2);
    w.ops([
      {
        op: "set",
        i: 1,
        set: {
          state: "done",
          result: "ok",
          duration_s: 2,
          usage: { input_tokens: 5, output_tokens: 7 },
        },
      },
    ]);
    expect(q(outer, ".nba-meta").textContent).toBe("2.00 s · in 5 · out 7 tokens");
  });

  test("an agent block is a collapsible scope with its name, duration and usage", () => {
    const w = mount();
    w.snapshot(runningState());
    w.ops([
      {
        op: "add",
        block: { type: "agent", id: "ns1", name: "researcher", started_at: 10, ended_at: null },
      },
      { op: "add", block: { type: "thinking", id: "t1", text: "hmm", parent: "ns1" } },
      { op: "add", block: { type: "text", id: "a1", text: "Found it", parent: "ns1" } },
      { op: "add", block: { type: "text", id: "m2", text: "Done." } },
    ]);
    const agent = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-agent"));
    expect(agent.open).toBe(true);
    expect(q(agent, ".nba-label").textContent).toBe("researcher");
    expect(q(agent, ".nba-children").textContent).toContain("Found it");
    expect(q(w.el, ".nba-blocks > .nba-text:last-child").textContent).toContain("Done.");
    w.ops([
      { op: "set", i: 0, set: { ended_at: 13.5, usage: { input_tokens: 1, output_tokens: 2 } } },
    ]);
    expect(agent.open).toBe(false);
    expect(q(agent, ".nba-meta").textContent).toBe("3.50 s · in 1 · out 2 tokens");
  });

  test("a reopened view nests the same way; an unknown parent falls back to the top", () => {
    const w = mount();
    w.snapshot(
      runningState([
        tool("call_1"),
        { type: "text", id: "s1", text: "inside", parent: "call_1" },
        { type: "text", id: "x", text: "orphan", parent: "nowhere" },
      ]),
    );
    w.mk();
    w.frame();
    for (const root of w.el.querySelectorAll(".nbagent")) {
      expect(q(root, ".nba-tool .nba-children").textContent).toContain("inside");
      expect(q(root, ".nba-blocks > .nba-text").textContent).toContain("orphan");
    }
  });
});

describe("cost", () => {
  test("a cost the source reports shows in the status line with the digits that matter", () => {
    const base = runningState([], { status: "completed", started_at: 0, ended_at: 2 });
    expect(statusParts({ ...base, cost_usd: 0.0419 }, 2)).toContain("$0.042");
    expect(statusParts({ ...base, cost_usd: 1.2 }, 2)).toContain("$1.20");
    expect(statusParts({ ...base, cost_usd: 0.00312 }, 2)).toContain("$0.0031");
    expect(statusParts(base, 2).some((p) => p.startsWith("$"))).toBe(false);
  });
});
