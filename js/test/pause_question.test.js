// An MCP server's question during an agent's tool call (nbagent/agent/mcp.py: a pause with
// `schema` and `fill`): before the answer chunk is here the panel shows the question only;
// with it, the form built from the schema (js/src/panels/inspector/form.js), prefilled from `fill`,
// and Accept (the form's value, checked by the form), Decline and Dismiss. Everything from
// the server goes in as text.
import { beforeAll, describe, expect, test, vi } from "vitest";
import { useAnswerChunk } from "../src/base/answer.js";
import answerChunk from "../src/panels/answer_chunk.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

const cleanups = undoneAfterEach();

const SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "Your name" },
    age: { anyOf: [{ type: "integer" }, { type: "null" }], default: null },
    tea: { type: "boolean", default: false },
  },
  required: ["name"],
};
const HEAD = "The server asks: Who is asking? (Accept: send the answer below; …)";

/** @param {Record<string, unknown>} pause */
const question = (pause = {}) =>
  toolBlock({
    id: "c1",
    name: "ask_name",
    args: {},
    state: "paused",
    result: null,
    pause: {
      actions: ["run", "deny", "dismiss"],
      origin: null,
      hint: null,
      head: HEAD,
      schema: SCHEMA,
      fill: { name: null, age: null, tea: false },
      ...pause,
    },
  });

/** @param {ParentNode} root @param {string} label (compared as text: it may be hostile) */
function input(root, label) {
  const found = [...root.querySelectorAll("input")].find(
    (i) => i.getAttribute("aria-label") === label,
  );
  if (!found) throw new Error(`no input ${label}`);
  return found;
}

/** The buttons a user can see in the panel. @param {ParentNode} root */
const shown = (root) =>
  [...root.querySelectorAll("button")]
    .filter((b) => !(/** @type {HTMLElement} */ (b).closest("[hidden]")))
    .map((b) => b.textContent);

const answers = (/** @type {any} */ w) => w.model.sent.filter((m) => m.type === "pause_answer");

test("before the answer chunk arrives: the question, and no buttons", async () => {
  // The widget's modules afresh, whichever test ran first: their answer chunk has not come
  // (the other chunks that bind are at hand, as in every file: test/setup_chunks.js).
  vi.resetModules();
  await (await import("./at_hand.js")).useChunksAtHand();
  const fresh = await import("./mount.js");
  expect((await import("../src/base/answer.js")).answerChunk.get()).toBeNull();
  const w = fresh.mountView(cleanups);
  w.snapshot(runningState([question()]));
  const panel = q(w.el, ".nba-tool");
  expect(q(panel, ".nba-pause-head").textContent).toBe(`${HEAD} — waiting for you`);
  expect(q(panel, ".nba-pause-bar").hidden).toBe(true);
  expect(panel.querySelector(".nba-form")).toBeNull();
  expect(shown(q(panel, ".nba-pause"))).toEqual([]);
});

describe("with the answer chunk", () => {
  beforeAll(() => useAnswerChunk(answerChunk));

  test("the question's form, from its schema and prefilled from `fill`", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([question({ fill: { name: "Bo", age: 7, tea: true } })]));
    const box = q(w.el, ".nba-pause");
    expect(shown(box)).toEqual(["Accept", "Decline", "Dismiss"]);
    expect(q(box, ".nba-pause-bar").hidden).toBe(true); // no Run / Edit arguments here
    const labels = [...box.querySelectorAll(".nba-form-label")].map((l) => l.textContent);
    expect(labels).toEqual(["name *", "age", "tea"]);
    expect(q(box, ".nba-form-help").textContent).toBe("Your name");
    expect(input(box, "name").value).toBe("Bo");
    expect(input(box, "age").value).toBe("7");
    expect(/** @type {HTMLInputElement} */ (q(box, ".nba-form-check")).checked).toBe(true);
  });

  test("Accept without a required field sends nothing and shows the form's error", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([question()]));
    q(w.el, ".nba-pause-accept").click();
    expect(answers(w)).toEqual([]);
    const error = q(w.el, ".nba-pause-error");
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe("name: required");
  });

  test("Accept sends the typed values; a refusal keeps them and re-enables the buttons", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([question()]));
    input(w.el, "name").value = "Ada";
    input(w.el, "age").value = "36";
    /** @type {HTMLInputElement} */ (q(w.el, ".nba-form-check")).checked = true;
    const accept = /** @type {HTMLButtonElement} */ (q(w.el, ".nba-pause-accept"));
    accept.click();
    expect(answers(w)).toEqual([
      { type: "pause_answer", id: "c1", action: "run", args: { name: "Ada", age: 36, tea: true } },
    ]);
    expect(accept.disabled).toBe(true);
    expect(/** @type {HTMLButtonElement} */ (q(w.el, ".nba-pause-dismiss")).disabled).toBe(true);
    const refused = { ...question().pause, error: "arguments of ask_name: age: too old" };
    w.ops([{ op: "set", i: 0, set: { pause: refused } }]);
    expect(accept.disabled).toBe(false);
    expect(q(w.el, ".nba-pause-error").textContent).toBe("arguments of ask_name: age: too old");
    expect(input(w.el, "name").value).toBe("Ada");
  });

  test("Decline sends deny, Dismiss sends dismiss", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([question(), { ...question(), id: "c2" }]));
    const [first, second] = w.el.querySelectorAll(".nba-tool");
    q(first, ".nba-pause-decline").click();
    q(second, ".nba-pause-dismiss").click();
    expect(answers(w)).toEqual([
      { type: "pause_answer", id: "c1", action: "deny" },
      { type: "pause_answer", id: "c2", action: "dismiss" },
    ]);
  });

  test("only the offered answers show, and how a dismissed question went on", () => {
    const w = mountView(cleanups);
    w.snapshot(runningState([question({ actions: ["run", "deny"] })]));
    expect(shown(q(w.el, ".nba-pause"))).toEqual(["Accept", "Decline"]);
    const answer = { action: "dismiss", edited: false, reason: "dismissed" };
    w.ops([{ op: "set", i: 0, set: { state: "running", pause: null, answer } }]);
    expect(q(w.el, ".nba-pause-answer").textContent).toBe(
      "Dismissed: the server was told the question went unanswered.",
    );
    expect(q(w.el, ".nba-pause-ask").hidden).toBe(true);
  });

  test("hostile text in the message, titles and descriptions makes no elements", () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const schema = {
      type: "object",
      title: evil,
      description: evil,
      properties: {
        [evil]: { type: "string", title: evil, description: evil, default: evil },
        pick: { enum: [evil, "b"], title: evil, description: evil },
        ["__proto__"]: { type: "string", description: evil },
      },
      required: [evil],
    };
    const w = mountView(cleanups);
    const head = `The server asks: ${evil}`;
    w.snapshot(runningState([question({ head, schema, fill: { [evil]: evil } })]));
    const box = q(w.el, ".nba-pause");
    expect(box.querySelector("img, script, b")).toBeNull();
    expect(q(box, ".nba-pause-head").textContent).toContain(evil);
    expect(q(box, ".nba-form-label").textContent).toBe(`${evil} *`);
    expect(q(box, ".nba-form-help").textContent).toBe(evil);
    expect(input(box, evil).value).toBe(evil);
    expect(/** @type {any} */ (window).__pwned).toBeUndefined();
    q(box, ".nba-pause-accept").click();
    expect(answers(w)[0].args[evil]).toBe(evil);
  });
});
