// The widget's styles wherever the host draws it. In the page's document they are one
// `<style data-nbagent>` in its head (js/src/base/loader.js). A host that isolates widgets in a
// shadow root (marimo's MARIMO-ANYWIDGET) keeps that out: each such root adopts one
// constructed sheet (every browser of this decade has them), shared by every shadow root of
// the page. Theme selectors cannot see the
// page's body from inside a shadow root, so the widget's element there carries the page's
// theme itself (`data-nba-theme`), followed as the page switches.

const SHEETS = Symbol.for("nbagent.sheets");

/**
 * Give `el`'s shadow root (if it is in one, now or once connected) the widget's styles and the
 * page's theme until `signal` aborts. Outside a shadow root: nothing (the loader's style is
 * in the document).
 * @param {HTMLElement} el
 * @param {string} css
 * @param {string} version
 * @param {AbortSignal} signal
 */
export function styleShadowRoot(el, css, version, signal) {
  let frames = 0;
  const attach = () => {
    if (signal.aborted) return;
    const root = el.getRootNode();
    if (root instanceof ShadowRoot) {
      adopt(root, css, version);
      followTheme(el, signal);
    } else if (!el.isConnected && frames++ < 600) requestAnimationFrame(attach);
  };
  attach();
}

/** @param {ShadowRoot} root @param {string} css @param {string} version */
function adopt(root, css, version) {
  const doc = /** @type {any} */ (root.ownerDocument);
  /** @type {Map<string, CSSStyleSheet>} */
  const sheets = doc[SHEETS] ?? new Map();
  doc[SHEETS] = sheets;
  let sheet = sheets.get(version);
  if (!sheet) {
    sheet = /** @type {CSSStyleSheet} */ (new doc.defaultView.CSSStyleSheet());
    sheet.replaceSync(css);
    sheets.set(version, sheet);
  }
  if (!root.adoptedStyleSheets.includes(sheet))
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/**
 * Whether the page around a shadow root is dark: JupyterLab's theme flag, marimo's body
 * `data-theme` (or its `dark` class), else the system's preference.
 * @param {Document} doc
 */
export function pageIsDark(doc) {
  const body = doc.body;
  const lab = body?.dataset.jpThemeLight;
  if (lab) return lab === "false";
  const theme = body?.dataset.theme ?? doc.documentElement.dataset.theme;
  if (theme === "dark" || theme === "light") return theme === "dark";
  if (body?.classList.contains("dark")) return true;
  return doc.defaultView?.matchMedia?.("(prefers-color-scheme: dark)").matches === true;
}

/** @param {HTMLElement} el @param {AbortSignal} signal */
function followTheme(el, signal) {
  const doc = el.ownerDocument;
  const set = () => {
    el.dataset.nbaTheme = pageIsDark(doc) ? "dark" : "light";
  };
  set();
  const observer = new MutationObserver(set);
  const watched = {
    attributes: true,
    attributeFilter: ["class", "data-theme", "data-jp-theme-light"],
  };
  observer.observe(doc.documentElement, watched);
  if (doc.body) observer.observe(doc.body, watched);
  const media = doc.defaultView?.matchMedia?.("(prefers-color-scheme: dark)");
  media?.addEventListener?.("change", set, { signal });
  signal.addEventListener("abort", () => observer.disconnect());
}
