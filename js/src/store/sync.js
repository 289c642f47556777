// Keeping a transcript store (or a lanes widget's set of them) in step with its model: the
// `snapshot` trait, the kernel's ops and `snapshot` messages, and a `sync` asked for on a gap,
// again with back-off until one comes.

import { isObject, WireError } from "../base/wire.js";
import { OpError } from "./store.js";

/**
 * @typedef {import("../base/wire.js").RunMessage} RunMessage
 * @typedef {import("../base/wire.js").KernelEnd | import("../base/wire.js").Notice} OtherMessage
 * @typedef {{send(content: import("../base/wire.js").PageMessage): void, get(key: string): any,
 *   on(name: string, cb: (...args: any[]) => void): void,
 *   off(name?: string | null, cb?: ((...args: any[]) => void) | null): void}} ModelLike
 * @typedef {{seq: number, loaded: boolean, damaged: boolean,
 *   load(snapshot: Record<string, any>): void,
 *   applyMessage(msg: Record<string, any>): void, setNow(now: unknown): void,
 *   needsSync(): boolean, setUnreachable(on: boolean): void,
 *   setOutput(answer: Record<string, any>): void}} Syncable
 *   What `connect` keeps in step with a model: a Store (one run) or a LaneSet (several).
 *   `load` takes the `snapshot` trait or a `snapshot` message; `applyMessage` an ops message
 *   and throws OpError/WireError when it cannot be applied (and is then `damaged` until a
 *   snapshot loads).
 * @typedef {(ready: () => void) => () => void} Follow
 *   Loads the target from the model's traits instead of its `snapshot` trait; calls `ready`
 *   once the first load is done (the first sync waits for it); returns its cleanup.
 */

/**
 * Wire a store to a model: the `snapshot` trait, the ops and `snapshot` messages, sync on gaps.
 * @param {Syncable} target
 * @param {ModelLike} model
 * @param {{retryMs?: number, maxTries?: number, onMessage?: (msg: OtherMessage) => void,
 *   follow?: Follow}} [opts]
 *   `onMessage`: other messages of the kernel (those with a `type` this does not handle);
 *   `follow`: how the target loads from the model's traits (default: its `snapshot` trait).
 * @returns {() => void} cleanup
 */
export function connect(target, model, { retryMs = 1000, maxTries = 6, onMessage, follow } = {}) {
  // A sync the kernel never answers (a message lost across a page reload) must not freeze
  // the view: ask again, backing off, until a snapshot arrives.
  let syncPending = false;
  let tries = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  const send = () => {
    retry = undefined;
    if (!syncPending || tries >= maxTries) return;
    tries += 1;
    if (tries === 2) target.setUnreachable(true);
    model.send({ type: "sync" });
    retry = setTimeout(send, retryMs * 2 ** (tries - 1));
  };
  const requestSync = () => {
    if (syncPending) return;
    syncPending = true;
    tries = 0;
    send();
  };
  const settle = () => {
    syncPending = false;
    target.setUnreachable(false);
    if (retry !== undefined) clearTimeout(retry);
    retry = undefined;
  };

  const loadTrait = () => {
    const snap = model.get("snapshot");
    if (!isObject(snap) || typeof snap.seq !== "number") return;
    if (snap.seq < target.seq) return;
    // Written at the run's end, after the ops that carried the same state: nothing new.
    if (snap.seq === target.seq && target.loaded && !target.damaged) return;
    target.load(snap);
  };

  /** @param {unknown} raw a kernel's message: checked for what it must be as it is read */
  const onMsg = (raw) => {
    if (!isObject(raw)) return;
    // the long form of an ops message has type "ops" (js/src/base/wire.js)
    const msg =
      /** @type {RunMessage | {type: "ops", seq: number, ops: unknown[], now?: number}} */ (raw);
    if (!("type" in msg) || msg.type === "ops") {
      // {seq, ...} (nbagent/wire.py); the long form has type "ops".
      if (typeof msg.seq !== "number") return;
      if (msg.seq <= target.seq) return; // already applied (or covered by a snapshot)
      if (msg.seq !== target.seq + 1) {
        requestSync();
        return;
      }
      target.setNow(msg.now);
      try {
        target.applyMessage(msg);
      } catch (err) {
        if (!(err instanceof OpError || err instanceof WireError)) throw err;
        console.warn("nbagent: cannot apply ops, resyncing:", err.message);
        requestSync();
      }
    } else if (msg.type === "output") {
      if (typeof msg.seq === "number") target.setOutput(msg);
    } else if (msg.type === "snapshot") {
      settle();
      const seq = typeof msg.seq === "number" ? msg.seq : 0;
      if (seq < target.seq) return;
      target.setNow(msg.now);
      target.load({ ...msg, seq });
    } else onMessage?.(msg);
  };

  let closed = false;
  const ready = () => {
    if (!closed && target.needsSync()) requestSync();
  };
  model.on("msg:custom", onMsg);
  /** @type {() => void} */
  let unfollow;
  if (follow) unfollow = follow(ready);
  else {
    model.on("change:snapshot", loadTrait);
    loadTrait();
    ready();
    unfollow = () => model.off("change:snapshot", loadTrait);
  }

  return () => {
    closed = true;
    settle();
    model.off("msg:custom", onMsg);
    unfollow();
  };
}
