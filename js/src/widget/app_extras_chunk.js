// The app extras chunk (nbagent/static/app_extras.js): what an MCP app asks of its host beyond
// showing, and its call's arguments as they stream. The app chunk's frame (js/src/panels/
// app_frame.js) and panel (js/src/widget/app_chunk.js) hand it what is its: the app's own
// calls (js/src/panels/app_paused.js), its log (app_log.js), its downloads (app_download.js),
// and `tool-input-partial`. The kernel sends it with the first app call or streaming input
// (nbagent/widget/chunks.py); the page asks for it at an app's first log or download.

import { partialJson } from "../base/partial_json.js";
import { isObject } from "../base/wire.js";
import { offer } from "../panels/app_download.js";
import { logged } from "../panels/app_log.js";
import { paused } from "../panels/app_paused.js";

/** The longest arguments text read as it streams: a longer one's app waits for it whole. */
export const MAX_PARTIAL = 256 * 1024;

/**
 * @typedef {import("../panels/app_frame.js").AppFrame} AppFrame
 * @typedef {import("../panels/app_host.js").AppMessage} AppMessage
 */

/**
 * The call's arguments so far (`tool-input-partial`: healed, js/src/base/partial_json.js),
 * to a ready app, each time they read as another object.
 * @param {AppFrame} f
 * @param {Record<string, any>} b the call's block, its arguments streaming (`state` "args")
 */
function partial(f, b) {
  const text = b.arguments;
  if (!f.ready || b.state !== "args" || typeof text !== "string" || text.length > MAX_PARTIAL)
    return;
  const args = partialJson(text);
  const json = JSON.stringify(args);
  if (isObject(args) && json !== f.sentPartial) {
    f.sentPartial = json;
    f.note("ui/notifications/tool-input-partial", { arguments: args });
  }
}

/**
 * A checked message of the app's the app chunk leaves to this one: a log line, a download.
 * @param {AppFrame} f
 * @param {AppMessage} msg
 */
function received(f, msg) {
  if (msg.method === "notifications/message") logged(f, msg.params ?? {});
  else if (msg.method === "ui/download-file" && msg.id !== undefined) offer(f, msg.id, msg.params);
}

export default { calls: paused, partial, received };
