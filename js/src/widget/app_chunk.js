// The app chunk (nbagent/static/app.js): a call's MCP app in its tool panel, sandboxed
// (js/src/panels/app_frame.js, the host's messages js/src/panels/app_host.js), drawn through
// js/src/base/app.js as the panel updates; loaded with the first call that has an app
// (its block's `meta.app`: nbagent/widget/chunks.py). The frame is made when the panel opens.
// Twin: nbagent/transcript/export/static_html.py

import { appExtrasChunk } from "../base/app.js";
import { withChunk } from "../base/chunks.js";
import { h, setText } from "../base/format.js";
import { isObject } from "../base/wire.js";
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
  box.append(head, uri, domains, note);
  p.data.after(box);
  p.el.addEventListener("toggle", () => p.el.open && tool(p, true), { signal: p.signal });
  return { box, uri, domains, note };
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
  // The app's own calls (their answers, those waiting for the author): the extras chunk's.
  if (p.last?.reruns?.length)
    withChunk(appExtrasChunk, p.signal, (c) => c.calls(a, p, here, entry?.kernel !== false));
}

export default { tool };
