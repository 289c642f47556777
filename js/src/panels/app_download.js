// An MCP app's download (`ui/download-file`): a sandboxed frame may not download, so the host
// offers the app's files under its frame, named with their size, for the reader to Save or
// Dismiss; the app is told which (`isError` when dismissed). Only embedded contents (a text or
// a base64 `blob`): a link (`resource_link`, for the host to fetch) is refused, nbagent fetches
// nothing for an app. At most MAX_OFFERS wait at once, each of at most MAX_FILES files.

import { actionButton, clicks } from "../base/controls.js";
import { h } from "../base/format.js";
import { isObject } from "../base/wire.js";

export const MAX_OFFERS = 3;
export const MAX_FILES = 16;

/**
 * @typedef {{name: string, blob: Blob}} File
 * @typedef {{frame: HTMLIFrameElement, signal: AbortSignal, offers?: number,
 *   offered?: HTMLElement, post: (msg: object) => void}} Offerer the app's frame
 *   (js/src/panels/app_frame.js), with its offers' place once it offered one
 */

/**
 * A file's name from its uri: its last segment, only letters, digits, `.`, `-`, `_` and
 * spaces kept (others `_`), at most 128 characters.
 * @param {unknown} uri
 */
export function fileName(uri) {
  const last = String(uri).split(/[/\\]/).pop() ?? "";
  return (
    last
      .replace(/[^\w. -]/g, "_")
      .slice(0, 128)
      .replace(/^\.+/, "") || "download"
  );
}

/**
 * The files of a download request, or why it cannot be offered.
 * @param {Record<string, any> | undefined} params
 * @returns {File[] | string}
 */
export function filesOf(params) {
  const contents = params?.contents;
  if (!Array.isArray(contents) || !contents.length || contents.length > MAX_FILES)
    return `a download holds 1 to ${MAX_FILES} contents`;
  /** @type {File[]} */
  const files = [];
  for (const c of contents) {
    const r = isObject(c) && c.type === "resource" && isObject(c.resource) ? c.resource : null;
    if (!r) return "nbagent downloads embedded contents only (no links)";
    const type = typeof r.mimeType === "string" ? r.mimeType.slice(0, 128) : "";
    /** @type {string | Uint8Array<ArrayBuffer> | null} */
    let data = typeof r.text === "string" ? r.text : null;
    if (data === null && typeof r.blob === "string")
      try {
        data = Uint8Array.from(atob(r.blob), (ch) => ch.charCodeAt(0));
      } catch {
        return "a blob that is not base64";
      }
    if (data === null) return "a content with neither text nor blob";
    files.push({ name: fileName(r.uri), blob: new Blob([data], { type }) });
  }
  return files;
}

/**
 * Offer the app's download (`id`: its request's) under its frame, or answer why not.
 * @param {Offerer} f
 * @param {string | number} id
 * @param {Record<string, any> | undefined} params
 */
export function offer(f, id, params) {
  const files = filesOf(params);
  const offers = f.offers ?? 0;
  const why = typeof files === "string" ? files : offers >= MAX_OFFERS ? "too many offers" : "";
  if (why) return f.post({ id, error: { code: -32602, message: why } });
  f.offers = offers + 1;
  const list = /** @type {File[]} */ (files);
  const bytes = list.reduce((n, x) => n + x.blob.size, 0);
  const names = list.map((x) => x.name).join(", ");
  const el = h("div", "nba-app-offer", `The app offers ${names} (${bytes} bytes) `);
  const save = actionButton("Save", "nba-app-save");
  const dismiss = actionButton("Dismiss", "nba-app-dismiss");
  el.append(save, dismiss);
  // In the order they came, under the frame (its log, once it logs, goes between).
  f.offered ??= h("div");
  if (!f.offered.isConnected) f.frame.after(f.offered);
  f.offered.append(el);
  const click = clicks(f.signal);
  /** @param {boolean} saved */
  const done = (saved) => {
    f.offers = (f.offers ?? 1) - 1;
    el.remove();
    f.post({ id, result: saved ? {} : { isError: true } });
  };
  click(save, () => {
    for (const x of list) {
      const a = /** @type {HTMLAnchorElement} */ (h("a"));
      a.href = URL.createObjectURL(x.blob);
      a.download = x.name;
      a.click();
      // The browser reads the file after the click returns.
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    }
    done(true);
  });
  click(dismiss, () => done(false));
}
