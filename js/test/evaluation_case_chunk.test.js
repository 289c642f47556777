// An evaluation view without its case code at hand loads the code model's `case` chunk the
// way every lazy chunk loads (js/src/base/chunks.js `sent` and `importText`, one copy of each):
// it waits for the kernel to send the text, imports it, and opens the case with it.
import { afterAll, afterEach, expect, test, vi } from "vitest";
import * as caseCode from "../src/widget/evaluation/detail.js";
import { FakeModel } from "./fake-model.js";

/** The texts the view imported (jsdom imports no Blob URL: the case's module stands in). */
const { imported } = vi.hoisted(() => ({ imported: /** @type {string[]} */ ([]) }));
vi.mock("../src/base/chunks.js", async (original) => ({
  .../** @type {object} */ (await original()),
  importText: async (/** @type {string} */ text) => {
    imported.push(text);
    return { default: caseCode };
  },
}));
vi.mock("../src/base/loader.js", () => ({
  default: { render: async () => () => {} },
}));
// The files of a vitest worker share its modules (vitest.config.mjs): the next has the real ones.
afterAll(() => {
  vi.doUnmock("../src/base/chunks.js");
  vi.doUnmock("../src/base/loader.js");
});

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const el of [...document.body.children]) el.remove();
  imported.length = 0;
});

const frame = () =>
  new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 40))));

/** @param {FakeModel} code the code model the view's model references */
async function opened(code) {
  const { default: evaluation } = await import("../src/widget/evaluation/index.js");
  const row = { i: 0, input: "q", expected: "e", output: "a", status: "completed", scores: {} };
  const model = new FakeModel({
    title: "t",
    columns: [],
    baseline: "",
    page_actions: true,
    snapshot: { seq: 1, header: { status: "completed", total: 1, done: 1 }, rows: [row] },
    transcripts: [],
    opened: {},
    code: "IPY_MODEL_code1",
  });
  /** @type {any} */ (model).widget_manager = { get_model: async () => code };
  const el = document.createElement("div");
  document.body.append(el);
  cleanups.push(evaluation.render({ model, el }));
  await frame();
  /** @type {HTMLElement} */ (el.querySelector(".nba-ev-case[data-i='0'] .nba-ev-c-input")).click();
  await frame();
  return el;
}

test("a case chunk the kernel sends later is imported once it comes, and the case opens", async () => {
  const code = new FakeModel({ version: "v1", case: "" });
  const el = await opened(code);
  expect(imported).toEqual([]);
  expect(el.querySelector(".nba-ev-detail")).toBeNull();
  code.set("case", "the case chunk's text");
  await frame();
  expect(imported).toEqual(["the case chunk's text"]);
  expect(code.handlers.get("change:case")?.size ?? 0).toBe(0);
  expect(el.querySelector(".nba-ev-detail")).not.toBeNull();
});

test("a case chunk the code model holds already is imported at once", async () => {
  const code = new FakeModel({ version: "v1", case: "held" });
  const el = await opened(code);
  expect(imported).toEqual(["held"]);
  expect(el.querySelector(".nba-ev-detail")).not.toBeNull();
});
