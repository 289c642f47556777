import { afterEach, expect, test } from "vitest";
import { runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

test("the user's turn shows as a prompt bubble above the answer, as text", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([{ op: "add", block: { type: "user", id: "user:1", text: "Plot <b>revenue</b>" } }]);
  w.ops([{ op: "set", i: 0, set: { text: "Plot <b>revenue</b>\n by month" } }]);
  w.ops([{ op: "add", block: { type: "text", id: "m1", text: "Here it is." } }]);
  const bubbles = w.el.querySelectorAll(".nba-prompt");
  expect(bubbles.length).toBe(1);
  const bubble = /** @type {HTMLElement} */ (bubbles[0]);
  // What the user typed, as typed: never markup, never markdown.
  expect(bubble.textContent).toBe("Plot <b>revenue</b>\n by month");
  expect(bubble.querySelector("b")).toBeNull();
  const answer = /** @type {HTMLElement} */ (w.el.querySelector(".nba-text"));
  expect(answer.textContent?.trim()).toBe("Here it is.");
  expect(bubble.compareDocumentPosition(answer) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
});
