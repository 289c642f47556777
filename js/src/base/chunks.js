// The lazy chunks the widget's code model carries (nbagent/widget/chunks.json, the one list of
// them; nbagent/widget/code_model.py): each imported from a Blob URL the first time it is needed,
// so nothing is fetched, once per page, chunk and code version, whichever copy of the bundle
// asks. Each chunk but math (a page's typesetter's: js/src/markdown/math.js) is held once per
// copy of the bundle by the module that uses it (`heldChunk`: js/src/base/tools.js...), where
// js/src/widget/index.js finds it to take it from the code model.

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
export function sent(code, name) {
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
 * A module from its text, imported from a Blob URL (revoked once imported).
 * @param {string} text
 * @returns {Promise<any>}
 */
export function importText(text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  return import(/* webpackIgnore: true */ /* @vite-ignore */ url).finally(() =>
    URL.revokeObjectURL(url),
  );
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
 * A chunk that binds (nbagent/widget/chunks.json) gets the bundle's own modules it uses
 * (`shared`, js/src/widget/shared.js) before any of its code runs.
 * @param {any} model
 * @param {string} name
 * @param {Record<string, object>} [shared]
 * @returns {(() => Promise<any>) & {owner: object} | null} the load, with the widget manager it
 *   reads from
 */
export function chunkFromCodeModel(model, name, shared) {
  const ref = String(model.get("code") ?? "").replace("IPY_MODEL_", "");
  const manager = model.widget_manager;
  if (!ref || !manager) return null;
  const load = async () => {
    const code = await manager.get_model(ref);
    const version = String(code.get("version"));
    const imported = importsOf(name);
    let chunk = imported.get(version);
    if (!chunk) {
      // Not sent yet: the page asks for it (what the page alone knows needs it: an MCP app's
      // download, nbagent/widget/code_model.py), then waits as for a chunk the kernel sends.
      /** @type {import("./wire.js").ChunkRequest} */
      const ask = { type: "include", chunk: name };
      if (!code.get(name)) code.send(ask);
      const text = String(code.get(name) || (await sent(code, name)));
      chunk = importText(text).then((mod) => {
        mod.bind?.(shared);
        return mod.default;
      });
      imported.set(version, chunk);
    }
    return chunk;
  };
  return Object.assign(load, { owner: manager });
}

/**
 * A lazy chunk as one copy of the bundle holds it: where it comes from, the chunk once loaded,
 * and the load in flight. The newest source given wins until the chunk has loaded: a source
 * is a widget's code model, and a notebook closed in the page takes its models along (its
 * widget manager waits 2 s for a model it no longer has, then fails), while the newest
 * widget's is alive. A load from an older source still in flight then gives way to one from
 * the newer; a source that failed is not asked again. A source of the same `owner` (widget
 * manager: the same notebook) as the one held changes nothing.
 * @template T
 * @param {string} lost what stays undone when the chunk's code does not load (a warning)
 * @param {{loaded?: (chunk: T) => void, failed?: () => void}} [on] called when it loads or fails
 */
export function lazyChunk(lost, on = {}) {
  /** @type {T | null} */
  let chunk = null;
  /** @typedef {(() => Promise<T>) & {owner?: object}} Source */
  /** @type {Source | null} */
  let source = null;
  /** @type {Promise<T | null> | null} */
  let loading = null;
  /** The source of the load in flight, and the last source that failed. */
  /** @type {Source | null} */
  let loadingFrom = null;
  /** @type {Source | null} */
  let failedFrom = null;
  /** Who waits for the chunk without asking for it (`whenLoaded`). */
  /** @type {((chunk: T) => void)[]} */
  let waiting = [];
  /** What waits to be drawn with the chunk (`drawFor`), each once. @type {WeakSet<object>} */
  const drawing = new WeakSet();
  /** @param {T} c @param {(c: T) => void} [hook] */
  const arrived = (c, hook) => {
    chunk = c;
    hook?.(c);
    for (const then of waiting.splice(0)) then(c);
  };
  /**
   * @param {Source} from
   * @returns {Promise<T | null>}
   */
  const loadFrom = (from) => {
    loadingFrom = from;
    loading = from().then(
      (c) => {
        if (!chunk) arrived(c, on.loaded);
        return chunk;
      },
      (err) => {
        if (chunk) return chunk;
        // A newer source's load is in flight: its outcome is the chunk's.
        if (loadingFrom !== from && loading) return loading;
        failedFrom = from;
        loading = null;
        loadingFrom = null;
        waiting = [];
        on.failed?.();
        console.warn(`nbagent: ${lost}, its code did not load:`, err);
        return null;
      },
    );
    return loading;
  };
  return {
    /** @param {Source | null} load */
    provide(load) {
      if (!load || chunk || (load.owner && load.owner === source?.owner)) return;
      source = load;
    },
    hasSource: () => source !== null,
    /** Use this chunk at once (tests, or a chunk already imported). @param {T} c */
    use(c) {
      arrived(c);
    },
    /**
     * `then(chunk)` at once when the chunk is here, else once it has loaded, without starting
     * a load: for what only matters if the kernel sends the chunk (a page that never gets it
     * waits for nothing). Not once `signal` aborted (what waited is let go then).
     * @param {(chunk: T) => void} then
     * @param {AbortSignal} [signal]
     */
    whenLoaded(then, signal) {
      if (chunk) then(chunk);
      else if (!signal?.aborted) {
        waiting.push(then);
        const drop = () => {
          const at = waiting.indexOf(then);
          if (at >= 0) waiting.splice(at, 1);
        };
        signal?.addEventListener("abort", drop, { once: true });
      }
    },
    /**
     * `draw(chunk)` at once when the chunk is here, else, when `needed`, once it has loaded
     * (not once `signal` aborted): `owner` (a view, a panel) waits for it once, however often
     * it asks meanwhile.
     * @param {object} owner
     * @param {unknown} needed
     * @param {AbortSignal} signal
     * @param {(chunk: T) => void} draw
     */
    drawFor(owner, needed, signal, draw) {
      if (chunk) draw(chunk);
      else if (needed && !drawing.has(owner)) {
        drawing.add(owner);
        withChunk(this, signal, draw);
      }
    },
    /** The chunk, if it has loaded. */
    get: () => chunk,
    /** The load in flight or done (null before one starts). */
    loading: () => loading,
    /**
     * Load the chunk from the newest source (once per source).
     * @returns {Promise<T | null>} the chunk; null without a source or when it fails
     */
    load() {
      if (chunk) return Promise.resolve(chunk);
      if (loading && loadingFrom === source) return loading;
      if (!source || source === failedFrom) return loading ?? Promise.resolve(null);
      return loadFrom(source);
    },
  };
}

/**
 * @template T
 * @typedef {ReturnType<typeof lazyChunk<T>>} LazyChunk
 */

/** The chunks this copy of the bundle holds, by name. @type {Map<string, LazyChunk<any>>} */
const held = new Map();

/**
 * Chunk `name` of nbagent/widget/chunks.json as this copy of the bundle holds it, made at the
 * first call (by the module that uses it, as the bundle loads): the widget takes each held
 * chunk from its code model (js/src/widget/index.js), the lab extension and the tests use them
 * at once (js/src/widget/at_hand.js).
 * @param {string} name
 * @param {string} [lost] what stays undone when its code does not load (a warning)
 * @returns {LazyChunk<any>}
 */
export function heldChunk(name, lost = `the ${name} chunk's parts cannot show`) {
  const chunk = held.get(name) ?? lazyChunk(lost);
  held.set(name, chunk);
  return chunk;
}

/** Every chunk this copy of the bundle holds, by name (`heldChunk`). */
export const heldChunks = () => held;

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
