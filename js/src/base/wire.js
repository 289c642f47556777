// The compact wire form of ops messages; paired with nbagent/wire.py.
//
//   ["t", i, s]       append text           {op: "append", i, key: "text", text: s}
//   ["a", i, s]       append arguments      {op: "append", i, key: "arguments", text: s}
//   ["p", i, key, s]  append another key    {op: "append", i, key, text: s}
//   ["+", block]      add                   {op: "add", block}
//   ["=", i, {...}]   set block fields      {op: "set", i, set}
//   ["r", {...}]      set run fields        {op: "run", set}
//
// A message is {seq, ops: [...], d?, now?}; `d` (the delta counter) is a run set applied
// after the ops. The long form ({op: ...} objects) is accepted too.

/** @typedef {import("../store/store.js").Op} Op */

/**
 * A JSON object (not an array, not null): what every message, state and payload must be.
 * @param {unknown} v @returns {v is Record<string, any>}
 */
export const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Thrown for a malformed wire op. */
export class WireError extends Error {}

/**
 * The ops of an ops message, in the form Store.apply takes.
 * @param {{ops: unknown[], d?: unknown}} message
 * @returns {Op[]}
 */
export function decodeOps(message) {
  /** @type {Op[]} */
  const ops = [];
  for (const item of message.ops) {
    if (!Array.isArray(item)) {
      ops.push(/** @type {Op} */ (item)); // long form
      continue;
    }
    switch (item[0]) {
      case "t":
        ops.push({ op: "append", i: item[1], key: "text", text: item[2] });
        break;
      case "a":
        ops.push({ op: "append", i: item[1], key: "arguments", text: item[2] });
        break;
      case "p":
        ops.push({ op: "append", i: item[1], key: item[2], text: item[3] });
        break;
      case "+":
        ops.push({ op: "add", block: item[1] });
        break;
      case "=":
        ops.push({ op: "set", i: item[1], set: item[2] });
        break;
      case "r":
        ops.push({ op: "run", set: item[1] });
        break;
      default:
        throw new WireError(`unknown wire op ${JSON.stringify(item[0])}`);
    }
  }
  if (message.d !== undefined) ops.push({ op: "run", set: { deltas: message.d } });
  return ops;
}
