// An MCP app's own tool calls, as its call's panel shows them (the app extras chunk's): the
// answers the kernel recorded (the owning call's block's `reruns` by the app) posted to the app,
// and each call waiting for the author drawn by the panel's own PauseBox (js/src/panels/pause.js:
// Run, Edit arguments, Deny with a reason; none on a viewer's page), its answer sent as
// `app_call_answer` (nbagent/mcp_client/_app_calls.py).

import { h } from "../base/format.js";
import { answered } from "./app_calls.js";

/**
 * @typedef {import("./panels.js").ToolPanel} ToolPanel
 * @typedef {import("./pause.js").PauseBox} PauseBox
 * @typedef {{box: HTMLElement, calls?: HTMLElement, boxes?: Map<unknown, PauseBox>}} AppPart
 *   the app's place in the panel (js/src/widget/app_chunk.js), with the paused calls' boxes
 *   (by their request) once there are any
 */

/**
 * @param {AppPart} a
 * @param {ToolPanel} p
 * @param {import("./app_frame.js").AppFrame | undefined} frame the app's frame, when it is
 *   under this panel
 * @param {boolean} live a kernel can take the answer (not a saved view)
 */
export function paused(a, p, frame, live) {
  const b = /** @type {Record<string, any>} */ (p.last);
  const actions = p.rerun.actions;
  if (frame) answered(frame, b);
  const Box = /** @type {typeof import("./pause.js").PauseBox} */ (p.pause.constructor);
  a.calls ??= a.box.appendChild(h("div"));
  const was = a.boxes ?? new Map();
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
