// nbagent widget: anywidget entry point. `initialize` creates one store per model and routes
// the kernel's messages into it; each `render` creates a view that draws from that store.
// A model with an `arrangement` trait shows several runs (lanes, chat turns): its store is a LaneSet.

import "./styles.css";
import "./inspector/form.css";
import { ForkLanes } from "./forks.js";
import { guardSend } from "./kernel_end.js";
import { followLanes, LaneSet } from "./lanes.js";
import { LanesView } from "./lanes_view.js";
import { warmUp } from "./markdown.js";
import { provideMathFromCodeModel } from "./math.js";
import { provideAnswerFromCodeModel } from "./pause.js";
import { Store } from "./store.js";
import { styleShadowRoot } from "./styles.js";
import { connect } from "./sync.js";
import { TranscriptView } from "./view.js";

export { renderMarkdownToFragment } from "./markdown.js";
export { loadMath, mathSettled, provideMath } from "./math.js";

/**
 * @typedef {{snapshot: {seq?: number, state?: object, lanes?: object[]}, title: string,
 *   show_thinking: boolean, store_key: string, arrangement?: "lanes" | "chat",
 *   lanes?: string[]}} Traits
 * @typedef {import("@anywidget/types").AnyModel<Traits>} Model
 */

/**
 * One store per model (a model can have several views, e.g. a cell output and a side panel).
 * anywidget hands `initialize` and `render` different proxies of one model, so stores are
 * keyed by the model's `store_key` trait (the proxy itself when a model has none).
 * @type {Map<unknown, {store: Store | LaneSet, disconnect: () => void}>}
 */
const stores = new Map();

/** @param {Model} model */
const keyOf = (model) => model.get("store_key") || model;

/** @param {Model} model */
const isLanes = (model) => typeof model.get("arrangement") === "string";

/**
 * The store of a model (created on first use; `initialize` normally creates it).
 * @param {Model} model
 * @returns {Store | LaneSet}
 */
function entryFor(model) {
  const key = keyOf(model);
  let entry = stores.get(key);
  if (!entry) {
    const m = safeModel(model);
    if (isLanes(model)) {
      const set = new LaneSet();
      const follow = followLanes(set, m);
      const notice = noticeTo(set);
      const onMessage = (/** @type {Record<string, any>} */ msg) => {
        notice(msg);
        kernelEnds(msg, set);
      };
      entry = { store: set, disconnect: connect(set, m, { onMessage, follow }) };
    } else {
      const store = new Store();
      const onMessage = (/** @type {Record<string, any>} */ msg) => kernelEnds(msg, store);
      entry = { store, disconnect: connect(store, m, { onMessage }) };
    }
    stores.set(key, entry);
  }
  return entry.store;
}

/**
 * The model as the store and its views use it: a send that fails because the kernel's
 * connection is gone ends the model's runs here, instead of throwing into the page.
 * @param {Model} model
 * @returns {any}
 */
function safeModel(model) {
  return guardSend(/** @type {any} */ (model), () => {
    const store = stores.get(keyOf(model))?.store;
    if (store) for (const s of runStores(store)) s.endByPage("kernel_unreachable");
  });
}

/**
 * The stores of a model's runs: its own, or each lane's.
 * @param {Store | LaneSet} store
 * @returns {Store[]}
 */
const runStores = (store) => (store instanceof LaneSet ? store.lanes.map((l) => l.store) : [store]);

/**
 * The kernel's last word as it restarts or shuts down (nbagent/runtime/run.py): its runs end.
 * @param {Record<string, any>} msg
 * @param {Store | LaneSet} store
 */
function kernelEnds(msg, store) {
  if (msg.type !== "kernel_end") return;
  const reason = msg.reason === "kernel_shutdown" ? "kernel_shutdown" : "kernel_restarted";
  for (const s of runStores(store)) s.endByPage(reason);
}

/** @param {LaneSet} set @returns {(msg: Record<string, any>) => void} */
const noticeTo = (set) => (msg) => {
  if (msg.type === "notice" && typeof msg.text === "string") set.setNotice(msg.text);
};

/**
 * The store of a single-run model.
 * @param {Model} model
 * @returns {Store}
 */
export function storeFor(model) {
  const store = entryFor(model);
  if (!(store instanceof Store)) throw new TypeError("storeFor: this model shows several runs");
  return store;
}

/**
 * The lanes of a model with an `arrangement` trait.
 * @param {Model} model
 * @returns {LaneSet}
 */
export function laneSetFor(model) {
  const set = entryFor(model);
  if (!(set instanceof LaneSet)) throw new TypeError("laneSetFor: this model shows one run");
  return set;
}

/**
 * The lazy chunks come from the model's code model: KaTeX (the first formula), a paused
 * call's answers (the first live pause).
 * @param {any} model
 */
function provideChunks(model) {
  provideMathFromCodeModel(model);
  provideAnswerFromCodeModel(model);
}

export default {
  /** @param {{model: Model}} props */
  initialize({ model }) {
    provideChunks(model);
    const store = entryFor(model);
    // A run about to stream (not a finished one re-shown): its first token renders warm.
    if (store.needsSync()) warmUp();
    const key = keyOf(model);
    return () => {
      const entry = stores.get(key);
      if (!entry) return;
      entry.disconnect();
      const store = entry.store;
      const all = store instanceof LaneSet ? store.lanes.map((l) => l.store) : [store];
      for (const s of all) s.takeRetired(); // no view will come: let the old DOM go
      stores.delete(key);
    };
  },
  /** @param {{model: Model, el: HTMLElement, style?: HTMLStyleElement}} props the loader's style */
  render({ model, el, style }) {
    const m = safeModel(model);
    provideChunks(m);
    const styled = new AbortController();
    if (style)
      styleShadowRoot(el, style.textContent ?? "", `${style.dataset.nbagent}`, styled.signal);
    if (isLanes(model)) {
      const lanes = new LanesView(laneSetFor(model), m, el);
      return () => {
        styled.abort();
        lanes.destroy();
      };
    }
    const view = new TranscriptView(storeFor(model), m, el);
    // An agent run's forks (nbagent/_fork.py): lanes beside it, each the view of its own model.
    const forks = new ForkLanes(m, el, view.root, (fork, lane) => {
      const own = safeModel(fork);
      return new TranscriptView(storeFor(fork), own, lane, { offersOutput: false, follows: false });
    });
    return () => {
      styled.abort();
      forks.destroy();
      view.destroy();
    };
  },
};
