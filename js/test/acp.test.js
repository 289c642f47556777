// A coding agent's run (issue 36, "What the view shows"): the plan as a checklist updated in
// place, plans with an id (items, markdown sanitized, a plan file's uri) beside it, the context gauge on the status line, a call's kind, status and locations, a result's
// unified diff as a diff view (counts, colours, folded, hostile text as text), the agent's own
// options as the pause's buttons (answered with `choose`), and all of it in a saved view.
import { describe, expect, test } from "vitest";
import { useAnswerChunk } from "../src/base/answer.js";
import {
  DIFF_LINES,
  diffPieces,
  diffView,
  gaugeText,
  keyedPlanView,
  MAX_PLANS,
  plansView,
  planView,
  sessionWords,
} from "../src/panels/acp_view.js";
import answerChunk from "../src/panels/answer_chunk.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountSaved, mountView, q, undoneAfterEach } from "./mount.js";

useAnswerChunk(answerChunk);

const cleanups = undoneAfterEach();

const HOSTILE = '<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=2</script>';

/** @param {string[]} lines */
const fence = (lines) => ["```diff", ...lines, "```"].join("\n");

const EDIT = fence([
  "--- /work/a.py",
  "+++ /work/a.py",
  "@@ -1,3 +1,3 @@",
  " import os",
  "-x = 1",
  "+x = 2",
  "+y = 3",
]);

const PLAN = {
  entries: [
    { content: "Read the data", priority: "high", status: "completed" },
    { content: "Plot revenue", priority: "medium", status: "in_progress" },
    { content: "Write the report", priority: "low", status: "pending" },
  ],
};

describe("a unified diff", () => {
  test("is cut from the text around it, its file and counts read, headers aside", () => {
    const pieces = diffPieces(`Edited the file.\n\n${EDIT}\n\nDone.`);
    expect(pieces.map((p) => ("diff" in p ? "diff" : p.text))).toEqual([
      "Edited the file.",
      "diff",
      "Done.",
    ]);
    const d = /** @type {any} */ (pieces[1]).diff;
    expect([d.file, d.add, d.del, d.lines.length]).toEqual(["/work/a.py", 2, 1, 7]);
  });

  test("of a new file names the new path; of a deleted one the old", () => {
    const created = diffPieces(fence(["--- /dev/null", "+++ b.py", "@@ -0,0 +1 @@", "+hi"]));
    const deleted = diffPieces(fence(["--- c.py", "+++ /dev/null", "@@ -1 +0,0 @@", "-bye"]));
    expect(/** @type {any} */ (created[0]).diff.file).toBe("b.py");
    expect(/** @type {any} */ (deleted[0]).diff.file).toBe("c.py");
  });

  test("shows its lines coloured by kind, hostile text as text", () => {
    const text = fence(["--- a", "+++ a", "@@ -1 +1 @@", `-${HOSTILE}`, `+${HOSTILE}`, " same"]);
    const view = diffView(/** @type {any} */ (diffPieces(text)[0]).diff, false, () => {});
    document.body.append(view);
    cleanups.push(() => view.remove());
    const kinds = [...view.querySelectorAll(".nba-diff-line")].map((l) => l.className.slice(23));
    expect(kinds).toEqual(["file", "file", "hunk", "del", "add", "ctx"]);
    expect(view.querySelector("img, script")).toBeNull();
    expect(view.textContent).toContain(HOSTILE);
    expect(/** @type {any} */ (globalThis).pwned).toBeUndefined();
    expect(q(view, ".nba-diff-head").textContent).toBe("a +1 −1");
  });

  test("folds past DIFF_LINES lines, and shows all on its toggle", () => {
    const lines = ["--- a", "+++ a", "@@ -1,40 +1,40 @@"];
    for (let i = 0; i < 40; i++) lines.push(`+line ${i}`);
    const d = /** @type {any} */ (diffPieces(fence(lines))[0]).diff;
    let toggled = 0;
    const folded = diffView(d, false, () => toggled++);
    expect(folded.querySelectorAll(".nba-diff-line")).toHaveLength(DIFF_LINES);
    const more = q(folded, ".nba-diff-more");
    expect(more.textContent).toBe("Show all (43 lines)");
    more.click();
    expect(toggled).toBe(1);
    expect(diffView(d, true, () => {}).querySelectorAll(".nba-diff-line")).toHaveLength(43);
  });

  test("is read in one pass: a huge or unclosed one keeps every count", () => {
    const lines = ["--- big", "+++ big"];
    for (let i = 0; i < 100_000; i++)
      lines.push(i % 2 ? `+${"<".repeat(50)}` : `-${"`".repeat(50)}`);
    const [piece] = diffPieces(["```diff", ...lines].join("\n")); // never closed: still streaming
    const d = /** @type {any} */ (piece).diff;
    expect([d.file, d.add, d.del]).toEqual(["big", 50_000, 50_000]);
    // A line that only looks like a fence inside stays a line of the diff.
    expect(diffPieces(fence(["--- a", "+++ a", "+```diffx"])).length).toBe(1);
  });
});

describe("a plan", () => {
  test("is a checklist: a mark per status, the entry's text and priority", () => {
    const view = /** @type {HTMLElement} */ (planView(PLAN));
    expect(q(view, ".nba-plan-head").textContent).toBe("Plan · 1 of 3 done");
    const rows = [...view.querySelectorAll(".nba-plan-entry")].map((li) => [
      li.className.replace("nba-plan-entry nba-plan-", ""),
      li.querySelector(".nba-plan-mark")?.textContent,
      li.querySelector(".nba-plan-text")?.textContent,
      li.querySelector(".nba-plan-priority")?.textContent,
    ]);
    expect(rows).toEqual([
      ["completed", "☑", "Read the data", "high"],
      ["in_progress", "◐", "Plot revenue", "medium"],
      ["pending", "☐", "Write the report", "low"],
    ]);
  });

  test("an entry its stopped run left in progress is cancelled: a mark of its own", () => {
    const stopped = { entries: [{ content: "Plot revenue", status: "cancelled" }] };
    const li = q(/** @type {HTMLElement} */ (planView(stopped)), ".nba-plan-entry");
    expect(li.className).toBe("nba-plan-entry nba-plan-cancelled");
    expect(q(li, ".nba-plan-mark").textContent).toBe("☒");
    expect(q(li, ".nba-plan-mark").title).toBe("cancelled");
  });

  test("takes hostile entries as text, and none as no plan", () => {
    const view = /** @type {HTMLElement} */ (
      planView({ entries: [{ content: HOSTILE, status: '"><b>x', priority: HOSTILE }, 7, null] })
    );
    expect(view.querySelector("img, script, b")).toBeNull();
    expect(view.textContent).toContain(HOSTILE);
    expect(view.querySelectorAll(".nba-plan-entry")).toHaveLength(3);
    expect(planView({ entries: [] })).toBeNull();
    expect(planView("nonsense")).toBeNull();
  });
});

describe("plans with an id", () => {
  const items = { id: "p1", type: "items", entries: PLAN.entries };

  test("items are a checklist, after the plan with no id, in their order", () => {
    const views = plansView({
      entries: [{ content: "Look around", status: "completed" }],
      plans: [items, { id: "p2", type: "markdown", content: "Second **plan**" }],
    });
    expect(views.map((v) => q(v, ".nba-plan-head").textContent)).toEqual([
      "Plan · 1 of 1 done",
      "Plan · 1 of 3 done",
      "Plan",
    ]);
    expect(q(views[2], "strong").textContent).toBe("plan");
    // Only plans with an id: no empty box for the missing checklist.
    expect(plansView({ entries: [], plans: [items] })).toHaveLength(1);
    expect(plansView({ entries: [] })).toEqual([]);
    expect(plansView(null)).toEqual([]);
  });

  test("markdown is rendered and sanitized: no script, no handler survives", () => {
    const content = `# Steps\n\n1. ${HOSTILE}\n2. [x](javascript:alert(1)) <a href="#" onclick="x()">a</a>`;
    const view = /** @type {HTMLElement} */ (keyedPlanView({ id: "p", type: "markdown", content }));
    expect(q(view, "h1").textContent).toBe("Steps");
    expect(view.querySelectorAll("ol > li")).toHaveLength(2);
    expect(view.querySelector("script, img, [onerror], [onclick]")).toBeNull();
    expect(view.querySelector('a[href^="javascript"]')).toBeNull();
    const attrs = [...view.querySelectorAll("*")].flatMap((e) => e.getAttributeNames());
    expect(attrs.filter((a) => a.startsWith("on"))).toEqual([]);
    expect(view.innerHTML).not.toMatch(/<script|<img/);
    expect(view.textContent).toContain("<script>"); // the agent's HTML shows as text
    expect(keyedPlanView({ id: "p", type: "markdown", content: " " })).toBeNull();
  });

  test("a file is a line naming it: a link only for http(s):", () => {
    /** @param {string} uri */
    const line = (uri) =>
      q(/** @type {HTMLElement} */ (keyedPlanView({ type: "file", uri })), ".nba-plan-file");
    const web = q(line("HTTPS://x.test/plan"), "a");
    expect(web.getAttribute("href")).toBe("HTTPS://x.test/plan");
    expect(web.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    for (const uri of [
      "file:///work/PLAN.md",
      "javascript:alert(1)",
      "data:text/html,<b>x</b>",
      " https://x.test",
      "plan.md",
    ]) {
      const shown = line(uri);
      expect(shown.querySelector("a, b")).toBeNull();
      expect(shown.textContent).toBe(`Plan file: ${uri}`);
    }
    expect(keyedPlanView({ type: "file", uri: "" })).toBeNull();
    expect(keyedPlanView({ type: "pdf", uri: "file:///x" })).toBeNull();
  });

  test("past MAX_PLANS a line says how many more", () => {
    const plans = Array.from({ length: MAX_PLANS + 3 }, (_, i) => ({ ...items, id: `p${i}` }));
    const views = plansView({ entries: [], plans });
    expect(views).toHaveLength(MAX_PLANS + 1);
    expect(views[MAX_PLANS].textContent).toBe("… 3 more plans");
  });
});

describe("the context gauge", () => {
  test("says used / size tokens and the share", () => {
    expect(gaugeText({ used: 12_345, size: 200_000 })).toBe("12,345 / 200,000 tokens (6%)");
    expect(gaugeText({ used: 5000, size: null })).toBe("5,000 tokens in context");
    expect(gaugeText({ used: "5", size: 1 })).toBe("");
    expect(gaugeText(null)).toBe("");
  });
});

describe("the session's words", () => {
  test("say its title, mode and config values; its commands in the tooltip", () => {
    const session = {
      title: "Parser fix",
      mode: "Plan",
      config: [
        { name: "Model", value: "Sonnet" },
        { name: "Thinking", value: "on" },
      ],
      commands: ["review", "init"],
    };
    expect(sessionWords(session)).toEqual({
      text: "Parser fix · mode: Plan · Model: Sonnet · Thinking: on",
      commands: "commands: /review /init",
    });
    expect(sessionWords({ title: null, mode: null, config: [], commands: [] })).toEqual({
      text: "",
      commands: "",
    });
    expect(sessionWords("<b>x</b>")).toEqual({ text: "", commands: "" });
    // a cost in another currency than USD: said with its currency (never the run's USD cost)
    const cost = { title: "Fix", cost: { amount: 0.42, currency: "EUR" } };
    expect(sessionWords(cost).text).toBe("Fix · session cost: 0.42 EUR");
  });
});

describe("an ACP run in the widget", () => {
  const edit = () =>
    toolBlock({
      id: "call_1",
      name: "Edit a.py",
      args: {},
      arguments: "",
      result: EDIT,
      meta: { kind: "edit", status: "completed", locations: ["/work/a.py:2"] },
    });

  test("shows the plan updated in place, the gauge and the session's cost", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([], { plan: PLAN, context: { used: 1200, size: 200_000 } }));
    expect(q(w.el, ".nba-plan-head").textContent).toBe("Plan · 1 of 3 done");
    expect(q(w.el, ".nba-status .nba-gauge-text").textContent).toBe("1,200 / 200,000 tokens (1%)");
    const done = { entries: PLAN.entries.map((e) => ({ ...e, status: "completed" })) };
    w.ops([
      { op: "run", set: { plan: done, context: { used: 9000, size: 200_000 }, cost_usd: 0.25 } },
    ]);
    expect(w.el.querySelectorAll(".nba-plan")).toHaveLength(1);
    expect(q(w.el, ".nba-plan-head").textContent).toBe("Plan · 3 of 3 done");
    expect(q(w.el, ".nba-gauge-text").textContent).toBe("9,000 / 200,000 tokens (5%)");
    expect(q(w.el, ".nba-status-parts").textContent).toContain("$0.250");
  });

  test("shows the session quietly on the status line, updated as it changes", () => {
    const w = mountView(cleanups);
    const session = { title: "<img src=x onerror=alert(1)>", mode: "Code", commands: ["review"] };
    w.snapshot(runningState([], { session }));
    const words = q(w.el, ".nba-status .nba-acp-session");
    expect(words.textContent).toBe("<img src=x onerror=alert(1)> · mode: Code");
    expect(words.querySelector("img")).toBeNull();
    expect(words.title).toBe("commands: /review");
    w.ops([{ op: "run", set: { session: { ...session, title: null, mode: "Plan" } } }]);
    expect(q(w.el, ".nba-acp-session").textContent).toBe("mode: Plan");
    w.ops([{ op: "run", set: { session: { title: null, mode: null, commands: [] } } }]);
    expect(q(w.el, ".nba-acp-session").hidden).toBe(true);
  });

  test("shows two plans with an id, each updated in place, and drops a removed one", () => {
    const w = mountView(cleanups);
    const a = { id: "a", type: "items", entries: PLAN.entries };
    const b = { id: "b", type: "markdown", content: "Then **ship** it" };
    w.snapshot(runningState([], { plan: { entries: [], plans: [a, b] } }));
    const heads = () => [...w.el.querySelectorAll(".nba-plan-head")].map((e) => e.textContent);
    expect(heads()).toEqual(["Plan · 1 of 3 done", "Plan"]);
    expect(q(w.el, ".nba-plan strong").textContent).toBe("ship");
    const done = { ...a, entries: PLAN.entries.map((e) => ({ ...e, status: "completed" })) };
    w.ops([{ op: "run", set: { plan: { entries: [], plans: [done, b] } } }]);
    expect(heads()).toEqual(["Plan · 3 of 3 done", "Plan"]);
    w.ops([{ op: "run", set: { plan: { entries: [], plans: [done] } } }]);
    expect(heads()).toEqual(["Plan · 3 of 3 done"]);
    expect(w.el.querySelector(".nba-plan strong")).toBeNull();
    w.ops([{ op: "run", set: { plan: { entries: [] } } }]);
    expect(w.el.querySelector(".nba-plan")).toBeNull();
  });

  test("a tool panel says its kind, status, locations and shows its diff with counts", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([edit()]));
    const panel = q(w.el, ".nba-tool");
    expect(q(panel, ".nba-acp-badge").textContent).toBe("edit · completed");
    expect(q(panel, ".nba-diff-counts").textContent).toBe("+2 −1");
    expect(q(panel, ".nba-acp-location").textContent).toBe("/work/a.py:2");
    expect(q(panel, ".nba-diff-file").textContent).toBe("/work/a.py");
    expect(q(panel, ".nba-result").hidden).toBe(true);
    w.ops([{ op: "set", i: 0, set: { meta: { kind: "edit", status: "in_progress" } } }]);
    expect(q(panel, ".nba-acp-badge").textContent).toBe("edit · in progress");
    // The tool's programmatic name (ACP's unstable `name`), as the agent spells it.
    w.ops([
      {
        op: "set",
        i: 0,
        set: { meta: { tool: "apply_patch", kind: "edit", status: "in_progress" } },
      },
    ]);
    expect(q(panel, ".nba-acp-badge").textContent).toBe("apply_patch · edit · in progress");
  });

  test("a diff the call has not applied is a proposed diff, not its result", () => {
    const w = mountView(cleanups);
    const proposed = { state: "running", meta: { kind: "edit", status: "pending" } };
    w.snapshot(runningState([edit()]));
    const panel = q(w.el, ".nba-tool");
    const head = q(panel, ".nba-result-head");
    expect(head.textContent).toBe("Result"); // applied: the call completed
    for (const set of [
      proposed,
      { state: "paused" },
      { state: "cancelled", meta: { kind: "edit", status: "cancelled" } },
      { state: "error", is_error: true, meta: { kind: "edit", status: "failed" } },
    ]) {
      w.ops([{ op: "set", i: 0, set }]);
      expect(head.textContent).toBe("Proposed diff");
      expect(head.hidden).toBe(false);
    }
    const text = toolBlock({ id: "c2", state: "running", result: "no diff here" });
    w.ops([{ op: "add", block: text }]);
    expect(q(w.el.querySelectorAll(".nba-tool")[1], ".nba-result-head").textContent).toBe("Result");
  });

  test("a run its kernel's restart ended: the pending call and the step in progress end", () => {
    // The kernel sends no end (it is gone): the page ends the run (js/src/base/kernel_end.js)
    // and shows what the agent left going as Stop does, the status line saying why.
    const w = mountView(cleanups);
    const pending = { ...edit(), state: "running", meta: { kind: "edit", status: "pending" } };
    w.snapshot(runningState([pending], { plan: PLAN }));
    const panel = q(w.el, ".nba-tool");
    expect(q(panel, ".nba-acp-badge").textContent).toBe("edit · pending");
    expect(q(w.el, ".nba-plan-in_progress .nba-plan-mark").textContent).toBe("◐");
    w.model.emit("comm_live_update");
    w.frame();
    expect(q(panel, ".nba-acp-badge").textContent).toBe("edit · cancelled");
    const marks = [...w.el.querySelectorAll(".nba-plan-entry")].map((li) => [
      li.className.replace("nba-plan-entry nba-plan-", ""),
      li.querySelector(".nba-plan-mark")?.textContent,
    ]);
    expect(marks).toEqual([
      ["completed", "☑"],
      ["cancelled", "☒"],
      ["pending", "☐"],
    ]);
    expect(q(w.el, ".nba-status-label").textContent).toBe("cancelled (kernel restarted)");
  });

  test("a long diff folds and opens on Show all (kept by the store)", () => {
    const lines = ["--- a", "+++ a", "@@ -1,30 +1,30 @@"];
    for (let i = 0; i < 30; i++) lines.push(`+${i}`);
    const w = mountView(cleanups);
    w.snapshot(runningState([toolBlock({ result: fence(lines), meta: { kind: "edit" } })]));
    const panel = q(w.el, ".nba-tool");
    expect(panel.querySelectorAll(".nba-diff-line")).toHaveLength(DIFF_LINES);
    q(panel, ".nba-diff-more").click();
    expect(panel.querySelectorAll(".nba-diff-line")).toHaveLength(33);
    expect(q(panel, ".nba-diff-more").textContent).toBe("Show less");
  });

  const asked = () =>
    toolBlock({
      id: "call_9",
      name: "Run rm",
      state: "paused",
      result: null,
      meta: { kind: "execute", status: "pending" },
      pause: {
        actions: ["run", "deny"],
        origin: "acp",
        hint: null,
        schema: null,
        options: [
          { id: "yes", name: "Allow once", kind: "allow_once" },
          { id: "always", name: "Allow always", kind: "allow_always" },
          { id: "no", name: "Reject once", kind: "reject_once" },
          { id: "never", name: HOSTILE, kind: "reject_always" },
        ],
      },
    });
  /** @param {ParentNode} root */
  const shown = (root) =>
    [...root.querySelectorAll(".nba-pause-bar:not([hidden]) button")]
      .filter((b) => !(/** @type {HTMLElement} */ (b).hidden))
      .map((b) => b.textContent);

  test("a permission request offers the agent's own options and answers with one", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([asked()]));
    const panel = q(w.el, ".nba-tool");
    expect(shown(panel)).toEqual(["Allow once", "Allow always", "Reject once", HOSTILE]);
    expect(panel.querySelector(".nba-pause-bar img, .nba-pause-bar script")).toBeNull();
    const always = /** @type {HTMLButtonElement} */ (
      [...panel.querySelectorAll(".nba-pause-option")].find((b) => b.textContent === "Allow always")
    );
    always.click();
    const sent = w.model.sent.filter((/** @type {any} */ m) => m.type === "choose");
    expect(sent).toEqual([{ type: "choose", id: "call_9", option: "always" }]);
    expect(always.disabled).toBe(true);
    w.ops([
      {
        op: "set",
        i: 0,
        set: { state: "running", pause: null, answer: { action: "run", option: "Allow always" } },
      },
    ]);
    expect(q(panel, ".nba-pause-answer").textContent).toBe("Answered: Allow always");
  });

  test("a viewer of a served app sees the request but cannot answer it", () => {
    const w = mountView(cleanups, { page_actions: false });
    w.snapshot(runningState([asked()]));
    const panel = q(w.el, ".nba-tool");
    expect(q(panel, ".nba-pause-head").textContent).toContain("waiting for the notebook's author");
    expect(shown(panel)).toEqual([]);
    expect(panel.querySelector(".nba-pause-option")).toBeNull();
  });

  test("saved, with no kernel: plan, gauge and diff show, no answer buttons", () => {
    const state = runningState([edit()], {
      status: "completed",
      end_reason: "completed",
      ended_at: 1002,
      plan: PLAN,
      context: { used: 1200, size: 200_000 },
    });
    const el = mountSaved(cleanups, state);
    expect(q(el, ".nba-plan-head").textContent).toBe("Plan · 1 of 3 done");
    expect(q(el, ".nba-diff-counts").textContent).toBe("+2 −1");
    expect(q(el, ".nba-gauge-text").textContent).toContain("1,200 / 200,000");
  });
});
