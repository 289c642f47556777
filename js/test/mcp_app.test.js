// A call's MCP app (its block's `meta.app`, the run's `apps[uri]`: nbagent/mcp_client/_apps.py):
// a frame from `srcdoc`, sandboxed with `allow-scripts` only, the CSP first in its head, made
// when its panel opens; every message from it checked (its source, its rate, its size, its
// JSON-RPC shape) before anything reads it; the host's half of the handshake, then the call's
// input and result, the page's theme as it changes; any other request a clean JSON-RPC error
// (its tool calls: js/test/mcp_app_calls.test.js).
import { describe, expect, test, vi } from "vitest";
import {
  answer,
  CSP,
  checkMessage,
  MAX_MESSAGE_CHARS,
  MAX_PER_SECOND,
  PROTOCOL,
  rateGate,
  withCsp,
} from "../src/panels/app_host.js";
import { renderSaved } from "../src/view/saved.js";
import { init, opened, PATIENCE, wire, withoutResizeObserver } from "./app_frames.js";
import { runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

const cleanups = undoneAfterEach();

withoutResizeObserver();

const URI = "ui://chart/app.html";
const HTML =
  "<!DOCTYPE html><html><head><script>globalThis.early=1</script></head><body>app</body></html>";
const RESULT = { content: [{ type: "text", text: "2 values" }], isError: false };

/** A call with an app (done, its result as it came) and the run's apps. */
function withApp(app = {}, apps = { [URI]: { html: HTML, prefers_border: true } }) {
  const meta = { app: { uri: URI, visibility: ["model", "app"], result: RESULT, ...app } };
  return runningState([toolBlock({ args: { values: [1, 2] }, meta })], { apps });
}

describe("an MCP app's frame", () => {
  test("is sandboxed with allow-scripts only, the CSP before the app's own head", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const frame = await opened(w.el);
    expect(frame.getAttribute("sandbox")).toBe("allow-scripts");
    expect(
      frame.srcdoc.startsWith(
        `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="${CSP}">`,
      ),
    ).toBe(true);
    expect(frame.srcdoc.indexOf("Content-Security-Policy")).toBeLessThan(
      frame.srcdoc.indexOf("<script>"),
    );
    expect(frame.classList.contains("nba-app-border")).toBe(true);
    expect(q(w.el, ".nba-app-uri").textContent).toBe(URI);
  });

  test("allows the domains its entry allows, and its panel says which", async () => {
    const w = mountView(cleanups);
    const policy = `${CSP}; connect-src https://api.example.com`;
    const domains = "the app may reach https://api.example.com";
    w.snapshot(withApp({}, { [URI]: { html: HTML, policy, domains } }));
    const frame = await opened(w.el);
    expect(frame.srcdoc).toContain(`content="${policy}"`);
    const line = q(w.el, ".nba-app-domains");
    expect(line.textContent).toBe(domains);
    const none =
      "the app asks for 1 domain; none allowed (nbagent.mcp(..., app_domains=True) allows them)";
    w.snapshot(withApp({}, { [URI]: { html: HTML, domains: none } }));
    expect(q(w.el, ".nba-app-domains").textContent).toBe(none);
    w.snapshot(withApp());
    expect(q(w.el, ".nba-app-domains").textContent).toBe(""); // :empty, not shown
  });

  test("answers the handshake, then sends the call's input and result once each", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const frame = await opened(w.el);
    const { got, send } = wire(frame);
    send(init);
    expect(got).toHaveLength(1);
    expect(got[0].id).toBe(1);
    expect(got[0].result.protocolVersion).toBe(PROTOCOL);
    expect(got[0].result.hostInfo.name).toBe("nbagent");
    expect(got[0].result.hostContext.theme).toBe("light");
    expect(got[0].result.hostContext.containerDimensions).toHaveProperty("width");
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(got.slice(1)).toEqual([
      {
        jsonrpc: "2.0",
        method: "ui/notifications/tool-input",
        params: { arguments: { values: [1, 2] } },
      },
      { jsonrpc: "2.0", method: "ui/notifications/tool-result", params: RESULT },
    ]);
    w.ops([{ op: "set", i: 0, set: { duration_s: 1 } }]); // the block again: nothing new to send
    expect(got).toHaveLength(3);
    // The page turns dark: the app is told.
    document.body.dataset.jpThemeLight = "false";
    await vi.waitFor(() => expect(got).toHaveLength(4), PATIENCE);
    expect(got[3]).toEqual({
      jsonrpc: "2.0",
      method: "ui/notifications/host-context-changed",
      params: { theme: "dark" },
    });
    delete document.body.dataset.jpThemeLight;
  });

  test("is told a call that ended with no result was cancelled, once, and no result after", async () => {
    const w = mountView(cleanups);
    const meta = { app: { uri: URI } };
    const apps = { [URI]: { html: HTML } };
    w.snapshot(
      runningState([toolBlock({ args: { values: [1] }, meta, state: "running" })], { apps }),
    );
    // A running call's panel is open already (its frame made at once).
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    if (!panel.open) q(panel, "summary").click();
    await vi.waitFor(() => expect(panel.querySelector("iframe")).not.toBeNull(), PATIENCE);
    const { got, send } = wire(/** @type {HTMLIFrameElement} */ (panel.querySelector("iframe")));
    send(init);
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(got.map((m) => m.method)).toEqual([undefined, "ui/notifications/tool-input"]);
    w.ops([{ op: "set", i: 0, set: { state: "cancelled" } }]); // Stop, with no result
    w.ops([{ op: "set", i: 0, set: { duration_s: 2 } }]);
    expect(got.slice(2)).toEqual([
      {
        jsonrpc: "2.0",
        method: "ui/notifications/tool-cancelled",
        params: { reason: "cancelled" },
      },
    ]);
  });

  test("is one per app in a run: it moves to the panel of each call that opens", async () => {
    const w = mountView(cleanups);
    const calls = Array.from({ length: 100 }, (_, i) => {
      const result = { content: [{ type: "text", text: `r${i}` }], isError: false };
      const meta = { app: { uri: URI, result } };
      return toolBlock({ id: `c${i}`, args: { i }, meta });
    });
    w.snapshot(runningState(calls, { apps: { [URI]: { html: HTML } } }));
    const panels = /** @type {HTMLDetailsElement[]} */ ([...w.el.querySelectorAll(".nba-tool")]);
    expect(panels).toHaveLength(100);
    for (const panel of panels) q(panel, "summary").click();
    await vi.waitFor(() => expect(panels[99].querySelector("iframe")).not.toBeNull(), PATIENCE);
    expect(w.el.querySelectorAll("iframe")).toHaveLength(1);
    // Under the last call opened, the app (loaded again there) is sent that call's.
    const { got, send } = wire(
      /** @type {HTMLIFrameElement} */ (panels[99].querySelector("iframe")),
    );
    send(init);
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(got.slice(1).map((m) => m.params)).toEqual([
      { arguments: { i: 99 } },
      { content: [{ type: "text", text: "r99" }], isError: false },
    ]);
    // The first call's panel closed and opened again: the frame goes back there, with its call.
    q(panels[0], "summary").click();
    q(panels[0], "summary").click();
    await vi.waitFor(() => expect(panels[0].querySelector("iframe")).not.toBeNull(), PATIENCE);
    expect(w.el.querySelectorAll("iframe")).toHaveLength(1);
    const back = wire(/** @type {HTMLIFrameElement} */ (panels[0].querySelector("iframe")));
    back.send(init);
    back.send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(back.got.slice(1).map((m) => m.params?.arguments ?? m.params?.content)).toEqual([
      { i: 0 },
      [{ type: "text", text: "r0" }],
    ]);
  });

  test("the same uri of two servers is two apps (keyed by server and uri)", async () => {
    const w = mountView(cleanups);
    const keys = ['["a", "ui://app"]', '["b", "ui://app"]'];
    const calls = keys.map((key, i) =>
      toolBlock({ id: `c${i}`, meta: { app: { uri: "ui://app", key } } }),
    );
    const apps = { [keys[0]]: { html: "<p>a</p>" }, [keys[1]]: { html: "<p>b</p>" } };
    w.snapshot(runningState(calls, { apps }));
    const panels = [...w.el.querySelectorAll(".nba-tool")];
    for (const panel of panels) q(panel, "summary").click();
    await vi.waitFor(() => expect(w.el.querySelectorAll("iframe")).toHaveLength(2), PATIENCE);
    const docs = panels.map((panel) => panel.querySelector("iframe")?.srcdoc ?? "");
    expect([docs[0].endsWith("<p>a</p>"), docs[1].endsWith("<p>b</p>")]).toEqual([true, true]);
  });

  test("reads nothing of another window's message, and drops what is not JSON-RPC", async () => {
    const w = mountView(cleanups);
    w.snapshot(withApp());
    const { got, send } = wire(await opened(w.el));
    let read = 0;
    const watched = new Proxy(init, {
      get(target, key) {
        read += 1;
        return Reflect.get(target, key);
      },
    });
    send(watched, window); // the page's own window: not this frame's
    expect(read).toBe(0);
    for (const bad of ["text", [init], { ...init, jsonrpc: "1.0" }, { ...init, params: [1] }])
      send(bad);
    expect(got).toEqual([]);
  });

  test("says why a call's app cannot show, as text, and makes no frame", async () => {
    const w = mountView(cleanups);
    const error = 'app ui://x: <img src=x onerror="globalThis.pwned=1"> is not an app';
    w.snapshot(withApp({ error, result: undefined }, {}));
    const panel = /** @type {HTMLDetailsElement} */ (q(w.el, ".nba-tool"));
    q(panel, "summary").click();
    await vi.waitFor(() => expect(panel.open).toBe(true), PATIENCE);
    expect(q(panel, ".nba-app-note").textContent).toBe(error);
    expect(panel.querySelector("img, iframe")).toBeNull();
  });
});

describe("a saved view", () => {
  /** The saved view of a finished run with an app, trusted or not. */
  function saved(/** @type {boolean} */ trusted) {
    const el = document.createElement("div");
    document.body.append(el);
    const state = { ...withApp(), status: "completed" };
    const payload = {
      version: 1,
      layout: "single",
      model_id: null,
      title: null,
      runs: [{ title: null, prompt: null, state }],
    };
    const undo = renderSaved(el, /** @type {any} */ (payload), undefined, trusted);
    cleanups.push(undo, () => el.remove());
    return el;
  }

  test("untrusted: a line naming the app and its tool, never the app's code", async () => {
    const panel = /** @type {HTMLDetailsElement} */ (q(saved(false), ".nba-tool"));
    // The panel's own toggle listener (the app chunk's, added first) has run by then.
    const toggled = new Promise((r) => panel.addEventListener("toggle", r, { once: true }));
    q(panel, "summary").click();
    await toggled;
    expect(panel.open).toBe(true);
    expect(q(panel, ".nba-app-uri").textContent).toBe(URI);
    expect(q(panel, ".nba-app-note").textContent).toBe(
      `MCP app ${URI} of get_weather: it runs in a trusted notebook`,
    );
    expect(panel.querySelector("iframe")).toBeNull();
    expect(panel.innerHTML).not.toContain("globalThis.early");
  });

  test("trusted: the app as it was, sandboxed as live, its requests answered no kernel", async () => {
    const frame = await opened(saved(true));
    expect(frame.getAttribute("sandbox")).toBe("allow-scripts");
    expect(
      frame.srcdoc.startsWith(`<!DOCTYPE html><meta http-equiv="Content-Security-Policy"`),
    ).toBe(true);
    const { got, send } = wire(frame);
    send(init);
    expect(got[0].result.protocolVersion).toBe(PROTOCOL);
    send({ jsonrpc: "2.0", method: "ui/notifications/initialized" });
    expect(got.slice(1).map((m) => m.method)).toEqual([
      "ui/notifications/tool-input",
      "ui/notifications/tool-result",
    ]);
    expect(got[1].params).toEqual({ arguments: { values: [1, 2] } });
    expect(got[2].params).toEqual(RESULT);
    for (const [id, method] of [
      ["c", "tools/call"],
      ["r", "resources/read"],
      ["l", "ui/open-link"],
    ])
      send({ jsonrpc: "2.0", id, method, params: {} });
    expect(got.slice(3)).toEqual(
      ["c", "r", "l"].map((id) => ({
        jsonrpc: "2.0",
        id,
        error: { code: -32000, message: "no kernel" },
      })),
    );
  });
});

describe("the host's checks of a frame's messages", () => {
  test("a rate bound: MAX_PER_SECOND a second, then the next second's", () => {
    const gate = rateGate();
    const seen = Array.from({ length: MAX_PER_SECOND + 5 }, (_, i) => checkMessage(init, gate, i));
    expect(seen.filter((m) => typeof m !== "string")).toHaveLength(MAX_PER_SECOND);
    expect(seen.at(-1)).toBe("rate");
    expect(checkMessage(init, gate, 1000)).toBe(init);
  });

  test("a size bound, then the JSON-RPC 2.0 shape", () => {
    const gate = () => true;
    const huge = { ...init, params: { text: "x".repeat(MAX_MESSAGE_CHARS) } };
    expect(checkMessage(huge, gate, 0)).toBe("size");
    const cyclic = /** @type {any} */ ({ jsonrpc: "2.0", method: "m" });
    cyclic.params = cyclic;
    expect(checkMessage(cyclic, gate, 0)).toBe("not JSON");
    expect(checkMessage(123, gate, 0)).toBe("not JSON-RPC");
    expect(checkMessage({ jsonrpc: "2.0", id: 1, result: {} }, gate, 0)).toMatch(/^no method/);
    expect(checkMessage({ jsonrpc: "2.0", method: "m".repeat(129) }, gate, 0)).toMatch(
      /^no method/,
    );
    expect(checkMessage({ ...init, id: { a: 1 } }, gate, 0)).toBe("bad id");
    expect(checkMessage({ ...init, id: Number.NaN }, gate, 0)).toBe("bad id");
    expect(checkMessage({ ...init, params: "x" }, gate, 0)).toBe("bad params");
    const note = { jsonrpc: "2.0", method: "ui/notifications/size-changed", params: { height: 9 } };
    expect(checkMessage(note, gate, 0)).toBe(note);
  });

  test("answers ping and initialize; any other request is method-not-found", () => {
    const ctx = () => ({ theme: "dark" });
    // The reply but its `jsonrpc` (added as the frame posts it: the tests above see it).
    expect(answer({ jsonrpc: "2.0", id: 2, method: "ping" }, ctx)).toEqual({ id: 2, result: {} });
    expect(
      answer({ jsonrpc: "2.0", id: 3, method: "ui/initialize" }, ctx).result.hostContext,
    ).toEqual({
      displayMode: "inline",
      availableDisplayModes: ["inline"],
      platform: "web",
      theme: "dark",
    });
    expect(answer({ jsonrpc: "2.0", id: 4, method: "ui/open-link" }, ctx).error).toEqual({
      code: -32601,
      message: "Method not found: ui/open-link",
    });
  });

  test("the CSP is the kernel's when it has the shape the page takes, else none", () => {
    const meta = (/** @type {string} */ c) =>
      `<!doctype html><meta http-equiv="Content-Security-Policy" content="${c}"><p>`;
    const policy =
      "default-src 'none'; script-src 'unsafe-inline' https://*.cdn.com; img-src data: " +
      "https://*.cdn.com; connect-src https://a.com wss://b.com:8443; base-uri https://a.com";
    expect(withCsp("<p>", policy)).toBe(meta(policy));
    for (const bad of [
      `${CSP}; connect-src *`,
      `${CSP}; script-src 'unsafe-eval'`,
      `${CSP}; connect-src https://a.com" onload="x`,
      `${CSP}; connect-src http://a.com`,
      `${CSP}; report-uri https://a.com`,
      "script-src 'unsafe-inline'",
      `${CSP}; connect-src ${"https://a.com ".repeat(10000)}`,
      42,
    ])
      expect(withCsp("<p>", bad)).toBe(meta(CSP));
  });

  test("the CSP goes after the doctype, or makes one", () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="${CSP}">`;
    expect(withCsp("<script>x</script>")).toBe(`<!doctype html>${meta}<script>x</script>`);
    expect(withCsp("  <!doctype html>\n<p>")).toBe(`  <!doctype html>${meta}\n<p>`);
  });
});
