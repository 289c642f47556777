// nbagent widget: anywidget entry point. `initialize` creates one store per model and routes
// the kernel's messages into it; each `render` creates a view that draws from that store.

import "./styles.css";
import { warmUp } from "./markdown.js";
import { connect, Store } from "./store.js";
import { TranscriptView } from "./view.js";

export { renderMarkdownToFragment } from "./markdown.js";

/**
 * @typedef {{snapshot: {seq?: number, state?: object}, title: string, show_thinking: boolean,
 *   store_key: string}} Traits
 * @typedef {import("@anywidget/types").AnyModel<Traits>} Model
 */

/**
 * One store per model (a model can have several views, e.g. a cell output and a side panel).
 * anywidget hands `initialize` and `render` different proxies of one model, so stores are
 * keyed by the model's `store_key` trait (the proxy itself when a model has none).
 * @type {Map<unknown, {store: Store, disconnect: () => void}>}
 */
const stores = new Map();

/** @param {Model} model */
const keyOf = (model) => model.get("store_key") || model;

/**
 * The store of a model (created on first use; `initialize` normally creates it).
 * @param {Model} model
 * @returns {Store}
 */
export function storeFor(model) {
  const key = keyOf(model);
  let entry = stores.get(key);
  if (!entry) {
    const store = new Store();
    entry = { store, disconnect: connect(store, /** @type {any} */ (model)) };
    stores.set(key, entry);
  }
  return entry.store;
}

export default {
  /** @param {{model: Model}} props */
  initialize({ model }) {
    const store = storeFor(model);
    // A run about to stream (not a finished one re-shown): its first token renders warm.
    if (!store.loaded || store.state.status === "running") warmUp();
    const key = keyOf(model);
    return () => {
      const entry = stores.get(key);
      entry?.disconnect();
      entry?.store.takeRetired(); // no view will come: let the old DOM go
      stores.delete(key);
    };
  },
  /** @param {{model: Model, el: HTMLElement}} props */
  render({ model, el }) {
    const view = new TranscriptView(storeFor(model), /** @type {any} */ (model), el);
    return () => view.destroy();
  },
};
