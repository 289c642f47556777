// An MCP app's own tool calls, on the page (the app chunk's): the frame forwards a checked
// `tools/call` to the kernel as `app_call` (nbagent/mcp_client/_app_calls.py), which records it
// under the call owning the app (its block's `reruns`, `by: "app"`), paused for the author's
// answer (Run, Edit arguments, Deny: js/src/widget/app_chunk.js) unless its policy lets it run;
// the record's `answer` (a JSON-RPC `result` or `error`) is posted to the app as the
// response, once.

import { isObject } from "../base/wire.js";

/**
 * @typedef {{send: (msg: import("../base/wire.js").PageMessage) => void,
 *   mayAct?: () => boolean}} AppActions
 * @typedef {{last: Record<string, any> | null, rerun: {actions: AppActions}}} Owner the
 *   call's tool panel: its block, its actions
 * @typedef {{p: Owner, waiting: Map<string, string | number>, post: (msg: object) => void}}
 *   Caller
 *   `waiting`: the app's JSON-RPC id of each call forwarded, by its key (unique to the frame);
 *   `post`: a JSON-RPC message to the app (its `jsonrpc` added)
 */

/**
 * Forward the app's `tools/call` (`id`: its JSON-RPC id) to the kernel, or answer why not: a
 * viewer's page (js/src/panels/pause.js `mayAct`) may not; `params.name` must be a string of
 * at most 128 characters, `params.arguments` an object or absent.
 * @param {Caller} f
 * @param {string | number} id
 * @param {Record<string, any> | undefined} params
 */
export function forward(f, id, params) {
  const name = params?.name;
  const args = params?.arguments ?? {};
  const actions = f.p.rerun.actions;
  const message =
    actions.mayAct?.() === false
      ? "a viewer may not call tools"
      : typeof name !== "string" || !name || name.length > 128 || !isObject(args)
        ? "bad tools/call"
        : "";
  if (message) return f.post({ id, error: { code: -32000, message } });
  const request = String(Math.random());
  f.waiting.set(request, id);
  actions.send({ type: "app_call", id: f.p.last?.id, request, name, arguments: args });
}

/**
 * The answers the call's block carries (its `reruns` by the app) posted to the app, each once.
 * @param {Caller} f
 * @param {Record<string, any> | null} b the owning call's block
 */
export function answered(f, b) {
  for (const r of b?.reruns ?? []) {
    const id = f.waiting.get(r.request);
    if (id !== undefined && isObject(r.answer)) {
      f.waiting.delete(r.request);
      f.post({ id, ...r.answer });
    }
  }
}
