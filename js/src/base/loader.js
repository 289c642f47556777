// Each nbagent widget's own `_esm`: the widget's code lives once per notebook, in the model
// its `code` trait references (nbagent/widget/code_model.py, CodeModel). This imports that code once
// per page and version, adds its styles to the document once, and hands `initialize` and
// `render` to it (`render` with that `<style>`, for a widget drawn in a shadow root).
// Kept tiny: a notebook saved with widget state holds this once per widget.

/**
 * @typedef {{initialize?: (ctx: any) => any, render?: (ctx: any) => any}} Module
 * @typedef {[Module, HTMLStyleElement]} Widget the module and its styles in the document
 * @typedef {{get(name: string): any}} CodeModel
 */

/** @type {Map<string, Promise<Widget>>} */
const loaded = /** @type {any} */ (globalThis).__nbagentLoaded ?? new Map();
/** @type {any} */ (globalThis).__nbagentLoaded = loaded;

/**
 * @param {any} model
 * @returns {Promise<Widget>}
 */
async function widgetOf(model) {
  const ref = String(model.get("code") ?? "").replace("IPY_MODEL_", "");
  if (!ref || !model.widget_manager) throw new Error("nbagent: this widget has no code model");
  /** @type {CodeModel} */
  const code = await model.widget_manager.get_model(ref);
  const version = String(code.get("version"));
  let widget = loaded.get(version);
  if (!widget) {
    const url = URL.createObjectURL(new Blob([code.get("code")], { type: "text/javascript" }));
    widget = import(/* webpackIgnore: true */ /* @vite-ignore */ url).then((mod) => {
      URL.revokeObjectURL(url);
      const style = document.createElement("style");
      style.dataset.nbagent = version;
      style.textContent = code.get("css");
      document.head.append(style);
      return [mod.default, style];
    });
    loaded.set(version, widget);
  }
  return widget;
}

export default {
  /** @param {any} ctx */
  async initialize(ctx) {
    return (await widgetOf(ctx.model))[0].initialize?.(ctx);
  },
  /** @param {any} ctx */
  async render(ctx) {
    const [mod, style] = await widgetOf(ctx.model);
    return mod.render?.({ ...ctx, style });
  },
};
