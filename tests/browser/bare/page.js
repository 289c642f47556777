// A bare page for the built widget: a fake anywidget model, initialize + render, and hooks
// (window.nba) for the Playwright tests to push kernel messages and inspect the DOM.
// Like a real notebook, each widget's `code` trait references a code model (a fake one here)
// whose `math` trait holds the math chunk (nbagent/static/math.js, fetched when the code model
// is first asked for): the bundle imports it from a Blob URL on the first formula; likewise
// the chunks that bind (nbagent/widget/chunks.json).
// With ?manual, animation frames are run by nba.frame() instead of the browser (fast, exact),
// and so are the renders the view queues on a MessageChannel right after a quiet spell.

import { violations } from "./check.js";

const manual = new URLSearchParams(location.search).has("manual");
/** @type {FrameRequestCallback[]} */
let frames = [];
if (manual) {
  window.requestAnimationFrame = (cb) => frames.push(cb);
  window.cancelAnimationFrame = () => {};
  window.MessageChannel = class {
    constructor() {
      const port1 = { onmessage: null };
      this.port1 = port1;
      this.port2 = { postMessage: () => frames.push(() => port1.onmessage?.({ data: null })) };
    }
  };
}

const {
  default: widget,
  renderMarkdownToFragment,
  loadMath,
  mathSettled,
  chunksSettled,
} = await import("/nbagent/static/widget.js");

const CODE_REF = "IPY_MODEL_bare-code";
/** How often the code model was asked for the math chunk (it is imported once per page). */
let codeModelAsked = 0;
/** How often the code model was asked for any chunk's text, and that count at `settled()`. */
let chunkAsks = 0;
let chunkAsksSettled = 0;
/**
 * The chunks the code model holds too, as the kernel sends them: math and every chunk that binds
 * (nbagent/widget/chunks.json, the list of them).
 */
const CHUNKS = (await fetch("/nbagent/widget/chunks.json").then((r) => r.json())).chunks
  .filter((/** @type {{name: string, binds: boolean}} */ c) => c.binds || c.name === "math")
  .map((/** @type {{name: string}} */ c) => c.name);
/** @type {Promise<{get(k: string): string}> | null} */
let codeModel = null;
const widgetManager = {
  get_model(id) {
    if (`IPY_MODEL_${id}` !== CODE_REF) return Promise.reject(new Error(`no model ${id}`));
    codeModel ??= Promise.all(
      CHUNKS.map((name) => fetch(`/nbagent/static/${name}.js`).then((r) => r.text())),
    ).then((texts) => {
      const traits = { version: "bare", ...Object.fromEntries(CHUNKS.map((n, i) => [n, texts[i]])) };
      return {
        get: (k) => {
          if (k === "math") codeModelAsked++;
          if (CHUNKS.includes(k)) chunkAsks++;
          return traits[k];
        },
        // Its traits never change: a chunk it lacks (the answer chunk) never comes.
        on() {},
        off() {},
      };
    });
    return codeModel;
  },
};

class FakeModel {
  constructor(traits) {
    this.traits = { snapshot: {}, title: "", show_thinking: true, code: CODE_REF, ...traits };
    this.widget_manager = widgetManager;
    this.handlers = new Map();
    this.sent = [];
  }
  get(k) {
    return this.traits[k];
  }
  set(k, v) {
    this.traits[k] = v;
    this.emit(`change:${k}`);
  }
  save_changes() {}
  send(content) {
    this.sent.push(content);
  }
  on(name, cb) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(cb);
  }
  off(name, cb) {
    if (!name) this.handlers.clear();
    else if (!cb) this.handlers.delete(name);
    else this.handlers.get(name)?.delete(cb);
  }
  emit(name, ...args) {
    for (const cb of [...(this.handlers.get(name) ?? [])]) cb(...args);
  }
}

const app = document.getElementById("app");
let model = null;
let cleanups = [];

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

window.nba = {
  manual,
  /** (Re)mount a fresh widget (a promise while a chunk it needs, the lanes', loads). */
  mount(traits = {}) {
    for (const c of cleanups.splice(0)) c?.();
    app.replaceChildren();
    model = new FakeModel(traits);
    const el = document.createElement("div");
    app.append(el);
    const done = [widget.initialize({ model }), widget.render({ model, el })];
    const mounted = (/** @type {any[]} */ fns) => {
      cleanups.push(...fns);
      cleanups.reverse();
      return true;
    };
    return done.some((d) => d instanceof Promise) ? Promise.all(done).then(mounted) : mounted(done);
  },
  get sent() {
    return model.sent;
  },
  /** Deliver one message: {type: "ops" | "snapshot", ...} or {trait: name, value}. */
  push(msg) {
    if (msg.trait) model.set(msg.trait, msg.value);
    else model.emit("msg:custom", msg, []);
  },
  /** Render pending frames (manual mode) or wait for the next browser frame. */
  async frame() {
    if (manual) {
      const f = frames;
      frames = [];
      for (const cb of f) cb(performance.now());
    } else {
      await nextFrame();
    }
  },
  check() {
    const v = violations(app);
    if (window.__pwned !== undefined) v.push("window.__pwned is set");
    return v;
  },
  /** Push messages one per frame; after each frame check the DOM. First failure or null. */
  async stream(msgs) {
    for (let i = 0; i < msgs.length; i++) {
      this.push(msgs[i]);
      await this.frame();
      const v = this.check();
      if (v.length) return { step: i, msg: msgs[i], violations: v, html: app.innerHTML.slice(0, 2000) };
    }
    await mathSettled(); // formulas past a frame's time budget are typeset on the next task
    await chunksSettled(); // what waited for a feature chunk (a result as data) is drawn
    const v = this.check();
    if (v.length) return { step: msgs.length, violations: v, html: app.innerHTML.slice(0, 2000) };
    return null;
  },
  /** innerHTML of the rendered markdown of text block n. */
  mdHtml(n = 0) {
    return app.querySelectorAll(".nba-text .nba-md")[n]?.innerHTML ?? null;
  },
  /** Whole-document render of `src`, same structure. */
  async wholeHtml(src) {
    const d = document.createElement("div");
    d.append(renderMarkdownToFragment(src));
    await mathSettled();
    return d.firstElementChild.innerHTML;
  },
  text() {
    return app.textContent;
  },
  /** Wait for the math chunk (asked for on the first formula); true once it is there. */
  async mathLoaded() {
    return (await loadMath()) !== null;
  },
  /**
   * Resolves once every feature chunk that began to load has loaded: a chunk is imported
   * outside the page's clock (Playback in tests/browser/replays.py). True when a chunk was
   * asked for since the last call, so what it brings has still to be drawn on a frame.
   */
  async settled() {
    await chunksSettled();
    const asked = chunkAsks !== chunkAsksSettled;
    chunkAsksSettled = chunkAsks;
    return asked;
  },
  /**
   * Resolves once the code model has come and each chunk it holds has loaded: as with a kernel,
   * which sends a chunk just before the text that needs it, what streams next draws with them.
   */
  async chunksHere() {
    await codeModel; // the widget asked for it at mount, and began each chunk's load first
    await chunksSettled();
  },
  get codeModelAsked() {
    return codeModelAsked;
  },
};
window.nbaReady = true;
