// The app chunk (nbagent/static/app.js): a call's MCP app in its tool panel, sandboxed
// (js/src/panels/app_frame.js, the host's messages js/src/panels/app_host.js), drawn through
// js/src/base/app.js as the panel updates; loaded with the first call that has an app
// (its block's `meta.app`: nbagent/widget/chunks.py). The frame is made when the panel opens.

import { h, setText } from "../base/format.js";
import { isObject } from "../base/wire.js";
import { answered } from "../panels/app_calls.js";
import { AppFrame } from "../panels/app_frame.js";

/** @typedef {import("../panels/panels.js").ToolPanel} ToolPanel */

/**
 * What the chunk adds to a tool panel (made once, kept on the panel): the app's place after
 * the result, with its head, its uri, what it may reach and a line for why it cannot show.
 * @param {ToolPanel} p
 */
function parts(p) {
  const head = h("div", "nba-section", "App");
  const uri = h("code", "nba-app-uri");
  const domains = h("div", "nba-app-domains");
  const note = h("div", "nba-app-note");
  const box = h("div", "nba-app");
  const calls = h("div");
  box.append(head, uri, domains, note, calls);
  p.data.after(box);
  p.el.addEventListener("toggle", () => p.el.open && tool(p, true), { signal: p.signal });
  return { box, uri, domains, note, calls };
}

/**
 * The app's own tool calls (nbagent/mcp_client/_app_calls.py: the panel's block's `reruns`
 * by the app): their answers posted to the app, those waiting for the author each with Run
 * and Deny (none on a viewer's page).
 * @param {ReturnType<typeof parts>} a
 * @param {ToolPanel} p
 * @param {AppFrame | undefined} frame the app's frame, when it is under this panel
 */
function calls(a, p, frame) {
  const b = /** @type {Record<string, any>} */ (p.last);
  const actions = p.rerun.actions;
  if (frame) answered(frame, b);
  a.calls.replaceChildren();
  if (actions.mayAct?.() === false) return;
  for (const r of b.reruns ?? [])
    if (r.by === "app" && r.state === "paused") {
      const line = h("div", "nba-app-call", `${r.name} ${JSON.stringify(r.args)} `);
      for (const label of ["Run", "Deny"]) {
        const button = h("button", "nba-action", label);
        button.onclick = () =>
          actions.send({
            type: "app_call_answer",
            id: b.id,
            request: r.request,
            action: /** @type {any} */ (label.toLowerCase()),
          });
        line.append(button);
      }
      a.calls.append(line);
    }
}

/**
 * A tool panel's app, from its last block (`meta.app`: its uri, its result as it came, or the
 * error that stands for it) and the run's `apps` (its HTML, once per run). The app's one frame
 * in the run is made when a panel of one of its calls opens, and moves to each other such
 * panel as it opens (`opened`), sent that call's input and result.
 * @param {ToolPanel} p
 * @param {boolean} [opened] the panel has just opened
 */
function tool(p, opened = false) {
  const ref = p.last?.meta?.app;
  if (!isObject(ref)) return;
  const any = /** @type {any} */ (p);
  any.app ??= parts(p);
  const a = /** @type {ReturnType<typeof parts>} */ (any.app);
  setText(a.uri, String(ref.uri));
  // Its server's and uri's (its uri in a run saved before there was one).
  const key = String(ref.key ?? ref.uri);
  const entry = p.store.state.apps?.[key];
  // An untrusted notebook's saved view (js/src/view/saved.js): the app named, none of its code.
  const html = typeof entry?.html === "string";
  const why =
    isObject(entry) && !html
      ? `MCP app ${ref.uri} of ${p.last?.name}: it runs in a trusted notebook`
      : "";
  setText(a.note, typeof ref.error === "string" ? ref.error : why);
  a.note.hidden = !a.note.textContent;
  // What the frame may reach (its server's `app_domains=`), or how to let it.
  setText(a.domains, /** @type {string} */ (entry?.domains ?? ""));
  // The run's frames (on its store): one per app, under the panel that opened last of its calls'.
  const store = /** @type {any} */ (p.store);
  store.appFrames ??= new Map();
  /** @type {Map<string, {frame: AppFrame, at: ToolPanel}>} */
  const run = store.appFrames;
  let f = run.get(key);
  if (p.el.open && html && (!f || (opened && f.at !== p))) {
    f?.frame.move(a.box, p);
    f = { frame: f?.frame ?? new AppFrame(entry, a.box, p.signal, p), at: p };
    run.set(key, f);
  }
  const here = f?.at === p ? f.frame : undefined;
  here?.update(p.last);
  calls(a, p, here);
}

export default { tool };
