// The transcript store: one per model. Holds the state of docs/develop/contracts.md ("Transcript state"),
// applies the 4 ops, and tells subscribed views what changed (change.js); a run its page ends:
// page_end.js, in the trouble chunk (js/src/base/trouble.js).

import { outputPartsOf } from "../base/output.js";
import { troubleChunk } from "../base/trouble.js";
import { decodeOps, isObject } from "../base/wire.js";
import { emptyChange } from "./change.js";

export { emptyChange, mergeChange } from "./change.js";

/**
 * @typedef {{message: string, error_type?: string | null, code?: string | number | null}} RunError
 * @typedef {{input_tokens?: number | null, output_tokens?: number | null, total_tokens?: number | null,
 *   reasoning_tokens?: number | null, cached_input_tokens?: number | null,
 *   cache_write_tokens?: number | null, cache_write_1h_tokens?: number | null}} Usage
 * @typedef {{type: "thinking", id: string, text: string, redacted?: boolean, encrypted?: boolean,
 *   started_at?: number | null, ended_at?: number | null, parent?: string}} ThinkingBlock
 * @typedef {{type: "text", id: string, text: string, refusal?: boolean, parent?: string}} TextBlock
 * @typedef {{type: "tool", id: string, name: string, arguments: string, args?: unknown,
 *   parse_error?: string | null,
 *   state: "args" | "running" | "paused" | "done" | "error" | "cancelled", result?: unknown,
 *   is_error?: boolean, started_at?: number | null, args_done_at?: number | null,
 *   ended_at?: number | null, duration_s?: number | null, output?: string,
 *   traceback?: string, abandoned?: boolean, reruns?: object[], usage?: Usage | null,
 *   parent?: string, display?: unknown[], pause?: PauseDetail | null,
 *   answer?: PauseAnswer | null, asked_args?: unknown, mocked?: boolean,
 *   denied?: boolean, server?: string,
 *   call_as?: string, no_rerun?: string, meta?: ToolMeta}} ToolBlock
 *   `display`: the result as data, Jupyter display bundles (nbagent/core/data; data.js shows them),
 *   `result` then being their text form. `pause`: while `state` is "paused" (a breakpoint, a
 *   framework's approval: pause.js); `answer`, `asked_args` (when edited), `mocked`, `denied`:
 *   how it went on. `no_rerun`: why the kernel cannot call the tool again (rerun.js).
 *    `meta`: an ACP agent's word on the call (acp_view.js), an MCP call's task (task_view.js).
 * @typedef {{title?: string, tool?: string, kind?: string, status?: string,
 *   locations?: string[], task?: object,
 *   app?: Record<string, any>}} ToolMeta
 * @typedef {{actions?: string[], origin?: string | null, hint?: string | null,
 *   schema?: object | null, error?: string, head?: string, fill?: object,
 *   options?: unknown[]}} PauseDetail
 *   `actions` ⊆ run, edit, mock, deny, dismiss: what the panel offers; none: `hint` (code)
 *   instead. `error`: the kernel refused the last answer (arguments that do not fit the schema).
 *   `options`: an ACP agent's own answers (`{id, name, kind}`), one button each.
 *   `head`, `fill`: a question asked mid-call (an MCP server's, nbagent/agent/mcp.py): the
 *   panel's first words instead of "Paused before this call", and where an answer starts;
 *   with `schema` too, the panel shows the question's form (answer_chunk.js).
 * @typedef {{action: "run" | "mock" | "deny" | "dismiss" | "cancel", edited?: boolean,
 *   reason?: string, option?: string}} PauseAnswer
 * @typedef {{type: "agent", id: string, name: string, started_at?: number | null,
 *   ended_at?: number | null, usage?: Usage | null, parent?: string}} AgentBlock
 *   A sub-agent's scope: the blocks whose `parent` is its id are shown inside it (as they are
 *   inside a tool call that started a sub-agent).
 * @typedef {{type: "user", id: string, text: string, parent?: string}} UserBlock
 *   the user's turn (a prompt's own text, a user message of the source)
 * @typedef {{type: "note", id: string, kind: "question" | "notice" | "compaction",
 *   level: "info" | "warning" | "error", title: string, text: string, status?: string,
 *   parent?: string}} NoteBlock
 *   A line of the run (nbagent/transcript/notes.py): an agent's question, a notice, its
 *   context compacted (`status`: the compaction's).
 * @typedef {{type: "activity" | "interrupt", id: string, parent?: string,
 *   [key: string]: any}} RunBlock an activity or an interrupt (nbagent/transcript/run_blocks.py)
 * @typedef {{type: "media", id: string, mime?: string, data?: string, bytes?: number,
 *   line?: string, width?: number, height?: number, alt?: string, partial?: boolean,
 *   saved?: boolean, parent?: string}} MediaBlock
 *   A picture or a sound the model made (nbagent/transcript/media.py): its base64 `data` when
 *   the page may draw it, else its `line` in words; `saved` false: over what a notebook keeps.
 * @typedef {ThinkingBlock | TextBlock | ToolBlock | AgentBlock | UserBlock | NoteBlock | RunBlock
 *   | MediaBlock} Block
 * @typedef {{version?: number, run_id?: string | null, title?: string | null, model?: string | null,
 *   status?: string, end_reason?: string | null, error?: RunError | null,
 *   started_at?: number | null, first_token_at?: number | null, ended_at?: number | null,
 *   deltas?: number, usage?: Usage | null, steps?: unknown[], warnings?: unknown[],
 *   activity?: string | null, cost_usd?: number | null, whole?: boolean, blocks: Block[],
 *   generating_s?: number, generating_since?: number | null, paused_s?: number,
 *   paused_since?: number | null, plan?: {entries?: unknown[], plans?: unknown[]},
 *   context?: {used?: number | null, size?: number | null}, session?: Record<string, unknown>,
 *   apps?: Record<string, Record<string, unknown>>}} State
 *   `generating_s`, `generating_since`: the model's generation time, closed and open
 *   (nbagent/transcript/fold/numbers.py, js/src/base/numbers.js); `paused_s`, `paused_since`:
 *   the time the run was paused, closed and open (its clock stops). `plan`, `context`, `session`: a coding
 *   agent's plans, context window and session (acp_view.js).
 * @typedef {{op: "run", set: Record<string, unknown>}
 *   | {op: "add", block: Block}
 *   | {op: "append", i: number, key: string, text: string}
 *   | {op: "set", i: number, set: Record<string, unknown>}} Op
 * @typedef {{reset: boolean, run: boolean, blocks: Set<number>, appends: Map<number, string>}} Change
 *   `appends`: text appended to each block's `text` (what a view needs to render a streamed
 *   block without re-reading all of it); meaningless for a view when `reset` is set.
 * @typedef {(change: Change) => void} Listener
 */

/** @returns {State} */
export function emptyState() {
  return { blocks: [] };
}

/** Thrown when an op cannot be applied (unknown op, bad index): the caller asks for a sync. */
export class OpError extends Error {}

export class Store {
  constructor() {
    /** Sequence number of the last applied `ops` message or loaded snapshot. */
    this.seq = 0;
    /** @type {State} */
    this.state = emptyState();
    /** True once a snapshot with a state has been loaded. */
    this.loaded = false;
    /** An ops message could not be applied: the state is wrong until a snapshot loads. */
    this.damaged = false;
    /** Kernel clock minus local clock, in seconds (from the messages' `now`). */
    this.clockOffset = 0;
    /** A Stop was sent and the status has not changed since. */
    this.stopping = false;
    /** A `sync` went unanswered: this page cannot reach the kernel (it still hears it). */
    this.unreachable = false;
    /**
     * The end this page gave the run (`endByPage`): kept over ops the kernel sent before it
     * went (a throttled flush can arrive after its last word); a snapshot replaces it.
     * @type {Record<string, unknown> | null}
     */
    this.pageEnd = null;
    /**
     * What the run's cell output should carry (the kernel's answer to `{"type": "output"}`)
     * and the `seq` it is for: views hand it to the frontend, which saves it with the notebook.
     * @type {{seq: number, data: Record<string, unknown>} | null}
     */
    this.output = null;
    /** The `seq` the output data was last asked for (once per state). */
    this.outputAsked = -1;
    /**
     * The run's static part, from the kernel's answers (the state is this store's): made with
     * the output chunk (output.js).
     * @type {import("./offer.js").OutputParts | null}
     */
    this.outputParts = null;
    /**
     * UI state that must survive a view being re-created, keyed by `run_id/block id`:
     * `open` is the user's choice for a panel (undefined: automatic), `expanded` for folded results.
     * @type {Map<string, {open?: boolean, expanded?: boolean}>}
     */
    this.ui = new Map();
    /** @type {Set<Listener>} */
    this.listeners = new Set();
    /** The live views of this store (theirs, `unknown` here): a new one copies a live one's. @type {Set<unknown>} */
    this.liveViews = new Set();
    /**
     * The rendered blocks of the last view destroyed, for the next view to take over
     * (`retire`/`takeRetired`): views see only `unknown` here, it is theirs to interpret.
     * @type {unknown}
     */
    this.retired = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retiredTimer = undefined;
  }

  /**
   * Keep what a destroyed view rendered for a moment: a frontend that re-creates an output
   * (destroys its view, then renders a new one) gets the next view to take it over instead of
   * rendering the whole transcript again. Dropped after `ttlMs` if no view comes.
   * @param {unknown} rendered
   */
  retire(rendered, ttlMs = 2000) {
    clearTimeout(this.retiredTimer);
    this.retired = rendered;
    this.retiredTimer = setTimeout(() => {
      this.retired = null;
    }, ttlMs);
  }

  /** @returns {unknown} what the last destroyed view left, once */
  takeRetired() {
    clearTimeout(this.retiredTimer);
    const r = this.retired;
    this.retired = null;
    return r;
  }

  /** Kernel time now (epoch seconds), from the local clock and the offset. */
  now() {
    return Date.now() / 1000 + this.clockOffset;
  }

  /** @param {unknown} now kernel epoch seconds at send time */
  setNow(now) {
    if (typeof now === "number" && Number.isFinite(now)) this.clockOffset = now - Date.now() / 1000;
  }

  /**
   * Replace the whole state. `snapshot` is `{seq, state}`; an empty state means "no run yet".
   * @param {{seq?: number, state?: unknown}} snapshot
   */
  load(snapshot) {
    const state = isObject(snapshot.state) ? /** @type {State} */ (snapshot.state) : null;
    const prevStatus = this.state.status;
    this.seq = typeof snapshot.seq === "number" ? snapshot.seq : 0;
    this.state = state ? { ...structuredClone(state) } : emptyState();
    if (!Array.isArray(this.state.blocks)) this.state.blocks = [];
    this.loaded = state !== null && Object.keys(state).length > 0;
    this.damaged = false;
    this.pageEnd = null;
    if (this.state.status !== prevStatus || this.state.status !== "running") this.stopping = false;
    this.emit({ ...emptyChange(), reset: true, run: true });
  }

  /**
   * Apply one op to the state, recording what changed in `change`.
   * @param {Op} op
   * @param {Change} change
   */
  apply(op, change) {
    const blocks = this.state.blocks;
    switch (op.op) {
      case "run": {
        if (!isObject(op.set)) throw new OpError("run: set is not an object");
        if ("status" in op.set && op.set.status !== this.state.status) this.stopping = false;
        const set = structuredClone(op.set);
        // A run set adds to the run's MCP apps (each app's HTML is sent once):
        // nbagent/transcript/fold/state.py MERGED_RUN_FIELDS.
        if (isObject(set.apps)) set.apps = { ...this.state.apps, ...set.apps };
        Object.assign(this.state, set);
        change.run = true;
        return;
      }
      case "add": {
        if (!isObject(op.block)) throw new OpError("add: block is not an object");
        blocks.push(structuredClone(op.block));
        change.blocks.add(blocks.length - 1);
        change.run = true;
        return;
      }
      case "append": {
        const b = /** @type {Record<string, unknown> | undefined} */ (blocks[op.i]);
        if (!b || typeof op.key !== "string" || op.key in Object.prototype) {
          throw new OpError(`append: bad target ${op.i}/${op.key}`);
        }
        const cur = b[op.key];
        const text = String(op.text ?? "");
        b[op.key] = (typeof cur === "string" ? cur : "") + text;
        if (op.key === "text") change.appends.set(op.i, (change.appends.get(op.i) ?? "") + text);
        change.blocks.add(op.i);
        change.run = true; // counters (chars) in the status line
        return;
      }
      case "set": {
        const b = blocks[op.i];
        if (!b || !isObject(op.set)) throw new OpError(`set: bad target ${op.i}`);
        Object.assign(b, structuredClone(op.set));
        change.blocks.add(op.i);
        // Views follow text by its appends; text replaced any other way is a reset for them.
        if ("text" in op.set) change.reset = true;
        return;
      }
      default:
        throw new OpError(`unknown op ${JSON.stringify(/** @type {any} */ (op).op)}`);
    }
  }

  /**
   * Apply a list of ops (one `ops` message) and notify once.
   * @param {Op[]} ops
   * @param {number} seq
   */
  applyOps(ops, seq) {
    const change = emptyChange();
    try {
      for (const op of ops) this.apply(op, change);
      if (this.pageEnd) troubleChunk.get()?.keepPageEnd(this.state, this.pageEnd, change);
    } catch (err) {
      this.damaged = true;
      throw err;
    } finally {
      this.seq = seq;
      this.emit(change);
    }
  }

  /** @param {Listener} fn @returns {() => void} unsubscribe */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {Change} change */
  emit(change) {
    for (const fn of this.listeners) fn(change);
  }

  /** Notify views without a state change (UI state, stopping flag). */
  touch() {
    this.emit({ ...emptyChange(), run: true });
  }

  /** @param {string} blockId */
  uiKey(blockId) {
    return `${this.state.run_id ?? ""}/${blockId}`;
  }

  /** @param {string} blockId */
  uiFor(blockId) {
    const key = this.uiKey(blockId);
    let ui = this.ui.get(key);
    if (!ui) {
      ui = {};
      this.ui.set(key, ui);
    }
    return ui;
  }
  /**
   * Apply one `ops` message of the kernel ({seq, ops, d?}; see wire.js).
   * @param {Record<string, any>} msg
   */
  applyMessage(msg) {
    if (!Array.isArray(msg.ops)) throw new OpError("ops message without ops");
    this.applyOps(decodeOps(/** @type {{ops: unknown[], d?: unknown}} */ (msg)), msg.seq);
  }

  /** Whether the kernel's state is needed: nothing loaded yet, or a run still streaming. */
  needsSync() {
    return !this.loaded || this.state.status === "running";
  }

  /**
   * The kernel's answer to `output` (`{seq, head, parts}`): with this store's state, the data
   * the run's cell output should carry at `seq`.
   * @param {Record<string, any>} answer
   */
  setOutput(answer) {
    const data = outputPartsOf(this)?.take(answer, [this.state]) ?? null;
    if (data === null) return;
    this.output = { seq: answer.seq, data };
    this.touch();
  }

  /** @returns {import("../base/wire.js").OutputRequest} the `output` request */
  outputRequest() {
    return outputPartsOf(this)?.request() ?? { type: "output", have: [] };
  }

  /**
   * End a running run here, in the page, as its kernel would end a cancelled run (page_end.js,
   * the trouble chunk's: the kernel sends it with a widget's first running run): its kernel
   * restarted or shut down, or its connection closed.
   * @param {import("../base/kernel_end.js").PageEnd} reason
   * @returns {boolean} whether a running run was ended
   */
  endByPage(reason) {
    const trouble = troubleChunk.get();
    if (this.state.status !== "running" || !trouble) return false;
    this.pageEnd = trouble.pageEnd(reason, this.now());
    const change = emptyChange();
    trouble.keepPageEnd(this.state, this.pageEnd, change);
    this.stopping = false;
    this.unreachable = false;
    this.emit(change);
    return true;
  }

  /** @param {boolean} on the kernel does not answer this page */
  setUnreachable(on) {
    if (this.unreachable === on) return;
    this.unreachable = on;
    this.touch();
  }
}
