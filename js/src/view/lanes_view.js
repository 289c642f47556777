// The view of a widget of several runs: each lane is a TranscriptView of its own store.
// `lanes`: side by side in a grid (columns while there is room, stacked otherwise).
// `chat`: turns one under the other, each under its prompt, then an input box.
// Twin: nbagent/widget/output.py

import { h, setText } from "../base/format.js";
import { defaultRaf } from "../base/frames.js";
import { outputOffer } from "../base/output.js";
import { FollowBottom } from "../panels/follow.js";
import { TranscriptView } from "./view.js";

/**
 * @typedef {import("../store/lanes.js").LaneSet} LaneSet
 * @typedef {import("../store/lanes.js").Lane} Lane
 * @typedef {import("../store/lanes.js").LanesChange} LanesChange
 * @typedef {import("./view.js").ViewModel} ViewModel
 * @typedef {ConstructorParameters<typeof TranscriptView>[3]} ViewOptions
 */

/** Traits a lane reads from its own metadata instead of the widget's. */
const LANE_TRAITS = new Set(["title", "can_rerun"]);

/**
 * What a TranscriptView of one lane sees as its model: the lane's title and `can_rerun`,
 * the widget's other traits, and messages sent with the lane's number.
 * @implements {ViewModel}
 */
export class LaneModel {
  /** @param {ViewModel} model @param {Lane} lane */
  constructor(model, lane) {
    this.model = model;
    this.lane = lane;
    /** @type {Set<() => void>} */
    this.metaListeners = new Set();
  }

  /** @param {string} key */
  get(key) {
    if (key === "title") return this.lane.meta.title ?? "";
    if (key === "can_rerun") return this.lane.meta.can_rerun;
    return this.model.get(key);
  }

  /** @param {import("../base/wire.js").PageMessage} content a run's request, sent with its lane */
  send(content) {
    this.model.send({ ...content, lane: this.lane.index });
  }

  /** @param {string} name @param {() => void} cb */
  on(name, cb) {
    if (LANE_TRAITS.has(name.replace(/^change:/, ""))) this.metaListeners.add(cb);
    else this.model.on(name, cb);
  }

  /** @param {string} [name] @param {() => void} [cb] */
  off(name, cb) {
    if (name && cb && LANE_TRAITS.has(name.replace(/^change:/, ""))) this.metaListeners.delete(cb);
    else if (name && cb) this.model.off(name, cb);
  }

  /** The lane's metadata changed: its views re-read the title and `can_rerun`. */
  metaChanged() {
    for (const cb of [...this.metaListeners]) cb();
  }
}

/** The chat's input box: Enter sends, Shift+Enter is a newline; disabled while a turn streams. */
export class ChatInput {
  /** @param {(text: string) => void} onSend @param {AbortSignal} signal */
  constructor(onSend, signal) {
    this.el = h("div", "nba-chat-input");
    this.textarea = h("textarea", "nba-chat-text");
    this.textarea.rows = 2;
    this.textarea.placeholder = "Message (Enter to send, Shift+Enter for a new line)";
    this.textarea.setAttribute("aria-label", "Message");
    this.button = h("button", "nba-chat-send", "Send");
    this.button.type = "button";
    this.noticeEl = h("div", "nba-chat-notice");
    this.noticeEl.setAttribute("role", "status");
    this.noticeEl.hidden = true;
    const row = h("div", "nba-chat-row");
    row.append(this.textarea, this.button);
    this.el.append(row, this.noticeEl);
    this.onSend = onSend;
    /** Sent and not yet answered by the kernel (a new turn, or a notice). */
    this.pending = false;
    this.busy = false;
    /** No kernel answers here: the box stays disabled, the notice says why. */
    this.offline = false;
    this.refocus = false;
    this.textarea.addEventListener(
      "keydown",
      (e) => {
        // Notebook shortcuts (Shift+Enter runs the cell) must not see the chat's keys.
        e.stopPropagation();
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          this.submit();
        }
      },
      { signal },
    );
    this.button.addEventListener("click", () => this.submit(), { signal });
  }

  submit() {
    const text = this.textarea.value;
    if (!text.trim() || this.pending || this.busy) return;
    this.pending = true;
    this.setNotice(null);
    this.onSend(text);
    this.textarea.value = "";
    this.render();
  }

  /** @param {boolean} busy a turn is streaming */
  setBusy(busy) {
    this.busy = busy;
    this.render();
  }

  /** The kernel answered the last prompt (a turn opened, or a notice). */
  answered() {
    this.pending = false;
    this.render();
  }

  /** @param {string | null} text */
  setNotice(text) {
    this.noticeEl.hidden = !text;
    setText(this.noticeEl, text ?? "");
  }

  /** No kernel is behind this chat: say so, and take no message nobody would answer. */
  goOffline() {
    this.offline = true;
    this.setNotice("No kernel: run this cell to chat again.");
    this.render();
  }

  render() {
    const disabled = this.busy || this.pending || this.offline;
    // Disabling drops the focus; back from a turn, the box is where the user types next.
    // (inside a shadow root the document's active element is the host: ask the root)
    const root = /** @type {Document | ShadowRoot} */ (this.textarea.getRootNode());
    if (disabled && root.activeElement === this.textarea) this.refocus = true;
    this.textarea.disabled = disabled;
    this.button.disabled = disabled;
    if (!disabled && this.refocus) {
      this.refocus = false;
      this.textarea.focus();
    }
  }
}

/**
 * Where a widget shows, the static copies of its runs a later cell shows apart stay hidden
 * (nbagent/runtime/views.py, `apart_html`: a client that names no cell): one style per widget
 * in the page's head (not in the widget's own DOM), for as long as the page lives.
 * @param {Document} doc
 * @param {string} key the widget's `store_key`
 */
function hideApart(doc, key) {
  const id = `nba-of-${key}`;
  if (!/^[0-9a-f]+$/.test(key) || doc.getElementById(id)) return;
  const style = h("style", "", `.${id}{display:none}`);
  style.id = id;
  doc.head.append(style);
}

export class LanesView {
  /**
   * @param {LaneSet} set
   * @param {ViewModel} model
   * @param {HTMLElement} el
   * @param {ViewOptions} [opts] passed to each lane's TranscriptView
   */
  constructor(set, model, el, opts = {}) {
    this.set = set;
    this.model = model;
    // The widget offers its output as a whole, not each lane, and follows the bottom of all
    // its lanes at once (one reader, one notebook scroller).
    this.opts = { ...opts, offersOutput: false, follows: false };
    this.ac = new AbortController();
    const signal = this.ac.signal;
    this.chat = model.get("arrangement") === "chat";
    this.root = h("div", `nbagent nba-group ${this.chat ? "nba-layout-chat" : "nba-layout-lanes"}`);
    this.header = h("div", "nba-title");
    this.laneBox = h("div", this.chat ? "nba-turns" : "nba-lanes");
    this.root.append(this.header);
    /** @type {ChatInput | null} */
    this.input = null;
    const raf = opts.raf ?? defaultRaf;
    /** The settled widget's output for the frontend (output.js). */
    this.offer =
      opts.offersOutput === false
        ? null
        : outputOffer(this.root, set, (m) => model.send(m), raf, signal);
    // A saved transcript (js/src/view/saved.js) has no kernel to type to.
    const readOnly = model.get("read_only") === true;
    if (this.chat) {
      const scroller = h("div", "nba-chat-body");
      scroller.append(this.laneBox);
      this.root.append(scroller);
      if (!readOnly) {
        const input = new ChatInput((text) => model.send({ type: "prompt", text }), signal);
        this.input = input;
        this.root.append(input.el);
        // Restored from a notebook's saved widget state with no kernel (an HTML page, a
        // notebook reopened), or left by a restart: the code model is not live (anywidget's
        // model does not expose its own `comm_live`).
        const manager = /** @type {any} */ (model).widget_manager;
        const check = () =>
          Promise.resolve(manager?.get_model(String(model.get("code")).slice(10))).then(
            (code) => code?.comm_live === false && input.goOffline(),
            () => {},
          );
        check();
        model.on("comm_live_update", check);
        signal.addEventListener("abort", () => model.off("comm_live_update", check));
      }
    } else this.root.append(this.laneBox);
    hideApart(el.ownerDocument, String(model.get("store_key") ?? ""));
    el.append(this.root);
    this.follower = new FollowBottom(this.root, [this.laneBox], signal);

    /** @type {{lane: Lane, model: LaneModel, view: TranscriptView, el: HTMLElement,
     *   prompt: HTMLElement | null, unsubscribe: () => void}[]} */
    this.lanes = [];
    this.unsubscribe = set.subscribe((c) => this.update(c));
    this.onTitle = () => this.renderHeader();
    model.on("change:title", this.onTitle);
    this.update({ lanes: true, meta: new Set(set.lanes.map((l) => l.index)), notice: false });
  }

  /** @param {LanesChange} change */
  update(change) {
    const lanes = this.set.lanes;
    for (const gone of this.lanes.splice(lanes.length)) this.removeLane(gone);
    for (let i = 0; i < lanes.length; i++) {
      if (this.lanes[i]?.lane !== lanes[i]) {
        if (this.lanes[i]) this.removeLane(this.lanes[i]);
        this.lanes[i] = this.addLane(lanes[i]);
      } else if (change.meta.has(i)) this.renderMeta(this.lanes[i]);
    }
    if (this.input && change.notice) {
      this.input.setNotice(this.set.notice);
      this.input.answered();
    }
    if (this.input && change.lanes) this.input.answered();
    this.renderHeader();
    this.renderBusy();
  }

  /** @param {Lane} lane */
  addLane(lane) {
    const el = h("div", this.chat ? "nba-turn" : "nba-lane");
    const prompt = this.chat ? h("div", "nba-prompt") : null;
    if (prompt) el.append(prompt);
    // Keep DOM order = lane order even when a lane is replaced.
    const next = this.lanes[lane.index + 1]?.el ?? null;
    this.laneBox.insertBefore(el, next && next.parentNode === this.laneBox ? next : null);
    const model = new LaneModel(this.model, lane);
    const view = new TranscriptView(lane.store, model, el, this.opts);
    const unsubscribe = lane.store.subscribe((c) => {
      if (c.run || c.reset) this.renderBusy();
    });
    const entry = { lane, model, view, el, prompt, unsubscribe };
    this.renderMeta(entry);
    return entry;
  }

  /** @param {{model: LaneModel, prompt: HTMLElement | null, lane: Lane}} entry */
  renderMeta(entry) {
    if (entry.prompt) {
      const text = String(entry.lane.meta.prompt ?? "");
      setText(entry.prompt, text);
      entry.prompt.hidden = !text;
    }
    entry.model.metaChanged();
  }

  /** @param {{view: TranscriptView, el: HTMLElement, unsubscribe: () => void}} entry */
  removeLane(entry) {
    entry.unsubscribe();
    entry.view.destroy();
    entry.el.remove();
  }

  renderHeader() {
    const title = String(this.model.get("title") || "");
    setText(this.header, title);
    this.header.hidden = !title;
  }

  /** The input box follows the last turn; a settled widget offers its output. */
  renderBusy() {
    const last = this.set.lanes[this.set.lanes.length - 1];
    this.input?.setBusy(last?.store.state.status === "running");
    if (this.set.settled() && this.set.lanes.length > 0) this.offer?.offer();
  }

  destroy() {
    this.ac.abort();
    this.unsubscribe();
    this.model.off("change:title", this.onTitle);
    for (const entry of this.lanes.splice(0)) this.removeLane(entry);
    this.root.remove();
  }
}
