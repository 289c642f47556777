// nbagent widget: anywidget entry point. `initialize` creates one store per model and routes
// the kernel's messages into it; each `render` creates a view that draws from that store.

import "./styles.css";
import { connect, Store } from "./store.js";
import { TranscriptView } from "./view.js";

export { renderMarkdownToFragment } from "./markdown.js";

/**
 * @typedef {{snapshot: {seq?: number, state?: object}, title: string, show_thinking: boolean}} Traits
 * @typedef {import("@anywidget/types").AnyModel<Traits>} Model
 */

/** One store per model (a model can have several views, e.g. a cell output and a side panel). */
const stores = new WeakMap();

/**
 * The store of a model (created on first use; `initialize` normally creates it).
 * @param {Model} model
 * @returns {Store}
 */
export function storeFor(model) {
  let entry = stores.get(model);
  if (!entry) {
    const store = new Store();
    entry = { store, disconnect: connect(store, /** @type {any} */ (model)) };
    stores.set(model, entry);
  }
  return entry.store;
}

export default {
  /** @param {{model: Model}} props */
  initialize({ model }) {
    storeFor(model);
    return () => {
      stores.get(model)?.disconnect();
      stores.delete(model);
    };
  },
  /** @param {{model: Model, el: HTMLElement}} props */
  render({ model, el }) {
    const view = new TranscriptView(storeFor(model), /** @type {any} */ (model), el);
    return () => view.destroy();
  },
};
