// nbagent widget: anywidget entry point. `initialize` creates one store per model and routes
// the kernel's messages into it; each `render` creates a view that draws from that store.
// A model with an `arrangement` trait shows several runs (lanes, chat turns): its store is a LaneSet.
// What the models and views of this page share is made here, once (`newWidget`), and passed
// down: no module below keeps state of its own.

import "./styles.js";
import "../panels/inspector/form.css";
import { chunkFromCodeModel, heldChunks, whenSent } from "../base/chunks.js";
import { debugChunk } from "../base/debug.js";
import { lanesChunk } from "../base/lanes_slot.js";
import { guardSend } from "../base/send_guard.js";
import { styleShadowRoot } from "../base/styles.js";
import { renderMarkdownToFragment as toFragment, warmUp } from "../markdown/markdown.js";
import { newTypesetter } from "../markdown/math.js";
import { newPage } from "../markdown/page.js";
import { Store } from "../store/store.js";
import { connect } from "../store/sync.js";
import { TranscriptView } from "../view/view.js";
import { SHARED } from "./shared.js";

/**
 * @typedef {{snapshot: {seq?: number, state?: object, lanes?: object[]}, title: string,
 *   show_thinking: boolean, store_key: string, arrangement?: "lanes" | "chat",
 *   lanes?: string[], last?: string | null}} Traits
 * @typedef {import("@anywidget/types").AnyModel<Traits>} Model
 * @typedef {import("../store/lanes.js").LaneSet} LaneSet
 * @typedef {import("../base/lanes_slot.js").LanesChunk} LanesChunk
 */

/**
 * `then()` at once, or, for a model of several runs before the lanes chunk is here, once it is.
 * @template T
 * @param {Model} model
 * @param {() => T} then
 * @returns {T | Promise<T | undefined>}
 */
function whenLoaded(model, then) {
  if (!isLanes(model) || lanesChunk.get()) return then();
  return lanesChunk.load().then((c) => (c ? then() : undefined));
}

/** @returns {LanesChunk} */
const lanes = () => /** @type {LanesChunk} */ (lanesChunk.get());

/** @param {Model} model */
const keyOf = (model) => model.get("store_key") || model;

/** @param {Model} model */
const isLanes = (model) => typeof model.get("arrangement") === "string";

/**
 * The stores of a model's runs: its own, or each lane's.
 * @param {Store | LaneSet} store
 * @returns {Store[]}
 */
const runStores = (store) => (store instanceof Store ? [store] : store.lanes.map((l) => l.store));

/**
 * The kernel's last word as it restarts or shuts down (nbagent/runtime/run.py): its runs end.
 * @param {import("../store/sync.js").OtherMessage} msg
 * @param {Store | LaneSet} store
 */
function kernelEnds(msg, store) {
  if (msg.type !== "kernel_end") return;
  const reason = msg.reason === "kernel_shutdown" ? "kernel_shutdown" : "kernel_restarted";
  for (const s of runStores(store)) s.endByPage(reason);
}

/** Resolves when every held chunk that began to load has loaded (or failed). */
export async function chunksSettled() {
  await Promise.all([...heldChunks().values()].map((chunk) => chunk.loading()));
}

/**
 * The widget as this copy of the bundle runs it (js/src/base/loader.js imports the bundle once per
 * page and code version): the stores of its models and what its views share (page.js: the
 * typesetter with its queue and formula cache, the ids).
 */
function newWidget() {
  /**
   * One store per model (a model can have several views, e.g. a cell output and a side panel).
   * anywidget hands `initialize` and `render` different proxies of one model, so stores are
   * keyed by the model's `store_key` trait (the proxy itself when a model has none).
   * @type {Map<unknown, {store: Store | LaneSet, disconnect: () => void}>}
   */
  const stores = new Map();
  const math = newTypesetter();
  const page = newPage(math);

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
      if (isLanes(model)) entry = lanes().connectLanes(m, kernelEnds);
      else {
        const store = new Store();
        /** @param {import("../store/sync.js").OtherMessage} msg */
        const onMessage = (msg) => kernelEnds(msg, store);
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
   * The store of a single-run model.
   * @param {Model} model
   * @returns {Store}
   */
  function storeFor(model) {
    const store = entryFor(model);
    if (!(store instanceof Store)) throw new TypeError("storeFor: this model shows several runs");
    return store;
  }

  /**
   * The lanes of a model with an `arrangement` trait.
   * @param {Model} model
   * @returns {LaneSet}
   */
  function laneSetFor(model) {
    const set = entryFor(model);
    if (set instanceof Store) throw new TypeError("laneSetFor: this model shows one run");
    return set;
  }

  /**
   * The lazy chunks come from the model's code model (nbagent/widget/chunks.json): the math
   * chunk to this page's typesetter, every other chunk to the module that holds it (a chunk
   * that binds gets the bundle's modules it shares: SHARED).
   * @param {any} model
   */
  function provideChunks(model) {
    math.provideFromCodeModel(model);
    for (const [name, chunk] of heldChunks()) {
      if (chunk.get()) continue;
      chunk.provide(chunkFromCodeModel(model, name, SHARED));
      // The kernel sends a chunk just before a widget needs it: imported then, it is here by
      // the time the widget draws what needs it (else that shows once it is).
      whenSent(model, name, () => chunk.load());
    }
  }

  /** @param {Model} model */
  function initialized(model) {
    const store = entryFor(model);
    // A run about to stream (not a finished one re-shown): its first token renders warm.
    if (store.needsSync()) warmUp(page);
    const key = keyOf(model);
    return () => {
      const entry = stores.get(key);
      if (!entry) return;
      entry.disconnect();
      const store = entry.store;
      for (const s of runStores(store)) s.takeRetired(); // no view will come: let the old DOM go
      stores.delete(key);
    };
  }

  /**
   * @param {Model} model
   * @param {any} m the model as views use it (safeModel)
   * @param {HTMLElement} el
   * @param {HTMLStyleElement} [style]
   */
  function rendered(model, m, el, style) {
    const styled = new AbortController();
    if (style)
      styleShadowRoot(el, style.textContent ?? "", `${style.dataset.nbagent}`, styled.signal);
    if (isLanes(model)) {
      const view = new (lanes().LanesView)(laneSetFor(model), m, el, { page });
      // This page shows the lanes from the ops, which a kernel holds back from a client that
      // may have no page, one that names no cell (nbagent/apps/lane_saves.py).
      m.send({ type: "listen" });
      return () => {
        styled.abort();
        view.destroy();
      };
    }
    const view = new TranscriptView(storeFor(model), m, el, { page });
    // An agent run's forks (nbagent/frameworks/fork.py): lanes beside it, each the view of its own
    // model. (The debug chunk's: the kernel sends it before a run's first fork.)
    /** @type {{destroy(): void} | null} */
    let forks = null;
    debugChunk.whenLoaded((c) => {
      forks = new c.ForkLanes(m, el, view.root, (fork, lane) => {
        const own = safeModel(fork);
        const opts = { offersOutput: false, follows: false, page };
        return new TranscriptView(storeFor(fork), own, lane, opts);
      });
    }, styled.signal);
    return () => {
      styled.abort();
      forks?.destroy();
      view.destroy();
    };
  }

  return {
    math,
    storeFor,
    laneSetFor,
    /** @param {{model: Model}} props */
    initialize({ model }) {
      provideChunks(model);
      return whenLoaded(model, () => initialized(model));
    },
    /** @param {{model: Model, el: HTMLElement, style?: HTMLStyleElement}} props the loader's style */
    render({ model, el, style }) {
      const m = safeModel(model);
      provideChunks(m);
      return whenLoaded(model, () => rendered(model, m, el, style));
    },
  };
}

/** The widget of this copy of the bundle: its one context, made where the widget begins. */
const widget = newWidget();
export default widget;
export const { storeFor, laneSetFor } = widget;

/** A whole markdown document, its formulas typeset by this page's typesetter. @param {string} src */
export const renderMarkdownToFragment = (src) => toFragment(src, widget.math);
/** Start loading the math chunk (once). */
export const loadMath = () => widget.math.load();
/** Resolves when the math chunk has loaded (or failed) and no formula waits for its turn. */
export const mathSettled = () => widget.math.settled();
/** Where the math chunk comes from (the newest source given wins). @param {() => Promise<any>} load */
export const provideMath = (load) => widget.math.provide(load);
