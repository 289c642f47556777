// The app chunk (nbagent/static/app.js): a call's MCP app in its tool panel, sandboxed
// (js/src/panels/app_frame.js, the host's messages js/src/panels/app_host.js), drawn through
// js/src/base/app.js as the panel updates; loaded with the first call that has an app
// (its block's `meta.app`: nbagent/widget/chunks.py). The frame is made when the panel opens.

import { h, setText } from "../base/format.js";
import { isObject } from "../base/wire.js";
import { answered } from "../panels/app_calls.js";
import { AppFrame } from "../panels/app_frame.js";

/**
 * @typedef {import("../panels/panels.js").ToolPanel} ToolPanel
 * @typedef {import("../panels/pause.js").PauseBox} PauseBox
 */

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
  // The paused app calls' boxes, by their request.
  return { box, uri, domains, note, calls, boxes: new Map() };
}

/**
 * The app's own tool calls (nbagent/mcp_client/_app_calls.py: the panel's block's `reruns`
 * by the app): their answers posted to the app; each waiting for the author drawn by the
 * panel's own PauseBox (js/src/panels/pause.js: Run, Edit arguments, Deny with a reason; none
 * on a viewer's page), its answer sent as `app_call_answer`.
 * @param {ReturnType<typeof parts>} a
 * @param {ToolPanel} p
 * @param {AppFrame | undefined} frame the app's frame, when it is under this panel
 * @param {boolean} live a kernel can take the answer (not a saved view)
 */
function calls(a, p, frame, live) {
  const b = /** @type {Record<string, any>} */ (p.last);
  const actions = p.rerun.actions;
  if (frame) answered(frame, b);
  const Box = /** @type {typeof import("../panels/pause.js").PauseBox} */ (p.pause.constructor);
  /** @type {Map<unknown, PauseBox>} */
  const was = a.boxes;
  a.boxes = new Map();
  for (const r of b.reruns ?? [])
    if (r.by === "app" && r.state === "paused" && actions.mayAct?.() !== false) {
      const box =
        was.get(r.request) ??
        new Box(
          b.id,
          {
            // The answer chunk's `pause_answer` ({action, args, reason}) as the kernel's.
            send: (/** @type {any} */ m) =>
              actions.send({
                ...m,
                type: "app_call_answer",
                request: r.request,
                action: m.action === "run" ? "run" : "deny",
              }),
          },
          p.signal,
        );
      a.boxes.set(r.request, box);
      a.calls.append(box.el);
      const head = `${r.name}, called by the app`;
      const pause = { head, actions: ["run", "edit", "deny"], error: r.error };
      box.update(/** @type {any} */ ({ ...r, id: b.id, state: "paused", pause }), live);
    }
  for (const [k, box] of was) if (!a.boxes.has(k)) box.el.remove();
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
  const store = /** @type {any} */ (p.store);
  const entry = store.state.apps?.[key];
  // An untrusted notebook's saved view (js/src/view/saved.js): the app named, none of its code.
  const html = typeof entry?.html === "string";
  // Its HTML comes with the run's state (once per run), maybe after the call: the panel is
  // drawn again then (nothing of its block need change, e.g. while it waits paused), once.
  if (!html) {
    any.appWatch ??= store.subscribe(
      () => typeof store.state.apps?.[key]?.html === "string" && any.appWatch(tool(p)),
    );
    p.signal.addEventListener("abort", any.appWatch); // the same listener: added once
  }
  const why =
    isObject(entry) && !html
      ? `MCP app ${ref.uri} of ${p.last?.name}: it runs in a trusted notebook`
      : "";
  setText(a.note, typeof ref.error === "string" ? ref.error : why); // :empty, not shown
  // What the frame may reach (its server's `app_domains=`), or how to let it.
  setText(a.domains, /** @type {string} */ (entry?.domains ?? ""));
  // The run's frames (on its store): one per app, under the panel that opened last of its calls'.
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
  calls(a, p, here, entry?.kernel !== false);
}

export default { tool };
