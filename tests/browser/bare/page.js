// A bare page for the built widget: a fake anywidget model, initialize + render, and hooks
// (window.nba) for the Playwright tests to push kernel messages and inspect the DOM.
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

const { default: widget, renderMarkdownToFragment } = await import("/nbagent/static/widget.js");

class FakeModel {
  constructor(traits) {
    this.traits = { snapshot: {}, title: "", show_thinking: true, ...traits };
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
  /** (Re)mount a fresh widget. */
  mount(traits = {}) {
    for (const c of cleanups.splice(0)) c();
    app.replaceChildren();
    model = new FakeModel(traits);
    const el = document.createElement("div");
    app.append(el);
    cleanups.push(widget.initialize({ model }));
    cleanups.push(widget.render({ model, el }));
    cleanups.reverse();
    return true;
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
    return null;
  },
  /** innerHTML of the rendered markdown of text block n. */
  mdHtml(n = 0) {
    return app.querySelectorAll(".nba-text .nba-md")[n]?.innerHTML ?? null;
  },
  /** Whole-document render of `src`, same structure. */
  wholeHtml(src) {
    const d = document.createElement("div");
    d.append(renderMarkdownToFragment(src));
    return d.firstElementChild.innerHTML;
  },
  text() {
    return app.textContent;
  },
};
window.nbaReady = true;
