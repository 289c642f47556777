// The app chunk (nbagent/static/app.js): a call's MCP app in its tool panel, sandboxed
// (js/src/panels/app_frame.js, the host's messages js/src/panels/app_host.js), drawn through
// js/src/base/app.js as the panel updates; loaded with the first call that has an app
// (its block's `meta.app`: nbagent/widget/chunks.py). The frame is made when the panel opens.

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
  p.el.addEventListener("toggle", () => p.el.open && tool(p), { signal: p.signal });
  return { box, uri, domains, note, frame: /** @type {AppFrame | null} */ (null) };
}

/**
 * A tool panel's app, from its last block (`meta.app`: its uri, its result as it came, or the
 * error that stands for it) and the run's `apps` (its HTML, once per run).
 * @param {ToolPanel} p
 */
function tool(p) {
  const ref = p.last?.meta?.app;
  if (!isObject(ref)) return;
  const any = /** @type {any} */ (p);
  any.app ??= parts(p);
  const a = /** @type {ReturnType<typeof parts>} */ (any.app);
  setText(a.uri, String(ref.uri));
  const entry = p.store.state.apps?.[String(ref.uri)];
  // An untrusted notebook's saved view (js/src/view/saved.js): the app named, none of its code.
  const hidden = isObject(entry) && typeof entry.html !== "string";
  const why = hidden ? `MCP app ${ref.uri} of ${p.last?.name}: it runs in a trusted notebook` : "";
  setText(a.note, typeof ref.error === "string" ? ref.error : why);
  a.note.hidden = !a.note.textContent;
  // What the frame may reach (its server's `app_domains=`), or how to let it.
  setText(a.domains, isObject(entry) ? String(entry.domains ?? "") : "");
  a.domains.hidden = !a.domains.textContent;
  if (!a.frame && p.el.open && isObject(entry) && typeof entry.html === "string")
    a.frame = new AppFrame(entry, a.box, p.signal);
  a.frame?.update(p.last);
}

export default { tool };
