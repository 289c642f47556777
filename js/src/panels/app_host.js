// The host half of an MCP app's messages (the ext-apps protocol, JSON-RPC 2.0 over postMessage),
// without the DOM: the CSP put at the head of the app's document, the checks every message from
// its frame passes before anything reads it (a rate bound, a size bound, the JSON-RPC shape),
// and the host's answers (`ui/initialize`, `ping`; `tools/call` forwarded to the kernel, which
// runs it through the author's answer: js/src/panels/app_calls.js; any other request a clean
// JSON-RPC error). js/src/panels/app_frame.js uses it.

import { isObject } from "../base/wire.js";

/** The ext-apps protocol revision nbagent speaks (ext-apps' LATEST_PROTOCOL_VERSION). */
export const PROTOCOL = "2026-01-26";

/** What an app may load when its server allows it no domain: its own inline scripts and styles. */
export const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
/** A policy the page takes from the kernel (nbagent/mcp_client/_apps.py csp_policy): the
 * sources of its directives are these keywords and https origins only (no quote, no space,
 * no 'unsafe-eval', no bare `*`: nothing the attribute or the policy could be broken out of). */
const POLICY =
  /^default-src 'none'(; ([a-z]+-src|base-uri)( ('unsafe-inline'|data:|(https|wss):\/\/(\*\.)?[a-z0-9.-]+(:\d+)?))+)+$/;

/** The longest message read from a frame (its JSON), and the most read per second. */
export const MAX_MESSAGE_CHARS = 1024 * 1024;
export const MAX_PER_SECOND = 50;
const MAX_METHOD = 128;
const DOCTYPE = /^\s*<!doctype[^>]{0,200}>/i;

/**
 * The app's document with the CSP first in its head: after its doctype (kept, so the app stays
 * in standards mode), before anything of the app's own (an earlier script would run without it).
 * @param {string} html
 * @param {unknown} [policy] its entry's CSP (`policy`: the domains its server lets it reach),
 *   when it is one the page takes (else `CSP`)
 */
export function withCsp(html, policy) {
  // Linear: each source ends where a space or a `;` does (JSON state: no object of its own).
  const ok = POLICY.test(/** @type {string} */ (policy));
  const meta = `<meta http-equiv="Content-Security-Policy" content="${ok ? policy : CSP}">`;
  const doctype = DOCTYPE.exec(html)?.[0] ?? "";
  return (doctype || "<!doctype html>") + meta + html.slice(doctype.length);
}

/**
 * A gate that lets `limit` messages through per second (a window of the last second's).
 * @param {number} [limit]
 * @returns {(now: number) => boolean} whether a message at `now` (ms) may be read
 */
export function rateGate(limit = MAX_PER_SECOND) {
  /** @type {number[]} */
  const times = [];
  return (now) => {
    while (times.length && times[0] <= now - 1000) times.shift();
    if (times.length >= limit) return false;
    times.push(now);
    return true;
  };
}

/**
 * @typedef {{jsonrpc: "2.0", id?: string | number, method: string,
 *   params?: Record<string, any>}} AppMessage a request (with its `id`) or a notification
 */

/** @param {unknown} id */
const isId = (id) => Number.isFinite(id) || (typeof id === "string" && id.length <= MAX_METHOD);

/**
 * A frame's message as the host reads it, or why it is dropped: the caller has checked that it
 * comes from the app's own frame; here its rate, its size, then its shape. Responses are
 * dropped: the host asks the app nothing yet.
 * @param {unknown} data what the frame posted
 * @param {(now: number) => boolean} gate the frame's rateGate
 * @param {number} now ms
 * @returns {AppMessage | string}
 */
export function checkMessage(data, gate, now) {
  if (!gate(now)) return "rate";
  let size = 0;
  try {
    size = JSON.stringify(data)?.length ?? 0;
  } catch {
    return "not JSON";
  }
  if (size > MAX_MESSAGE_CHARS) return "size";
  if (!isObject(data) || data.jsonrpc !== "2.0") return "not JSON-RPC";
  const { method, params } = data;
  // A response to nothing, or not JSON-RPC.
  if (typeof method !== "string" || !method || method.length > MAX_METHOD) return "no method";
  if ("id" in data && !isId(data.id)) return "bad id";
  if (params !== undefined && !isObject(params)) return "bad params";
  return /** @type {AppMessage} */ (data);
}

/**
 * The host's answer to a request from the app: `ui/initialize` with the host's info,
 * capabilities and context, `ping` with nothing; `tools/call` null (app_calls.js `forward`
 * asks the kernel), `ui/download-file` null (js/src/panels/app_download.js offers it); any
 * other a JSON-RPC error (-32601; -32000 "no kernel" in a saved view).
 * @param {AppMessage & {id: string | number}} msg
 * @param {() => Record<string, unknown>} context what of the host context follows the page now
 *   (its theme, its width: app_frame.js), after the display mode and platform
 * @param {boolean} [kernel] false in a saved notebook's view: any other request "no kernel"
 */
export function answer(msg, context, kernel = true) {
  const head = { id: msg.id }; // its `jsonrpc` added as it is posted (app_frame.js post)
  if (msg.method === "ui/initialize")
    return {
      ...head,
      result: {
        protocolVersion: PROTOCOL,
        hostInfo: { name: "nbagent", version: "1" },
        hostCapabilities: { serverTools: {}, logging: {}, downloadFile: {} },
        hostContext: {
          displayMode: "inline",
          availableDisplayModes: ["inline"],
          platform: "web",
          ...context(),
        },
      },
    };
  if (msg.method === "ping") return { ...head, result: {} };
  if (!kernel) return { ...head, error: { code: -32000, message: "no kernel" } };
  if (msg.method === "tools/call" || msg.method === "ui/download-file") return null;
  return { ...head, error: { code: -32601, message: `Method not found: ${msg.method}` } };
}
