// What tsc must refuse where the page receives the kernel's messages (tsconfig.json includes
// this file; each `@ts-expect-error` fails tsc when its line is no error any more): a key a
// message has not, a kind the receiver never gets. The rest must type-check as it is.
import { connect } from "../../src/store/sync.js";

/** @typedef {import("../../src/base/wire.js").RunMessage} RunMessage */
/** @typedef {import("../../src/base/wire.js").EvalMessage} EvalMessage */
/** @typedef {import("../../src/base/wire.js").PageMessage} PageMessage */

/** @param {RunMessage} msg */
export function runPage(msg) {
  if (!("type" in msg)) return msg.seq;
  if (msg.type === "snapshot") return msg.now;
  // @ts-expect-error an evaluation board's rows never come to a run's page
  if (msg.type === "rows") return 0;
  // @ts-expect-error a kernel_end carries a reason, no text
  if (msg.type === "kernel_end") return msg.text;
  return 0;
}

/** @param {EvalMessage} msg */
export function boardPage(msg) {
  if (msg.type === "rows") return msg.append;
  // @ts-expect-error an evaluation's snapshot carries no state
  if (msg.type === "snapshot") return msg.state;
  return null;
}

/**
 * The kernel's other messages, as the store's connection hands them over.
 * @param {any} store @param {any} model
 */
export function others(store, model) {
  connect(store, model, { onMessage: (msg) => msg.type === "notice" && msg.text });
  // @ts-expect-error an ops message never reaches onMessage: the connection applies it
  connect(store, model, { onMessage: (msg) => msg.ops });
}

/** @type {PageMessage} */
export const ask = { type: "pause_answer", id: "c1", action: "run" };
// @ts-expect-error no pause answer is "approve"
/** @type {PageMessage} */ export const wrong = {
  type: "pause_answer",
  id: "c1",
  action: "approve",
};
