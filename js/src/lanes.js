// The state of a widget of several runs (lanes side by side, or the turns of a chat): one
// Store per lane, kept in step with the kernel through the same `connect` as a single run.
// Messages: nbagent/wire.py ("A widget of several runs").

import { OpError, Store } from "./store.js";
import { decodeOps } from "./wire.js";

/**
 * @typedef {{title?: string | null, prompt?: string | null, can_rerun?: boolean}} LaneMeta
 * @typedef {{index: number, meta: LaneMeta, store: Store}} Lane
 * @typedef {{lanes: boolean, meta: Set<number>, notice: boolean}} LanesChange
 *   `lanes`: lanes were added (or all reloaded); `meta`: lanes whose metadata changed.
 */

/** @param {unknown} v @returns {v is Record<string, any>} */
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class LaneSet {
  constructor() {
    /** Sequence number of the last applied message or loaded snapshot. */
    this.seq = 0;
    /** True once a snapshot with a lane list has been loaded. */
    this.loaded = false;
    /** @type {Lane[]} */
    this.lanes = [];
    /** Kernel clock minus local clock (s), for lanes created later. */
    this.clockOffset = 0;
    this.unreachable = false;
    /** @type {string | null} The kernel's last notice (a chat prompt it could not start). */
    this.notice = null;
    /**
     * What the widget's cell output should carry, for state `seq` (see offer.js).
     * @type {{seq: number, data: Record<string, unknown>} | null}
     */
    this.output = null;
    /** The `seq` the output data was last asked for. */
    this.outputAsked = -1;
    /** @type {Set<(change: LanesChange) => void>} */
    this.listeners = new Set();
  }

  /** @param {number} index @returns {Lane} the lane, created when it is the next one */
  ensure(index) {
    let lane = this.lanes[index];
    if (!lane) {
      if (index !== this.lanes.length) throw new OpError(`lane ${index} out of order`);
      const store = new Store();
      store.clockOffset = this.clockOffset;
      store.unreachable = this.unreachable;
      lane = { index, meta: {}, store };
      this.lanes.push(lane);
    }
    return lane;
  }

  /**
   * Replace every lane: the `snapshot` trait or message, `{seq, lanes: [{meta, state}]}`.
   * @param {Record<string, any>} snapshot
   */
  load(snapshot) {
    const lanes = Array.isArray(snapshot.lanes) ? snapshot.lanes : [];
    const seq = typeof snapshot.seq === "number" ? snapshot.seq : 0;
    this.seq = seq;
    this.loaded = Array.isArray(snapshot.lanes);
    this.lanes.length = Math.min(this.lanes.length, lanes.length);
    lanes.forEach((entry, i) => {
      const lane = this.ensure(i);
      lane.meta = isObject(entry?.meta) ? { ...entry.meta } : {};
      lane.store.load({ seq, state: entry?.state });
    });
    this.emit({ lanes: true, meta: new Set(this.lanes.map((l) => l.index)), notice: false });
  }

  /**
   * Apply one message `{seq, lanes: [[lane, ops, d?], ...], meta?: [[lane, {...}], ...]}`.
   * @param {Record<string, any>} msg
   */
  applyMessage(msg) {
    if (!Array.isArray(msg.lanes)) throw new OpError("lanes message without lanes");
    /** @type {LanesChange} */
    const change = { lanes: false, meta: new Set(), notice: false };
    try {
      for (const entry of Array.isArray(msg.meta) ? msg.meta : []) {
        const [index, meta] = Array.isArray(entry) ? entry : [];
        if (!Number.isInteger(index) || index < 0 || !isObject(meta)) {
          throw new OpError("bad lane metadata");
        }
        change.lanes ||= index === this.lanes.length;
        Object.assign(this.ensure(index).meta, meta);
        change.meta.add(index);
      }
      for (const entry of msg.lanes) {
        const lane = Array.isArray(entry) ? this.lanes[entry[0]] : undefined;
        if (!lane) throw new OpError(`ops for an unknown lane ${JSON.stringify(entry?.[0])}`);
        if (!Array.isArray(entry[1])) throw new OpError("lane ops are not a list");
        lane.store.applyOps(decodeOps({ ops: entry[1], d: entry[2] }), msg.seq);
      }
    } finally {
      this.seq = msg.seq;
      if (change.lanes || change.meta.size) this.emit(change);
    }
  }

  /** @param {unknown} now kernel epoch seconds at send time */
  setNow(now) {
    if (typeof now !== "number" || !Number.isFinite(now)) return;
    this.clockOffset = now - Date.now() / 1000;
    for (const lane of this.lanes) lane.store.clockOffset = this.clockOffset;
  }

  /** Whether the kernel's state is needed: nothing loaded yet, or a lane still streaming. */
  needsSync() {
    return !this.loaded || this.lanes.some((l) => l.store.state.status === "running");
  }

  /** @param {boolean} on */
  setUnreachable(on) {
    this.unreachable = on;
    for (const lane of this.lanes) lane.store.setUnreachable(on);
  }

  /** Whether every lane has ended (a chat between turns; all lanes of a comparison). */
  settled() {
    return this.loaded && this.lanes.every((l) => l.store.state.status !== "running");
  }

  /**
   * The kernel's answer to `{"type": "output"}`.
   * @param {number} seq
   * @param {Record<string, unknown>} data
   */
  setOutput(seq, data) {
    this.output = { seq, data };
    this.emit({ lanes: false, meta: new Set(), notice: false });
  }

  /** @param {string} text */
  setNotice(text) {
    this.notice = text;
    this.emit({ lanes: false, meta: new Set(), notice: true });
  }

  /** @param {(change: LanesChange) => void} fn @returns {() => void} unsubscribe */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {LanesChange} change */
  emit(change) {
    for (const fn of this.listeners) fn(change);
  }
}
