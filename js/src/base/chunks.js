// The lazy chunks the widget's code model carries (nbagent/widget/widget.py, CodeModel: `math`,
// `answer`, and the feature chunks, js/build.mjs CHUNKS): each imported from a Blob URL the
// first time it is needed, so nothing is fetched, once per page, chunk and code version,
// whichever copy of the bundle asks.

/**
 * A chunk's imports in this page, by code version (`globalThis.__nbagentMath`, ...): shared
 * by every copy of the bundle, as the bundle itself is (js/src/base/loader.js).
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
 * `then()` once the code model a widget model references holds chunk `name` (at once if it
 * does); never without a code model (a saved page without one).
 * @param {any} model
 * @param {string} name
 * @param {() => void} then
 */
export function whenSent(model, name, then) {
  const ref = String(model.get("code") ?? "").replace("IPY_MODEL_", "");
  const manager = model.widget_manager;
  if (!ref || !manager) return;
  manager.get_model(ref).then(
    (/** @type {any} */ code) => {
      if (typeof code?.get !== "function") return;
      if (code.get(name)) then();
      else sent(code, name).then(then);
    },
    () => {},
  );
}

/**
 * How to load chunk `name` (its module's default export) from the code model a widget model
 * references (its `code` trait, "IPY_MODEL_<id>"); null when there is none (a saved page).
 * A feature chunk (js/build.mjs CHUNKS) gets the bundle's own modules it uses (`shared`,
 * js/src/widget/shared.js) before any of its code runs.
 * @param {any} model
 * @param {string} name
 * @param {Record<string, object>} [shared]
 * @returns {(() => Promise<any>) | null}
 */
export function chunkFromCodeModel(model, name, shared) {
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
      chunk = import(/* webpackIgnore: true */ /* @vite-ignore */ url).then((mod) => {
        mod.bind?.(shared);
        return mod.default;
      });
      chunk.finally(() => URL.revokeObjectURL(url)).catch(() => {});
      imported.set(version, chunk);
    }
    return chunk;
  };
}

/**
 * A lazy chunk as one copy of the bundle holds it: where it comes from (the first source
 * given wins), the chunk once loaded, and the one load in flight.
 * @template T
 * @param {string} lost what stays undone when the chunk's code does not load (a warning)
 * @param {{loaded?: (chunk: T) => void, failed?: () => void}} [on] called when it loads or fails
 */
export function lazyChunk(lost, on = {}) {
  /** @type {T | null} */
  let chunk = null;
  /** @type {(() => Promise<T>) | null} */
  let source = null;
  /** @type {Promise<T | null> | null} */
  let loading = null;
  /** Who waits for the chunk without asking for it (`whenLoaded`). */
  /** @type {((chunk: T) => void)[]} */
  let waiting = [];
  /** @param {T} c @param {(c: T) => void} [hook] */
  const arrived = (c, hook) => {
    chunk = c;
    hook?.(c);
    for (const then of waiting.splice(0)) then(c);
  };
  return {
    /** @param {(() => Promise<T>) | null} load */
    provide(load) {
      source ??= load;
    },
    hasSource: () => source !== null,
    /** Use this chunk at once (tests, or a chunk already imported). @param {T} c */
    use(c) {
      arrived(c);
    },
    /**
     * `then(chunk)` at once when the chunk is here, else once it has loaded, without starting
     * a load: for what only matters if the kernel sends the chunk (a page that never gets it
     * waits for nothing).
     * @param {(chunk: T) => void} then
     */
    whenLoaded(then) {
      if (chunk) then(chunk);
      else waiting.push(then);
    },
    /** The chunk, if it has loaded. */
    get: () => chunk,
    /** The load in flight or done (null before one starts). */
    loading: () => loading,
    /**
     * Start loading the chunk (once).
     * @returns {Promise<T | null>} the chunk; null without a source or when it fails
     */
    load() {
      if (chunk) return Promise.resolve(chunk);
      if (loading) return loading;
      if (!source) return Promise.resolve(null);
      loading = source().then(
        (c) => {
          arrived(c, on.loaded);
          return c;
        },
        (err) => {
          waiting = [];
          on.failed?.();
          console.warn(`nbagent: ${lost}, its code did not load:`, err);
          return null;
        },
      );
      return loading;
    },
  };
}

/**
 * `then(chunk)` at once when the chunk is here, else once it has loaded (not when `signal`
 * was aborted meanwhile, nor when it fails to load).
 * @template T
 * @param {{get(): T | null, load(): Promise<T | null>}} lazy a lazyChunk
 * @param {AbortSignal} signal
 * @param {(chunk: T) => void} then
 */
export function withChunk(lazy, signal, then) {
  const chunk = lazy.get();
  if (chunk) then(chunk);
  else lazy.load().then((c) => c && !signal.aborted && then(c));
}
