// What an MCP app asks of its host beyond showing, and its call's arguments as they stream (the
// app extras chunk: js/src/widget/app_extras_chunk.js): `tool-input-partial` healed from the
// streaming JSON (js/src/base/partial_json.js), the app's log under its frame (the last lines,
// each cut), its downloads offered for the reader to Save or Dismiss (embedded contents only,
// a few at a time), and a chunk the page asks the kernel for (js/src/base/chunks.js).
import { describe, expect, test, vi } from "vitest";
import { chunkFromCodeModel } from "../src/base/chunks.js";
import { partialJson } from "../src/base/partial_json.js";
import { fileName, MAX_OFFERS } from "../src/panels/app_download.js";
import { MAX_LINE, MAX_LINES } from "../src/panels/app_log.js";
import { init, opened, PATIENCE, wire, withoutResizeObserver } from "./app_frames.js";
import { FakeModel, runningState, toolBlock } from "./fake-model.js";
import { mountView, q, undoneAfterEach } from "./mount.js";

const cleanups = undoneAfterEach();

withoutResizeObserver();

const URI = "ui://chart/app.html";
const meta = { app: { uri: URI, visibility: ["model", "app"] } };
const apps = { [URI]: { html: "<p>app</p>" } };
const initialized = { jsonrpc: "2.0", method: "ui/notifications/initialized" };

/**
 * A ready app's frame under call c1 (`block` over it), what it is posted, and its sender.
 * @param {Record<string, unknown>} [block]
 */
async function readyApp(block = {}) {
  const w = mountView(cleanups);
  w.snapshot(runningState([toolBlock({ meta, ...block })], { apps }));
  // A call whose arguments stream is open at once (busy), its frame made with it.
  const frame =
    block.state === "args"
      ? await vi.waitFor(() => /** @type {HTMLIFrameElement} */ (q(w.el, ".nba-tool iframe")))
      : await opened(w.el);
  const { got, send } = wire(frame);
  send(init);
  expect(got[0].result.hostCapabilities).toEqual({
    serverTools: {},
    logging: {},
    downloadFile: {},
  });
  send(initialized);
  return { w, frame, got, send };
}

describe("partialJson", () => {
  test.each([
    ['{"a":1,"b":[1,2', { a: 1, b: [1, 2] }],
    ['{"q":"hel', { q: "hel" }],
    ['{"q":"a\\', { q: "a" }],
    ['{"q":"a\\n', { q: "a\n" }],
    ['{"a":tr', {}],
    ['{"a":true', { a: true }],
    ['{"a":12', { a: 12 }],
    ['{"a":1.', {}], // a number cut short waits whole
    ['{"a":1,"b', { a: 1 }],
    ['{"a":1,"b":', { a: 1 }],
    ['{"a":1,', { a: 1 }],
    ['{"a":{"b":"x"},"c":[', { a: { b: "x" }, c: [] }],
    ['{"a":"x\\u00', {}],
    ['{"a": [ "x" , {"k": "v"', { a: ["x", { k: "v" }] }],
    ['{"a":1}', { a: 1 }],
    ["{", {}],
  ])("%s reads as far as it came", (text, value) => {
    expect(partialJson(text)).toEqual(value);
  });

  test.each(["", "nope", '{"a": nope}', "}"])("%j is no value", (text) => {
    expect(partialJson(text)).toBeUndefined();
  });

  test("reads a long string and deep nesting in one pass (no error, no freeze)", () => {
    const long = partialJson(`{"a":"${"x".repeat(1_000_000)}`);
    expect(/** @type {any} */ (long).a).toHaveLength(1_000_000);
    expect(partialJson(`{"a":${"[".repeat(10_000)}`)).toBeDefined();
    expect(partialJson('"'.repeat(100_000))).toBeUndefined();
  });
});

describe("an app's streaming input", () => {
  test("is sent as tool-input-partial while it streams, then whole as tool-input", async () => {
    const args = { arguments: '{"values":[1,', args: null, state: "args" };
    const { w, got } = await readyApp(args);
    const partial = (/** @type {unknown} */ a) => ({
      jsonrpc: "2.0",
      method: "ui/notifications/tool-input-partial",
      params: { arguments: a },
    });
    expect(got.slice(1)).toEqual([partial({ values: [1] })]);
    w.ops([{ op: "append", i: 0, key: "arguments", text: " 2" }]);
    await vi.waitFor(() => expect(got.at(-1)).toEqual(partial({ values: [1, 2] })), PATIENCE);
    const n = got.length;
    w.ops([{ op: "append", i: 0, key: "arguments", text: " " }]); // reads the same: not sent
    w.ops([{ op: "set", i: 0, set: { duration_s: 1 } }]);
    expect(got).toHaveLength(n);
    w.ops([{ op: "set", i: 0, set: { args: { values: [1, 2, 3] }, state: "running" } }]);
    await vi.waitFor(
      () =>
        expect(got.at(-1)).toEqual({
          jsonrpc: "2.0",
          method: "ui/notifications/tool-input",
          params: { arguments: { values: [1, 2, 3] } },
        }),
      PATIENCE,
    );
  });
});

describe("an app's log", () => {
  test("shows under its frame: its last lines, each cut, as text", async () => {
    const { w, frame, send } = await readyApp();
    const log = (/** @type {unknown} */ data, level = "info") =>
      send({
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level, logger: "chart", data },
      });
    log("<b>drawn</b>");
    log({ points: 2 }, "debug");
    const pre = await vi.waitFor(() => q(w.el, ".nba-app .nba-output"), PATIENCE);
    expect(frame.nextElementSibling?.textContent).toBe("App log");
    expect(pre.textContent).toBe('info chart: <b>drawn</b>\ndebug chart: {"points":2}');
    expect(pre.querySelector("b")).toBeNull();
    log("x".repeat(5000));
    expect(pre.textContent?.split("\n")[2]).toHaveLength(`info chart: `.length + MAX_LINE);
    // The frame reads at most 50 messages a second: a second later, more lines.
    const now = vi.spyOn(performance, "now");
    for (let i = 0; i < MAX_LINES + 20; i++) {
      now.mockReturnValue(1e9 + i * 100);
      log(`line ${i}`);
    }
    now.mockRestore();
    const lines = pre.textContent?.split("\n") ?? [];
    expect(lines).toHaveLength(MAX_LINES);
    expect(lines.at(-1)).toBe(`info chart: line ${MAX_LINES + 19}`);
  });
});

describe("an app's download", () => {
  const text = (/** @type {string} */ uri, /** @type {string} */ t) => ({
    type: "resource",
    resource: { uri, mimeType: "text/csv", text: t },
  });
  const download = (/** @type {number} */ id, /** @type {unknown[]} */ contents) => ({
    jsonrpc: "2.0",
    id,
    method: "ui/download-file",
    params: { contents },
  });

  test("is offered by name and size; Save saves it, Dismiss tells the app no", async () => {
    const { w, got, send } = await readyApp();
    const saved = /** @type {{name: string, url: string}[]} */ ([]);
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(
      /** @this {HTMLAnchorElement} */ function () {
        saved.push({ name: this.download, url: this.href });
      },
    );
    const url = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:x");
    cleanups.push(() => {
      click.mockRestore();
      url.mockRestore();
    });
    const png = { type: "resource", resource: { uri: "file:///a.png", blob: btoa("\x89PNG") } };
    send(download(5, [text("file:///out/report.csv", "a,b\n1,2"), png]));
    const offer = await vi.waitFor(() => q(w.el, ".nba-app-offer"), PATIENCE);
    expect(offer.textContent).toContain("The app offers report.csv, a.png (11 bytes)");
    const n = got.length;
    q(offer, ".nba-app-save").click();
    expect(saved).toEqual([
      { name: "report.csv", url: "blob:x" },
      { name: "a.png", url: "blob:x" },
    ]);
    expect(/** @type {Blob} */ (url.mock.calls[0][0]).type).toBe("text/csv");
    expect(got.slice(n)).toEqual([{ jsonrpc: "2.0", id: 5, result: {} }]);
    expect(w.el.querySelector(".nba-app-offer")).toBeNull();
    send(download(6, [text("file:///b.csv", "x")]));
    q(w.el, ".nba-app-dismiss").click();
    expect(got.at(-1)).toEqual({ jsonrpc: "2.0", id: 6, result: { isError: true } });
    expect(saved).toHaveLength(2);
  });

  test("of a link, of bad contents or past the offers waiting is refused with why", async () => {
    const { w, got, send } = await readyApp();
    /** @param {number} id @param {unknown[]} contents */
    const refused = async (id, contents, why = "") => {
      send(download(id, contents));
      await vi.waitFor(() => expect(got.at(-1).id).toBe(id), PATIENCE);
      expect(got.at(-1).error.message).toContain(why);
    };
    await refused(
      1,
      [{ type: "resource_link", uri: "https://x.example/a.pdf", name: "a" }],
      "links",
    );
    await refused(2, [{ type: "resource", resource: { uri: "a", blob: "%%%" } }], "base64");
    await refused(3, [], "1 to 16");
    for (let i = 0; i < MAX_OFFERS; i++) send(download(10 + i, [text(`f${i}`, "x")]));
    const offers = [...w.el.querySelectorAll(".nba-app-offer")].map((o) => o.textContent);
    expect(offers).toHaveLength(MAX_OFFERS);
    expect(offers[0]).toContain("f0"); // in the order they came
    expect(offers[MAX_OFFERS - 1]).toContain(`f${MAX_OFFERS - 1}`);
    await refused(20, [text("f", "x")], "too many offers");
  });

  test.each([
    ["file:///tmp/report.csv", "report.csv"],
    ["../../etc/passwd", "passwd"],
    ["file:///x/..", "download"],
    ['a<script>"b.html', "a_script__b.html"],
    ["C:\\Users\\me\\notes.txt", "notes.txt"],
    ["", "download"],
  ])("names %j %j", (uri, name) => {
    expect(fileName(uri)).toBe(name);
  });
});

test("a chunk not sent yet is asked of the kernel, then loaded once it comes", async () => {
  const code = new FakeModel({ version: "v-ask", app_extras: "" });
  const model = new FakeModel({ code: "IPY_MODEL_c" });
  /** @type {any} */ (model).widget_manager = { get_model: async () => code };
  const load = chunkFromCodeModel(model, "app_extras");
  const loaded = load?.();
  await vi.waitFor(() => expect(code.sent).toEqual([{ type: "include", chunk: "app_extras" }]));
  // Once it comes it is imported (from a Blob URL, as in a page: jsdom's Node cannot, so the
  // import's failure says it was tried with the chunk's text).
  code.set("app_extras", "export default {};");
  await expect(loaded).rejects.toThrow(/blob:/);
  expect(code.sent).toHaveLength(1);
});
