// An MCP app beside its call (the app chunk's: js/src/widget/app_chunk.js): the app's HTML (the
// run's `apps[uri]`) in an iframe from `srcdoc`, `sandbox="allow-scripts"` only (an opaque
// origin: no cookies, no storage, no parent DOM, no popups, no top navigation), the CSP at the
// head of its document; the host half of its handshake (app_host.js), then the call's input and
// result, and the page's theme and the cell's width as they change. Every message from the
// frame is checked (its source is this frame's window, then app_host.js checkMessage) before
// anything reads it.

import { appExtrasChunk } from "../base/app.js";
import { withChunk } from "../base/chunks.js";
import { pageIsDark } from "../base/styles.js";
import { isObject } from "../base/wire.js";
import { forward } from "./app_calls.js";
import { answer, checkMessage, rateGate, withCsp } from "./app_host.js";

/** The bounds of the frame's height (px) the app may say (before it says one: 320px,
 * styles/panels.css). */
const HEIGHTS = [40, 1200];

export class AppFrame {
  /**
   * @param {Record<string, unknown>} entry the run's `apps[uri]` (`html`, `prefers_border`, ...)
   * @param {HTMLElement} box where the frame goes
   * @param {AbortSignal} signal its end (the panel's)
   * @param {import("./app_calls.js").Owner} p the call's panel (app_calls.js asks through it)
   */
  constructor(entry, box, signal, p) {
    this.box = box;
    this.p = p;
    this.signal = signal;
    /** The app's tool calls forwarded (app_calls.js) waiting for their answer. */
    /** @type {Map<string, string | number>} */
    this.waiting = new Map();
    const f = box.ownerDocument.createElement("iframe");
    f.className = "nba-app-frame";
    this.frame = f;
    f.setAttribute("sandbox", "allow-scripts");
    f.title = "MCP app";
    f.classList.toggle("nba-app-border", entry.prefers_border !== false);
    f.srcdoc = withCsp(String(entry.html), entry.policy);
    /** False in a saved notebook's view: the app's requests are answered "no kernel". */
    this.kernel = entry.kernel !== false;
    this.gate = rateGate();
    this.move(box, p);
    const doc = box.ownerDocument;
    doc.defaultView?.addEventListener("message", (e) => this.received(e), { signal });
    // The page's theme and the frame's width (it fills its box), through one path: `changed`.
    const changed = () => this.changed();
    const observer = new MutationObserver(changed);
    for (const el of [doc.documentElement, doc.body])
      observer.observe(el, {
        attributes: true,
        attributeFilter: ["class", "data-theme", "data-jp-theme-light"],
      });
    // The width as the observer saw it after layout (read in between, e.g. as a theme's
    // styles load, a box may measure 0 for a moment no observer sees).
    const sized = new ResizeObserver(() => {
      /** The box's width (px) as the observer last saw it. */
      this.seen = this.box.clientWidth;
      changed();
    });
    sized.observe(f);
    signal.addEventListener("abort", () => {
      observer.disconnect();
      sized.disconnect();
      f.remove();
    });
  }

  /**
   * The host context that follows the page (app_host.js answer adds the rest): its theme and
   * the cell's width, both kept (what the app was last told).
   * @returns {Record<string, unknown>}
   */
  context() {
    this.theme = pageIsDark(this.box.ownerDocument) ? "dark" : "light";
    this.width = this.seen; // none yet: the app is told it once there is one
    return { theme: this.theme, containerDimensions: { width: this.width, maxHeight: HEIGHTS[1] } };
  }

  /** @param {object} msg a JSON-RPC message but its `jsonrpc` */
  post(msg) {
    this.frame.contentWindow?.postMessage({ jsonrpc: "2.0", ...msg }, "*");
  }

  /**
   * A notification to the app.
   * @param {string} method
   * @param {Record<string, unknown>} params
   */
  note(method, params) {
    this.post({ method, params });
  }

  /** @param {MessageEvent} e */
  received(e) {
    // Another window's message (another app's, the page's) is not this frame's to read.
    if (!e.source || e.source !== this.frame.contentWindow) return;
    const msg = checkMessage(e.data, this.gate, performance.now());
    if (typeof msg === "string") return; // dropped
    if (msg.id !== undefined) {
      const reply = answer(/** @type {any} */ (msg), () => this.context(), this.kernel);
      if (reply) this.post(reply);
      else if (msg.method === "tools/call") forward(this, msg.id, msg.params);
      else this.extras((c) => c.received(this, msg));
    } else if (msg.method === "ui/notifications/initialized") {
      this.ready = true;
      this.changed(); // what changed since ui/initialize
      this.update(this.block);
    } else if (msg.method === "ui/notifications/size-changed") {
      const height = Number(msg.params?.height);
      if (Number.isFinite(height))
        this.frame.style.height = `${Math.min(Math.max(height, HEIGHTS[0]), HEIGHTS[1])}px`;
    } else if (msg.method === "notifications/message") this.extras((c) => c.received(this, msg));
  }

  /**
   * What the app extras chunk does (js/src/widget/app_extras_chunk.js), once it is here.
   * @param {(c: import("../base/app.js").AppExtrasChunk) => void} then
   */
  extras(then) {
    withChunk(appExtrasChunk, this.signal, then);
  }

  /**
   * The frame under another call's panel (`box`): a frame
   * moved in the DOM loads its document again, so the app's handshake comes again, then that
   * call's input and result (`update`).
   * The app's calls forwarded before are the reloaded document's no more.
   * @param {HTMLElement} box
   * @param {import("./app_calls.js").Owner} p that call's panel
   */
  move(box, p) {
    this.box = box;
    this.p = p;
    this.waiting.clear();
    this.ready = false;
    /** The input sent, and the streaming input (its JSON). @type {string} */
    this.sentInput = "";
    /** @type {string | undefined} */
    this.sentPartial = undefined;
    this.sentResult = false;
    box.append(this.frame);
  }

  /** The page's theme or the cell's width changed: a ready app is told what did
   * (`host-context-changed`: its `theme`, its `containerDimensions`, or both). */
  changed() {
    if (!this.ready) return; // the width and theme given with ui/initialize stand till then
    const { theme, width } = this;
    const now = this.context();
    if (now.theme === theme) delete now.theme;
    if (this.width === width) delete now.containerDimensions;
    if (Object.keys(now).length) this.note("ui/notifications/host-context-changed", now);
  }

  /**
   * The call's input (again when it changes: arguments edited at a pause) and its result (as
   * it came, `meta.app.result`) or `tool-cancelled` (it ended with none), each sent once it is
   * there to an app that is ready.
   * @param {Record<string, any> | null | undefined} b the call's block
   */
  update(b) {
    this.block = b;
    if (!this.ready || !b) return;
    const args = isObject(b.args) && b.args;
    const input = JSON.stringify(args);
    if (args && input !== this.sentInput) {
      this.sentInput = input;
      this.note("ui/notifications/tool-input", { arguments: args });
    }
    if (b.state === "args") this.extras((c) => c.partial(this, b));
    // The result, or (a call stopped, denied or failed with no result) that none comes.
    const result = b.meta?.app?.result;
    const ended = b.state === "cancelled" || b.state === "error";
    if (!this.sentResult && (isObject(result) || ended)) {
      this.sentResult = true;
      const ok = isObject(result);
      this.note(
        `ui/notifications/tool-${ok ? "result" : "cancelled"}`,
        ok ? result : { reason: b.state },
      );
    }
  }
}
