// The MCP inspector's view (nbagent/apps/inspector.py): the server's head line, tabs for its
// Tools, Resources, Prompts, Log and JSON-RPC messages, what the server asks the user now
// (elicitation, sampling) with its answers, and the calls: a chat widget of their own
// (`calls`), drawn by the run widget's own code through the loader, so each call is a tool
// panel as in any run. A chunk of its own: only pages that show an inspector load it.
// Everything the server sent goes in with textContent.

import "./inspector.css";
import "../../panels/inspector/form.css";
import { actionButton } from "../../base/controls.js";
import { h, setText } from "../../base/format.js";
import loader from "../../base/loader.js";
import { schemaForm } from "../../panels/inspector/form.js";
import { promptEntry, resourceEntry, templateEntry, toolEntry } from "./catalog.js";

/**
 * @typedef {{get(name: string): any, on(name: string, cb: (...a: any[]) => void): void,
 *   off(name: string, cb: (...a: any[]) => void): void, send(msg: object): void,
 *   widget_manager?: {get_model(id: string): Promise<any>}}} Model
 * @typedef {import("./catalog.js").Ctx} Ctx
 */

/** Lines kept in the Log and JSON-RPC tabs (the kernel keeps its own). */
const FEED_KEPT = 300;

/** A feed tab's list: entries numbered by the kernel, each added once, the newest kept. */
class Feed {
  /** @param {(e: Record<string, any>) => HTMLElement} line */
  constructor(line) {
    this.line = line;
    this.el = h("div", "nba-insp-feed");
    this.last = -1;
    this.count = 0;
  }

  /** @param {unknown} entries */
  add(entries) {
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      if (typeof e?.n !== "number" || e.n <= this.last) continue;
      this.last = e.n;
      this.count += 1;
      this.el.append(this.line(e));
    }
    while (this.el.childElementCount > FEED_KEPT) this.el.firstElementChild?.remove();
  }
}

/** @param {Record<string, any>} e */
const logLine = (e) => {
  const line = h("div", `nba-insp-log nba-insp-level-${String(e.level).replace(/\W/g, "")}`);
  line.append(h("span", "nba-insp-level", String(e.level)), h("span", "", String(e.text)));
  return line;
};

/** @param {Record<string, any>} e */
const rpcLine = (e) => {
  const line = h("details", "nba-insp-rpc");
  const at = new Date(Number(e.at) * 1000).toLocaleTimeString();
  const text = String(e.text);
  line.append(
    h("summary", "", `${e.dir === "out" ? "→" : "←"} ${at} ${text.slice(0, 160)}`),
    h("pre", "nba-insp-json", text),
  );
  return line;
};

/**
 * What the server asks now: an elicitation's form, or a sampling request's messages and a
 * reply box; Accept / Decline / Cancel each.
 * @param {Record<string, any>} ask
 * @param {Ctx} ctx
 */
function askBox(ask, ctx) {
  const box = h("div", "nba-insp-ask");
  const sampling = ask.kind === "sampling";
  box.append(
    h(
      "div",
      "nba-insp-ask-head",
      sampling ? "The server asks for a reply from the model" : "The server asks",
    ),
  );
  /** @type {() => unknown} */
  let content = () => undefined;
  if (sampling) {
    if (ask.system_prompt) box.append(h("div", "nba-insp-note", `system: ${ask.system_prompt}`));
    for (const m of Array.isArray(ask.messages) ? ask.messages : [])
      box.append(h("div", "nba-insp-desc", `${m.role}: ${m.text}`));
    const reply = /** @type {HTMLTextAreaElement} */ (h("textarea", "nba-form-raw"));
    reply.rows = 3;
    reply.setAttribute("aria-label", "Reply");
    box.append(reply);
    content = () => reply.value;
  } else {
    box.append(h("div", "nba-insp-desc", String(ask.message ?? "")));
    if (typeof ask.url === "string") box.append(h("div", "nba-insp-note", `Go to: ${ask.url}`));
    else {
      const form = schemaForm(ask.schema, ctx.signal);
      box.append(form.el);
      content = () => form.read();
    }
  }
  if (!ctx.mayAct) {
    box.append(h("div", "nba-insp-note", "Waiting for the notebook's author."));
    return box;
  }
  const error = h("div", "nba-insp-error");
  error.hidden = true;
  const row = h("div", "nba-insp-actions");
  for (const action of /** @type {const} */ (["accept", "decline", "cancel"])) {
    const label =
      action === "accept"
        ? sampling
          ? "Send"
          : "Accept"
        : action[0].toUpperCase() + action.slice(1);
    const b = actionButton(label, `nba-insp-${action}`);
    b.addEventListener(
      "click",
      () => {
        try {
          const answer = action === "accept" ? content() : undefined;
          ctx.send({ type: "answer", id: ask.id, action, content: answer });
        } catch (e) {
          error.textContent = e instanceof Error ? e.message : String(e);
          error.hidden = false;
        }
      },
      { signal: ctx.signal },
    );
    row.append(b);
  }
  box.append(row, error);
  return box;
}

class InspectorView {
  /** @param {Model} model @param {HTMLElement} el */
  constructor(model, el) {
    this.model = model;
    this.abort = new AbortController();
    /** @type {Ctx} */
    this.ctx = {
      send: (msg) => model.send(msg),
      mayAct: model.get("page_actions") !== false,
      signal: this.abort.signal,
    };
    this.root = h("div", "nbagent nba-inspector");
    this.head = h("div", "nba-insp-head");
    this.tabs = h("div", "nba-insp-tabs");
    this.tabs.setAttribute("role", "tablist");
    this.body = h("div", "nba-insp-body");
    this.asks = h("div", "nba-insp-asks");
    // Each call's panel open, its result first (panels.js OPEN_TOOLS).
    this.calls = h("div", "nba-insp-calls nba-open-tools");
    this.log = new Feed(logLine);
    this.rpc = new Feed(rpcLine);
    /** @type {string} */
    this.tab = "Tools";
    this.root.append(this.head, this.tabs, this.body, this.asks, this.calls);
    el.append(this.root);
    /** @type {(() => void) | null} */
    this.callsCleanup = null;
    const on = (/** @type {string} */ name, /** @type {() => void} */ cb) => {
      model.on(name, cb);
      this.abort.signal.addEventListener("abort", () => model.off(name, cb));
    };
    on("change:catalog", () => this.drawTabs());
    on("change:server", () => this.drawHead());
    on("change:pending", () => this.drawAsks());
    const onMessage = (/** @type {import("../../base/wire.js").InspectorFeed} */ msg) => {
      if (msg?.type !== "feed") return;
      this.log.add(msg.log);
      this.rpc.add(msg.rpc);
      this.drawTabButtons();
    };
    model.on("msg:custom", onMessage);
    this.abort.signal.addEventListener("abort", () => model.off("msg:custom", onMessage));
    this.drawHead();
    this.drawTabs();
    this.drawAsks();
    model.send({ type: "history" });
    this.mountCalls();
  }

  drawHead() {
    const s = this.model.get("server") ?? {};
    this.head.replaceChildren();
    const line = h("div", "nba-insp-title");
    line.append(h("strong", "", String(s.name ?? "MCP server")));
    const about = [
      s.transport,
      s.protocol_version && `protocol ${s.protocol_version}`,
      s.tasks && "tasks", // MCP tasks: a call may be answered with a task
      s.target,
    ];
    line.append(h("span", "nba-insp-note", about.filter(Boolean).join(" · ")));
    if (this.ctx.mayAct) {
      const refresh = actionButton("Refresh", "nba-insp-refresh");
      refresh.addEventListener("click", () => this.ctx.send({ type: "refresh" }), {
        signal: this.abort.signal,
      });
      line.append(refresh);
    }
    this.head.append(line);
    if (s.instructions) {
      const more = h("details", "nba-insp-instructions");
      more.append(
        h("summary", "", "Instructions"),
        h("div", "nba-insp-desc", String(s.instructions)),
      );
      this.head.append(more);
    }
  }

  /** @returns {Record<string, [number, () => HTMLElement[]]>} each tab's count and content */
  tabContents() {
    const c = this.model.get("catalog") ?? {};
    const list = (/** @type {unknown} */ v) => (Array.isArray(v) ? v : []);
    const [tools, resources, templates, prompts] = [
      c.tools,
      c.resources,
      c.templates,
      c.prompts,
    ].map(list);
    const ctx = this.ctx;
    return {
      Tools: [tools.length, () => tools.map((t) => toolEntry(t, ctx))],
      Resources: [
        resources.length + templates.length,
        () => [
          ...resources.map((r) => resourceEntry(r, ctx)),
          ...templates.map((t) => templateEntry(t, ctx)),
        ],
      ],
      Prompts: [prompts.length, () => prompts.map((p) => promptEntry(p, ctx))],
      Log: [this.log.count, () => [this.log.el]],
      "JSON-RPC": [this.rpc.count, () => [this.rpc.el]],
    };
  }

  drawTabButtons() {
    const contents = this.tabContents();
    const buttons = /** @type {HTMLButtonElement[]} */ ([...this.tabs.children]);
    for (const b of buttons) {
      const name = String(b.dataset.tab);
      setText(b, `${name} (${contents[name]?.[0] ?? 0})`);
      b.setAttribute("aria-selected", String(name === this.tab));
    }
  }

  drawTabs() {
    const contents = this.tabContents();
    this.tabs.replaceChildren();
    for (const name of Object.keys(contents)) {
      const b = /** @type {HTMLButtonElement} */ (h("button", "nba-insp-tab"));
      b.type = "button";
      b.dataset.tab = name;
      b.setAttribute("role", "tab");
      b.addEventListener(
        "click",
        () => {
          this.tab = name;
          this.drawTabs();
        },
        { signal: this.abort.signal },
      );
      this.tabs.append(b);
    }
    this.drawTabButtons();
    const error = this.model.get("catalog")?.error;
    const parts = contents[this.tab]?.[1]() ?? [];
    if (typeof error === "string" && error) parts.unshift(h("div", "nba-insp-error", error));
    if (!parts.length) parts.push(h("div", "nba-insp-note", `No ${this.tab.toLowerCase()}.`));
    this.body.replaceChildren(...parts);
  }

  drawAsks() {
    const pending = this.model.get("pending");
    const asks = Array.isArray(pending) ? pending : [];
    this.asks.replaceChildren(...asks.map((a) => askBox(a, this.ctx)));
  }

  /** The calls' chat widget, drawn by the run widget's code (its model: `calls`). */
  async mountCalls() {
    const ref = String(this.model.get("calls") ?? "").replace("IPY_MODEL_", "");
    const manager = this.model.widget_manager;
    if (!ref || !manager) return;
    try {
      const calls = await manager.get_model(ref);
      if (this.abort.signal.aborted) return;
      const cleanup = await loader.render({ model: calls, el: this.calls });
      if (this.abort.signal.aborted) cleanup?.();
      else this.callsCleanup = typeof cleanup === "function" ? cleanup : null;
    } catch (e) {
      this.calls.append(h("div", "nba-insp-error", `The calls could not be shown: ${e}`));
    }
  }

  destroy() {
    this.abort.abort();
    this.callsCleanup?.();
    this.root.remove();
  }
}

export default {
  /** @param {{model: Model, el: HTMLElement}} props */
  render({ model, el }) {
    const view = new InspectorView(model, el);
    return () => view.destroy();
  },
};
