// What an MCP app is told of its place and what it says of its own: the host context that
// follows the page (the cell's width through a ResizeObserver on its frame, the page's theme),
// as `host-context-changed` with what changed, one path for both; the height the app says
// (`size-changed`, within HEIGHTS); and its frame drawn when its HTML comes after its call.
import { describe, expect, test, vi } from "vitest";
import { init, opened, PATIENCE, wire } from "./app_frames.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

const cleanups = undoneAfterEach();

/** The ResizeObservers the frames made (jsdom has none): each one's callback, what it
 * watches, whether it was disconnected. */
const observers = /** @type {{cb: () => void, watched: Element[], off: boolean}[]} */ ([]);
vi.stubGlobal(
  "ResizeObserver",
  class {
    /** @param {() => void} cb */
    constructor(cb) {
      this.cb = cb;
      /** @type {Element[]} */
      this.watched = [];
      this.off = false;
      observers.push(this);
    }
    /** @param {Element} el */
    observe(el) {
      this.watched.push(el);
    }
    disconnect() {
      this.off = true;
    }
  },
);

const URI = "ui://chart/app.html";
const HTML = "<!DOCTYPE html><html><body>app</body></html>";
const RESULT = { content: [{ type: "text", text: "2 values" }], isError: false };

/** A call with an app (done, its result as it came) and the run's apps. */
function withApp() {
  const meta = { app: { uri: URI, result: RESULT } };
  return runningState([toolBlock({ args: { values: [1, 2] }, meta })], {
    apps: { [URI]: { html: HTML } },
  });
}

describe("an MCP app's place", () => {
  test("follows the cell's width and the page's theme: what changed, in one message", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const frame = await opened(w.el);
    const { got, send } = wire(frame);
    const box = q(w.el, ".nba-app");
    const width = (/** @type {number} */ px) =>
      Object.defineProperty(box, "clientWidth", { value: px, configurable: true });
    const sized = /** @type {typeof observers[0]} */ (observers.at(-1));
    expect(sized.watched).toEqual([frame]); // the frame, which fills its box
    width(500);
    sized.cb(); // as laid out: nothing said before the app asks
    expect(got).toEqual([]);
    send(init);
    expect(got[0].result.hostContext).toEqual({
      displayMode: "inline",
      availableDisplayModes: ["inline"],
      platform: "web",
      theme: "light",
      containerDimensions: { width: 500, maxHeight: 1200 },
    });
    const changed = (/** @type {object} */ params) => ({
      jsonrpc: "2.0",
      method: "ui/notifications/host-context-changed",
      params,
    });
    // Wider before the app said it is initialized: told then, before its input.
    width(510);
    sized.cb();
    expect(got).toHaveLength(1);
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(got[1]).toEqual(changed({ containerDimensions: { width: 510, maxHeight: 1200 } }));
    expect(got.slice(2).map((m) => m.method)).toEqual([
      "ui/notifications/tool-input",
      "ui/notifications/tool-result",
    ]);
    got.length = 0;
    sized.cb(); // nothing changed: nothing said
    width(320);
    sized.cb();
    expect(got).toEqual([changed({ containerDimensions: { width: 320, maxHeight: 1200 } })]);
    // Both at once: one message with both.
    width(640);
    document.body.dataset.jpThemeLight = "false";
    sized.cb();
    expect(got[1]).toEqual(
      changed({ theme: "dark", containerDimensions: { width: 640, maxHeight: 1200 } }),
    );
    // The theme's own observer said nothing more: the next message is the next change. A box
    // measured between layouts (0 as a theme's styles load) is not the width the app is told.
    width(0);
    delete document.body.dataset.jpThemeLight;
    await vi.waitFor(() => expect(got).toHaveLength(3), PATIENCE);
    expect(got[2]).toEqual(changed({ theme: "light" }));
    // The panel's end disconnects it.
    expect(sized.off).toBe(false);
    w.view.destroy();
    expect(sized.off).toBe(true);
  });

  test("takes the height the app says, within HEIGHTS", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const frame = await opened(w.el);
    const { send } = wire(frame);
    const say = (/** @type {unknown} */ height) =>
      send({ jsonrpc: "2.0", method: "ui/notifications/size-changed", params: { height } });
    say(500.5);
    expect(frame.style.height).toBe("500.5px");
    say(9);
    expect(frame.style.height).toBe("40px");
    say(1e9);
    expect(frame.style.height).toBe("1200px");
    say("1e400"); // not a finite number: kept
    expect(frame.style.height).toBe("1200px");
  });

  test("is drawn when the app's HTML comes after its call (paused, nothing else changes)", async () => {
    const w = mountView(cleanups);
    const meta = { app: { uri: URI } };
    const paused = toolBlock({ args: { values: [1] }, meta, state: "paused", result: null });
    w.snapshot(runningState([paused], { apps: {} }));
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    expect(panel.open).toBe(true); // a paused call's panel is open
    await new Promise((r) => panel.addEventListener("toggle", r, { once: true })); // opened, drawn
    expect(panel.querySelector("iframe")).toBeNull();
    w.ops([{ op: "run", set: { apps: { [URI]: { html: HTML } } } }]); // the run's, not the call's
    await vi.waitFor(() => expect(panel.querySelector("iframe")).not.toBeNull(), PATIENCE);
  });
});
