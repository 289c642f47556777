// The compact wire form of ops messages; paired with nbagent/widget/wire.py.
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
//
// Every comm message, both ways, is typed below, one @typedef each, named as its TypedDict in
// nbagent/widget/messages.py (js/test/wire_messages.test.js fails when the names drift).

/** @typedef {import("../store/store.js").Op} Op */

// -- kernel -> page --------------------------------------------------------------------------

/** @typedef {{seq: number, ops: unknown[], d?: unknown, now?: number}} OpsMessage */
/**
 * @typedef {{seq: number, lanes: unknown[][], meta?: unknown[][], now?: number,
 *   clocks?: unknown[][]}} LanesMessage `clocks`: [[lane, now], ...], a lane's own (a replay's)
 */
/**
 * The whole state, the reply to `sync`: `state` (one run) or `lanes` ([{meta, state}, ...]).
 * @typedef {{type: "snapshot", seq: number, now: number, state?: Record<string, any>,
 *   lanes?: Record<string, any>[]}} SnapshotMessage
 */
/**
 * The reply to `output`: each part is [run, version, {title, prompt, html, text}].
 * @typedef {{type: "output", seq: number, head: Record<string, any>, parts: unknown[][]}}
 *   OutputMessage
 */
/** @typedef {{type: "kernel_end", reason: string}} KernelEnd */
/** @typedef {{type: "notice", text: string}} Notice */
/**
 * @typedef {{type: "rows", seq: number, header: Record<string, any>,
 *   rows: Record<string, any>[], append: unknown[][]}} EvalRows
 */
/**
 * @typedef {{type: "snapshot", seq: number, header: Record<string, any>,
 *   rows: Record<string, any>[]}} EvalSnapshot
 */
/** @typedef {{type: "output", data: Record<string, any>}} EvalOutput */
/**
 * @typedef {{type: "feed", log?: Record<string, any>[], rpc?: Record<string, any>[]}}
 *   InspectorFeed
 */
/**
 * What the kernel sends the page of a run, of lanes or of a chat (js/src/store/sync.js).
 * @typedef {OpsMessage | LanesMessage | SnapshotMessage | OutputMessage | KernelEnd | Notice}
 *   RunMessage
 */
/** What an evaluation board's page gets. @typedef {EvalRows | EvalSnapshot | EvalOutput} EvalMessage */
/** What the kernel sends a page. @typedef {RunMessage | EvalMessage | InspectorFeed} KernelMessage */

// -- page -> kernel --------------------------------------------------------------------------

/** @typedef {{type: "sync"}} SyncRequest */
/** @typedef {{type: "stop"}} StopRequest */
/** @typedef {{type: "output", have?: number[][]}} OutputRequest */
/**
 * @typedef {{type: "pause_answer", id: string, action: "run" | "mock" | "deny" | "dismiss",
 *   args?: Record<string, any>, result?: string, reason?: string}} PauseAnswer
 */
/** @typedef {{type: "choose", id: string, option: string}} ChooseRequest */
/**
 * Fork after a step (its id; null: the step of the results `edit` names), with an edit.
 * @typedef {{type: "fork", step: number | string | null,
 *   edit?: string | Record<string, any> | null}} ForkRequest
 */
/** @typedef {{type: "rerun", id: string, args: Record<string, any>}} RerunRequest */
/** @typedef {{type: "step", to: unknown}} StepRequest */
/**
 * An MCP app's tools/call (`id`: the call owning the app; `request`: the frame's key of it).
 * @typedef {{type: "app_call", id: string, request: string | number, name: string,
 *   arguments?: Record<string, any>}} AppCallRequest
 */
/**
 * @typedef {{type: "app_call_answer", id: string, request: string | number,
 *   action: "run" | "deny", args?: Record<string, any>, reason?: string}} AppCallAnswer
 */
/**
 * The page follows a lanes widget's ops (the kernel holds them back from a client that may have
 * no page: nbagent/apps/lane_saves.py).
 * @typedef {{type: "listen"}} ListenRequest
 */
/** @typedef {{type: "prompt", text: string}} ChatPrompt */
/** A run's request from a lanes widget, with its lane. @typedef {{type: string, lane: number}} LaneRequest */
/** @typedef {{type: "open" | "rerun", i: number}} EvalCaseRequest */
/** @typedef {{type: "rate", i: number, up: boolean | null, comment: string}} EvalRate */
/** @typedef {{type: "call" | "prompt", name: string, args: Record<string, any>}} InspectorCall */
/** @typedef {{type: "read", uri: string}} InspectorRead */
/**
 * @typedef {{type: "answer", id: string, action: "accept" | "decline" | "cancel",
 *   content?: unknown}} InspectorAnswer
 */
/** @typedef {{type: "refresh" | "history"}} InspectorPlain */
/**
 * What the page of one run asks.
 * @typedef {SyncRequest | StopRequest | OutputRequest | PauseAnswer | ChooseRequest | ForkRequest
 *   | RerunRequest | StepRequest | AppCallRequest | AppCallAnswer} RunRequest
 */
/** @typedef {SyncRequest | StopRequest | OutputRequest | EvalCaseRequest | EvalRate} EvalRequest */
/** @typedef {InspectorCall | InspectorRead | InspectorAnswer | InspectorPlain} InspectorRequest */
/**
 * A lazy chunk the page needs for what only it knows of (an MCP app's log or download), asked
 * of the code model (js/src/base/chunks.js).
 * @typedef {{type: "include", chunk: string}} ChunkRequest
 */
/**
 * What a page sends the kernel.
 * @typedef {RunRequest | ListenRequest | ChatPrompt | LaneRequest | EvalRequest
 *   | InspectorRequest | ChunkRequest} PageMessage
 */

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
