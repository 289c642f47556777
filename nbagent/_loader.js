// nbagent's per-widget loader: the widget's code lives once per notebook, in the model its
// `code` trait references; this imports it once per page and hands the widget to it.
const REF = "IPY_MODEL_";
const cache = (globalThis.__nbagentCode ??= new Map());

async function load(model) {
  const ref = String(model.get("code") ?? "").replace(REF, "");
  const manager = model.widget_manager;
  if (!ref || !manager) throw new Error("nbagent: no code model (the widget manager is missing)");
  const code = await manager.get_model(ref);
  const version = code.get("version");
  let mod = cache.get(version);
  if (!mod) {
    const url = URL.createObjectURL(new Blob([code.get("code")], { type: "text/javascript" }));
    mod = import(/* webpackIgnore: true */ url).then((m) => {
      const style = document.createElement("style");
      style.dataset.nbagent = version;
      style.textContent = code.get("css");
      document.head.appendChild(style);
      return m.default;
    });
    cache.set(version, mod);
  }
  return mod;
}

export default {
  async initialize(ctx) {
    const widget = await load(ctx.model);
    return widget.initialize?.(ctx);
  },
  async render(ctx) {
    const widget = await load(ctx.model);
    return widget.render?.(ctx);
  },
};
