// AG-UI 1.0's activities and interrupts in the view (nbagent/transcript/run_blocks.py): an
// activity's panel follows its content as the kernel's ops set it, and says when a patch ended
// it; an interrupt's panel says its reason, message, expiry, the fields its answer takes and the
// code that answers it; encrypted reasoning is said, never shown; all of it in a saved view, and
// hostile text as text.
import { describe, expect, test } from "vitest";
import { useAnswerChunk } from "../src/base/answer.js";
import answerChunk from "../src/panels/answer_chunk.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountSaved, mountView, q, undoneAfterEach } from "./mount.js";

useAnswerChunk(answerChunk);

const cleanups = undoneAfterEach();

const HOSTILE = '<img src=x onerror="globalThis.pwned=1">';

const activity = (extra = {}) => ({
  type: "activity",
  id: "a1",
  activity_type: "SEARCH",
  content: { query: "flights", found: 0 },
  ...extra,
});

const interrupt = {
  type: "interrupt",
  id: "i-details",
  reason: "input_required",
  message: `Where to? ${HOSTILE}`,
  expires_at: "2026-12-01T12:00:00Z",
  response_schema: {
    type: "object",
    properties: { city: { type: "string" }, nights: { type: "integer" } },
    required: ["city"],
  },
};

describe("an activity", () => {
  test("follows its content live, and a bad patch's note ends it", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([activity()]));
    const panel = q(w.el, '[aria-label="Activity"]');
    expect(q(panel, ".nba-plan-head").textContent).toBe("Activity: SEARCH");
    expect(JSON.parse(q(panel, "pre").textContent ?? "")).toEqual({ query: "flights", found: 0 });
    w.ops([{ op: "set", i: 0, set: { content: { query: "flights", found: 3 } } }]);
    expect(JSON.parse(q(panel, "pre").textContent ?? "").found).toBe(3);
    expect(q(panel, ".nba-pause-error").hidden).toBe(true);
    w.ops([{ op: "set", i: 0, set: { error: "stopped following this activity: a bad patch" } }]);
    expect(q(panel, ".nba-plan-head").textContent).toBe("Activity: SEARCH · stopped");
    expect(q(panel, ".nba-pause-error").textContent).toContain("a bad patch");
    expect(JSON.parse(q(panel, "pre").textContent ?? "").found).toBe(3); // the last good one
  });
});

describe("an interrupt", () => {
  test("says what the run waits for and the code that answers it", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([interrupt], { status: "completed", end_reason: "interrupted" }));
    const panel = q(w.el, '[aria-label="Waiting for input"]');
    expect(q(panel, ".nba-pause-head").textContent).toBe("Waiting for input: input_required");
    const text = panel.textContent ?? "";
    expect(text).toContain(`Where to? ${HOSTILE}`); // as text
    expect(panel.querySelector("img")).toBeNull();
    expect(text).toContain("Expires: 2026-12-01T12:00:00Z");
    expect(text).toContain("Answer: city*, nights");
    expect(q(panel, "pre").textContent).toBe(
      "from nbagent.adapters.ag_ui import resume_entries\n" +
        'body["resume"] = resume_entries(run.transcript, {"i-details": answer})',
    );
  });
});

test("an interrupt on a tool call heads its paused panel with the agent's question", () => {
  const hint = 'body["resume"] = resume_entries(run.transcript, {"i-approve": answer})';
  const pause = { actions: [], origin: "ag-ui", hint, head: "Cancel booking B-7?" };
  const w = mountView(cleanups);
  w.snapshot(runningState([toolBlock({ state: "paused", result: null, pause })]));
  const panel = q(w.el, ".nba-tool");
  expect(q(panel, ".nba-pause-head").textContent).toBe(
    "Cancel booking B-7? — waiting for you (ag-ui)",
  );
  expect(q(panel, ".nba-pause-hint").textContent).toContain(hint);
});

test("saved, with no kernel: the activity's last content, the interrupt, encrypted reasoning", () => {
  const thinking = { type: "thinking", id: "th1", text: "", encrypted: true, ended_at: 1001 };
  const state = runningState([thinking, activity({ content: { found: 7 } }), interrupt], {
    status: "completed",
    end_reason: "interrupted",
    ended_at: 1002,
  });
  const el = mountSaved(cleanups, state);
  expect(JSON.parse(q(el, '[aria-label="Activity"] pre').textContent ?? "")).toEqual({ found: 7 });
  expect(q(el, '[aria-label="Waiting for input"]').textContent).toContain("Where to?");
  expect(el.textContent).toContain("(encrypted reasoning)");
});

test("reasoning with a readable part and an encrypted value shows the part, and says so", () => {
  const thinking = {
    type: "thinking",
    id: "th1",
    text: "Compare the fares.",
    encrypted: true,
    started_at: 1000,
    ended_at: 1001,
  };
  const w = mountView(cleanups);
  w.snapshot(runningState([thinking], { status: "completed", ended_at: 1002 }));
  expect(q(w.el, ".nba-thinking .nba-meta").textContent).toBe("1.00 s · encrypted");
  expect(q(w.el, ".nba-thinking").textContent).toContain("Compare the fares.");
});
