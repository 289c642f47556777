// What the MCP app tests share: the frame of a call's app once its panel opens, the messages
// between that frame and the host, and the app's first request.

import { expect, vi } from "vitest";
import { q } from "./mount.js";

/** jsdom has no ResizeObserver (the frame's width: js/test/mcp_app_context.test.js watches). */
export function withoutResizeObserver() {
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      disconnect() {}
    },
  );
}

/** How long a test waits for what the page draws, on a loaded machine (polled: no sleep). */
export const PATIENCE = { timeout: 30_000 };

/** The panel's app frame once the panel is opened (its `toggle`). */
export async function opened(/** @type {HTMLElement} */ el) {
  const panel = /** @type {HTMLDetailsElement} */ (q(el, ".nba-tool"));
  expect(panel.querySelector("iframe")).toBeNull(); // made when the panel opens, not before
  q(panel, "summary").click();
  await vi.waitFor(() => expect(panel.querySelector("iframe")).not.toBeNull(), PATIENCE);
  return /** @type {HTMLIFrameElement} */ (panel.querySelector("iframe"));
}

/**
 * What the frame posts to the host, and what the host posts to it.
 * @param {HTMLIFrameElement} frame
 */
export function wire(frame) {
  const win = /** @type {Window} */ (frame.contentWindow);
  /** @type {any[]} */
  const got = [];
  vi.spyOn(win, "postMessage").mockImplementation((/** @type {any} */ m) => void got.push(m));
  const send = (/** @type {unknown} */ data, source = win) =>
    window.dispatchEvent(new MessageEvent("message", { data, source }));
  return { got, send };
}

/** The app's `ui/initialize`. */
export const init = {
  jsonrpc: "2.0",
  id: 1,
  method: "ui/initialize",
  params: { protocolVersion: "x" },
};
