// The lazy chunks the widget's code model carries (nbagent/_widget.py, CodeModel: `math`,
// `answer`): each imported from a Blob URL the first time it is needed, so nothing is
// fetched, once per page, chunk and code version, whichever copy of the bundle asks.

/**
 * A chunk's imports in this page, by code version (`globalThis.__nbagentMath`, ...): shared
 * by every copy of the bundle, as the bundle itself is (js/src/loader.js).
 * @param {string} name
 * @returns {Map<string, Promise<any>>}
 */
function importsOf(name) {
  const key = `__nbagent${name[0].toUpperCase()}${name.slice(1)}`;
  const g = /** @type {any} */ (globalThis);
  g[key] ??= new Map();
  return g[key];
}

/**
 * The chunk's text once the kernel sends it (on the code model's own comm: it sends a chunk
 * when a widget's messages first need it, e.g. a formula, a paused call).
 * @param {any} code the code model
 * @param {string} name its trait
 * @returns {Promise<string>}
 */
function sent(code, name) {
  return new Promise((resolve) => {
    const arrived = () => {
      const text = String(code.get(name) ?? "");
      if (!text) return;
      code.off(`change:${name}`, arrived);
      resolve(text);
    };
    code.on(`change:${name}`, arrived);
  });
}

/**
 * How to load chunk `name` (its module's default export) from the code model a widget model
 * references (its `code` trait, "IPY_MODEL_<id>"); null when there is none (a saved page).
 * @param {any} model
 * @param {string} name
 * @returns {(() => Promise<any>) | null}
 */
export function chunkFromCodeModel(model, name) {
  const ref = String(model.get("code") ?? "").replace("IPY_MODEL_", "");
  const manager = model.widget_manager;
  if (!ref || !manager) return null;
  return async () => {
    const code = await manager.get_model(ref);
    const version = String(code.get("version"));
    const imported = importsOf(name);
    let chunk = imported.get(version);
    if (!chunk) {
      const text = String(code.get(name) || (await sent(code, name)));
      const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      chunk = import(/* webpackIgnore: true */ /* @vite-ignore */ url).then((mod) => mod.default);
      chunk.finally(() => URL.revokeObjectURL(url)).catch(() => {});
      imported.set(version, chunk);
    }
    return chunk;
  };
}
