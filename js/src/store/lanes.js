// The state of a widget of several runs (lanes side by side, or the turns of a chat): one
// Store per lane, kept in step with the kernel through the same `connect` as a single run.
// Messages: nbagent/wire.py ("A widget of several runs"). Lane n's saved state is the widget
// model's key `lane{n}` (nbagent/widget/lane_state.py).

import { outputPartsOf } from "../base/output.js";
import { decodeOps, isObject } from "../base/wire.js";
import { savedState } from "./offer.js";
import { OpError, Store } from "./store.js";
import { connect } from "./sync.js";

/**
 * @typedef {{title?: string | null, prompt?: string | null, can_rerun?: boolean | string}} LaneMeta
 * @typedef {{index: number, meta: LaneMeta, store: Store}} Lane
 * @typedef {{lanes: boolean, meta: Set<number>, notice: boolean}} LanesChange
 *   `lanes`: lanes were added (or all reloaded); `meta`: lanes whose metadata changed.
 */

/**
 * A lane's state before its opening's ops (nbagent/widget/lane_state.py, `LANE_START`): a
 * run's first state says only what differs.
 */
const LANE_START = { version: 1, status: "running", deltas: 0, generating_s: 0 };

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
    /**
     * Each lane's static part, from the kernel's answers (the states are the lanes'): made
     * with the output chunk (output.js).
     * @type {import("./offer.js").OutputParts | null}
     */
    this.outputParts = null;
    /** @type {Set<(change: LanesChange) => void>} */
    this.listeners = new Set();
    /**
     * Told of each lane a message changed (`followLanes`: a lane opened or ended is written
     * into the model, which the kernel does not send).
     * @type {((lane: Lane) => void) | null}
     */
    this.onSettled = null;
  }

  /** @param {number} index @returns {Lane} the lane, created when it is the next one */
  ensure(index) {
    let lane = this.lanes[index];
    if (!lane) {
      if (index !== this.lanes.length) throw new OpError(`lane ${index} out of order`);
      const store = new Store();
      store.state = { ...LANE_START, blocks: [] };
      store.clockOffset = this.clockOffset;
      store.unreachable = this.unreachable;
      lane = { index, meta: {}, store };
      this.lanes.push(lane);
    }
    return lane;
  }

  /**
   * Replace every lane: a `snapshot` message (the reply to `sync`), or the `snapshot` trait
   * of a notebook saved before lanes had models of their own: `{seq, lanes: [{meta, state}]}`.
   * A lane that already has `seq` (and applied every op) is kept as it is.
   * @param {Record<string, any>} snapshot
   */
  load(snapshot) {
    const lanes = Array.isArray(snapshot.lanes) ? snapshot.lanes : [];
    const seq = typeof snapshot.seq === "number" ? snapshot.seq : 0;
    this.seq = seq;
    this.loaded = Array.isArray(snapshot.lanes);
    this.lanes.length = Math.min(this.lanes.length, lanes.length);
    lanes.forEach((entry, i) => {
      const known = this.lanes[i];
      if (known && known.store.seq >= seq && !known.store.damaged) return;
      const lane = this.ensure(i);
      lane.meta = isObject(entry?.meta) ? { ...entry.meta } : {};
      lane.store.load({ seq, state: entry?.state });
    });
    this.emit({ lanes: true, meta: new Set(this.lanes.map((l) => l.index)), notice: false });
  }

  /**
   * Load one lane from its model's `lane` trait, `{seq, meta, state}`; skipped when the lane
   * already has that seq (written at the lane's end, it comes after the ops that carried it).
   * Lanes load in order: a lane after the next one is ignored.
   * @param {number} index
   * @param {unknown} saved
   */
  loadLane(index, saved) {
    if (index > this.lanes.length || !isObject(saved)) return;
    const seq = typeof saved.seq === "number" ? saved.seq : 0;
    const known = this.lanes[index];
    if (known && known.store.seq >= seq && !known.store.damaged) return;
    const lane = this.ensure(index);
    lane.meta = isObject(saved.meta) ? { ...saved.meta } : {};
    lane.store.load({ seq, state: saved.state });
    this.emit({ lanes: !known, meta: new Set([index]), notice: false });
  }

  /**
   * Every lane model has been read once: the lanes are known (at the latest seq among them;
   * a lane still running asks for a sync, see `needsSync`).
   */
  markLoaded() {
    if (this.loaded) return;
    this.loaded = true;
    for (const lane of this.lanes) this.seq = Math.max(this.seq, lane.store.seq);
    this.emit({ lanes: true, meta: new Set(), notice: false });
  }

  /**
   * Apply one message `{seq, lanes: [[lane, ops, d?], ...], meta?: [[lane, {...}], ...]}`.
   * A lane whose state already has `seq` (loaded from its model) skips its ops; after the
   * message every lane is at `seq`.
   * @param {Record<string, any>} msg
   */
  applyMessage(msg) {
    if (!Array.isArray(msg.lanes)) throw new OpError("lanes message without lanes");
    /** @type {LanesChange} */
    const change = { lanes: false, meta: new Set(), notice: false };
    /** @type {Set<number>} The lanes whose ops applied. */
    const touched = new Set();
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
        if (lane.store.seq >= msg.seq) continue;
        touched.add(lane.index);
        lane.store.applyOps(decodeOps({ ops: entry[1], d: entry[2] }), msg.seq);
      }
    } finally {
      this.seq = msg.seq;
      for (const lane of this.lanes) lane.store.seq = Math.max(lane.store.seq, msg.seq);
      // A lane with a clock of its own (a replay's: its recording's time, at its speed), after
      // the message's `now`: its live numbers are the ones it ends with.
      for (const entry of Array.isArray(msg.clocks) ? msg.clocks : [])
        if (Array.isArray(entry) && Number.isInteger(entry[0]))
          this.lanes[entry[0]]?.store.setNow(entry[1]);
      for (const i of new Set([...touched, ...change.meta]))
        if (this.lanes[i]) this.onSettled?.(this.lanes[i]);
      if (change.lanes || change.meta.size) this.emit(change);
    }
  }

  /** Whether some lane's ops could not be applied (a sync will replace it). */
  get damaged() {
    return this.lanes.some((l) => l.store.damaged);
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
   * The kernel's answer to `output` (`{seq, head, parts}`): with the lanes' states, the data
   * the widget's cell output should carry at `seq`.
   * @param {Record<string, any>} answer
   */
  setOutput(answer) {
    const states = this.lanes.map((l) => l.store.state);
    const data = outputPartsOf(this)?.take(answer, states) ?? null;
    if (data === null) return;
    this.output = { seq: answer.seq, data };
    this.emit({ lanes: false, meta: new Set(), notice: false });
  }

  /** @returns {import("../base/wire.js").OutputRequest} the `output` request */
  outputRequest() {
    return outputPartsOf(this)?.request() ?? { type: "output", have: [] };
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

/**
 * @typedef {{get(key: string): any, set(key: string, value: unknown): void}} LanesModelLike
 *   A lanes widget's model (its `lane{n}` keys) with, in notebooks saved before,
 *   `widget_manager` for the models of the lanes there.
 */

/**
 * The lanes a notebook saved before holds in models of their own, in lane order: those its
 * `lanes` trait lists, or those chained from its `last` (each one's `prev`; a cycle ends it).
 * @param {Record<string, any>} model
 * @returns {Promise<unknown[]>} each model's `lane`
 */
async function savedBefore(model) {
  const last = model.get("last");
  /** @type {any[]} */
  const models = [];
  const get = (/** @type {unknown} */ ref) =>
    model.widget_manager.get_model(String(ref).replace("IPY_MODEL_", ""));
  if (typeof last !== "string")
    return (await Promise.all(model.get("lanes").map(get))).map((m) => m.get("lane"));
  for (let ref = last, seen = new Set(); typeof ref === "string" && !seen.has(ref); ) {
    seen.add(ref);
    models.unshift(await get(ref));
    ref = models[0].get("prev");
  }
  return models.map((m) => m.get("lane"));
}

/**
 * How a LaneSet loads from a lanes widget's model (`connect`'s `follow`): lane n from the
 * model's key `lane{n}` (nbagent/widget/lane_state.py); from a notebook saved before, from
 * models of their own (`savedBefore`) or every lane from the `snapshot` trait. `ready` is called
 * once they are read. Each lane a message changed is written into its key as the kernel keeps
 * it, `{seq, meta, state}`, when it opens and once it ended (not one a sync will replace): the
 * kernel does not send it to a page that built it from the ops (nbagent/apps/lane_saves.py,
 * `_publish`); a page that saves its widget state saves the model.
 * @param {LaneSet} set
 * @param {LanesModelLike} model
 * @returns {import("./sync.js").Follow}
 */
export function followLanes(set, model) {
  return (ready) => {
    set.onSettled = ({ index, meta, store }) => {
      const saved = model.get(`lane${index}`);
      if (store.damaged) return;
      if (isObject(saved) && (store.state.status === "running" || saved.seq >= store.seq)) return;
      model.set(`lane${index}`, {
        seq: store.seq,
        meta: { ...meta },
        state: structuredClone(savedState(store.state)),
      });
    };
    let closed = false;
    void (async () => {
      /** @type {unknown[]} */
      let lanes = [];
      for (let n = 0; isObject(model.get(`lane${n}`)); n++) lanes.push(model.get(`lane${n}`));
      try {
        const before = typeof model.get("last") === "string" || model.get("lanes")?.length;
        if (!lanes.length && before) lanes = await savedBefore(model);
      } catch (err) {
        // The kernel knows every lane: a sync brings them (with no kernel, nothing will).
        console.warn("nbagent: a lane's model is missing:", err);
        if (!closed) ready();
        return;
      }
      if (closed) return;
      const snap = model.get("snapshot");
      if (!lanes.length && isObject(snap) && Array.isArray(snap.lanes) && snap.seq >= set.seq)
        set.load(snap);
      for (const [n, lane] of lanes.entries()) set.loadLane(n, lane);
      set.markLoaded();
      ready();
    })();
    return () => {
      closed = true;
      set.onSettled = null;
    };
  };
}

/**
 * A lanes widget's set of runs, kept in step with its model (sync.js `connect`, loaded from its
 * traits: `followLanes`), with the kernel's notices shown on it; its other messages go to
 * `others` (the kernel's last word: js/src/widget/index.js).
 * @param {LanesModelLike & import("./sync.js").ModelLike} model
 * @param {(msg: import("./sync.js").OtherMessage, set: LaneSet) => void} others
 * @returns {{store: LaneSet, disconnect: () => void}}
 */
export function connectLanes(model, others) {
  const set = new LaneSet();
  /** @param {import("./sync.js").OtherMessage} msg */
  const onMessage = (msg) => {
    if (msg.type === "notice" && typeof msg.text === "string") set.setNotice(msg.text);
    others(msg, set);
  };
  return {
    store: set,
    disconnect: connect(set, model, { onMessage, follow: followLanes(set, model) }),
  };
}
