// The widget's styles in a shadow root (marimo's MARIMO-ANYWIDGET): one constructed sheet per
// page, adopted once by each root, and the page's theme carried onto the widget's element.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { pageIsDark, styleShadowRoot } from "../src/base/styles.js";

// jsdom has constructable sheets but no `adoptedStyleSheets`: a plain array property stands in
// for the roots' list here (Chromium's is covered by the marimo browser tests), and goes after
// them (the files of a vitest worker share its window: vitest.config.mjs).
/** @type {object[]} */
const patched = [];
beforeAll(() => {
  for (const proto of [ShadowRoot.prototype, Document.prototype]) {
    if ("adoptedStyleSheets" in proto) continue;
    patched.push(proto);
    Object.defineProperty(proto, "adoptedStyleSheets", {
      configurable: true,
      get() {
        return this.__sheets ?? [];
      },
      set(sheets) {
        this.__sheets = sheets;
      },
    });
  }
});
afterAll(() => {
  for (const proto of patched.splice(0)) Reflect.deleteProperty(proto, "adoptedStyleSheets");
});

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  document.body.className = "";
  for (const a of ["data-theme", "data-jp-theme-light"]) document.body.removeAttribute(a);
});

/** A widget element in a new host's open shadow root, as marimo draws one. */
function shadowed() {
  const host = document.createElement("marimo-anywidget");
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  const el = document.createElement("div");
  root.append(el);
  const styled = new AbortController();
  cleanups.push(() => {
    styled.abort();
    host.remove();
  });
  return { root, el, signal: styled.signal, abort: () => styled.abort() };
}

const CSS = ".nbagent { border: 1px solid red; }";

describe("styles in shadow roots", () => {
  test("each root adopts the page's one sheet once; the document gets none", () => {
    const a = shadowed();
    const b = shadowed();
    for (const w of [a, a, b]) styleShadowRoot(w.el, CSS, "v1", w.signal);
    expect(a.root.adoptedStyleSheets.length).toBe(1);
    expect(b.root.adoptedStyleSheets).toEqual(a.root.adoptedStyleSheets);
    expect(a.root.adoptedStyleSheets[0]).toBe(b.root.adoptedStyleSheets[0]);
    expect(document.adoptedStyleSheets.length).toBe(0);
    expect(document.querySelectorAll("style").length).toBe(0);
  });

  test("a new version is a new sheet", () => {
    const w = shadowed();
    styleShadowRoot(w.el, CSS, "v1", w.signal);
    styleShadowRoot(w.el, `${CSS} .x {}`, "v2", w.signal);
    expect(w.root.adoptedStyleSheets.length).toBe(2);
  });

  test("outside a shadow root: nothing (the loader styled the document)", () => {
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(() => el.remove());
    styleShadowRoot(el, CSS, "v1", new AbortController().signal);
    expect(el.dataset.nbaTheme).toBeUndefined();
  });

  test("the page's theme follows onto the element, until the view goes", async () => {
    const w = shadowed();
    styleShadowRoot(w.el, CSS, "v1", w.signal);
    expect(w.el.dataset.nbaTheme).toBe("light");
    document.body.classList.add("dark", "dark-theme"); // marimo's dark theme
    document.body.dataset.theme = "dark";
    await Promise.resolve(); // MutationObserver callbacks run as a microtask
    expect(w.el.dataset.nbaTheme).toBe("dark");
    w.abort();
    document.body.dataset.theme = "light";
    await Promise.resolve();
    expect(w.el.dataset.nbaTheme).toBe("dark");
  });
});

describe("whether the page is dark", () => {
  test.each([
    [{ jpThemeLight: "false" }, [], true],
    [{ jpThemeLight: "true" }, ["dark"], false],
    [{ theme: "dark" }, [], true],
    [{ theme: "light" }, ["dark"], false],
    [{}, ["dark"], true],
    [{}, [], false], // jsdom's system preference: light
  ])("%o %o: %s", (data, classes, dark) => {
    Object.assign(document.body.dataset, data);
    document.body.classList.add(...classes);
    expect(pageIsDark(document)).toBe(dark);
  });
});
