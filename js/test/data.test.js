import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { renderMarkdown } from "../src/markdown/markdown.js";
import { tableText } from "../src/markdown/table_text.js";
import { imageUrl, renderDisplay, TABLE_MIME } from "../src/panels/data.js";
import { ToolPanel } from "../src/panels/panels.js";
import { Store } from "../src/store/store.js";

// Real images of 3x2 pixels, written by PIL.
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGNkYPjPwMDAwMDAxAADABErAQPdiBRnAAAAAElFTkSuQmCC";
const WEBP =
  "UklGRjoAAABXRUJQVlA4IC4AAACQAQCdASoDAAIAAUAmJaACdLoAA5gA/vtV4/+lwf/S4P/pcH/pcH8bss4bpAAA";
const JPEG_START = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsL";
const SVG = btoa('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>');

/** A DataFrame's table, as nbagent/core/data/tables.py writes it. */
const TABLE = {
  kind: "DataFrame",
  shape: [1000, 2],
  columns: [
    { name: "city", dtype: "object" },
    { name: "temp", dtype: "float64" },
  ],
  index: null,
  head: [
    ["Paris", "21.5"],
    ["Oslo|N", "9"],
  ],
  tail: [["Lima", "18.25"]],
  omitted_rows: 997,
  omitted_columns: 0,
};

/** @param {unknown} display */
function shown(display) {
  const el = document.createElement("div");
  const view = renderDisplay(display);
  if (view) el.append(view);
  return el;
}

describe("tables", () => {
  test("column names, dtypes, shape and the omitted rows between head and tail", () => {
    const el = shown([{ data: { [TABLE_MIME]: TABLE, "text/plain": "df" } }]);
    expect([...el.querySelectorAll(".nba-data-col")].map((e) => e.textContent)).toEqual([
      "city",
      "temp",
    ]);
    expect([...el.querySelectorAll(".nba-data-dtype")].map((e) => e.textContent)).toEqual([
      "object",
      "float64",
    ]);
    expect(el.querySelector(".nba-data-caption")?.textContent).toBe(
      "DataFrame · 1,000 rows × 2 columns",
    );
    const rows = [...el.querySelectorAll("tbody tr")].map((r) => r.textContent);
    expect(rows).toEqual(["Paris21.5", "Oslo|N9", "… 997 rows …", "Lima18.25"]);
    expect(el.querySelector(".nba-table-scroll table")).not.toBeNull();
    expect(violations(el)).toEqual([]);
  });

  test("an index column, and copies as TSV and markdown", () => {
    const t = { ...TABLE, index: { name: "day" }, head_index: ["mon", "tue"], tail_index: ["sun"] };
    const table = /** @type {HTMLTableElement} */ (
      shown([{ data: { [TABLE_MIME]: t } }]).querySelector("table")
    );
    expect(tableText(table, "tsv")).toBe(
      "day\tcity\ttemp\nmon\tParis\t21.5\ntue\tOslo|N\t9\nsun\tLima\t18.25",
    );
    expect(tableText(table, "md").split("\n")).toEqual([
      "| day | city | temp |",
      "|---|---|---|",
      "| mon | Paris | 21.5 |",
      "| tue | Oslo\\|N | 9 |",
      "| … 997 rows … | … | … |",
      "| sun | Lima | 18.25 |",
    ]);
  });

  test("answer tables get the same copy buttons (markdown.js decorate)", () => {
    const md = renderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n");
    const box = md.querySelector(".nba-table");
    expect(box?.querySelectorAll("button.nba-copy-table").length).toBe(2);
    const table = /** @type {HTMLTableElement} */ (box?.querySelector("table"));
    expect(tableText(table, "tsv")).toBe("a\tb\n1\t2");
    expect(violations(md)).toEqual([]);
  });

  test("a malformed table is not drawn: its text form is", () => {
    const bad = { ...TABLE, head: [[{ toString: () => "<img src=x onerror=1>" }]] };
    const el = shown([{ data: { [TABLE_MIME]: bad, "text/plain": "fallback" } }]);
    expect(el.querySelector("table")).toBeNull();
    expect(el.textContent).toBe("fallback");
  });
});

describe("images", () => {
  test("PNG, JPEG and WebP become an <img> nbagent builds, with its size", () => {
    for (const [mime, b64] of [
      ["image/png", PNG],
      ["image/webp", WEBP],
      ["image/jpeg", `${JPEG_START}AAAA`],
    ]) {
      const el = shown([
        {
          data: { [mime]: b64, "text/plain": "fig" },
          metadata: { [mime]: { width: 3, height: 2 } },
        },
      ]);
      const img = /** @type {HTMLImageElement} */ (el.querySelector("img"));
      expect(img.className).toBe("nba-data-image");
      expect(img.getAttribute("src")).toBe(`data:${mime};base64,${b64}`);
      expect([img.width, img.height, img.alt]).toEqual([3, 2, "fig"]);
      expect(violations(el)).toEqual([]);
    }
  });

  test("SVG, a wrong magic number, a mislabelled type or bad base64 show no image", () => {
    expect(imageUrl("image/svg+xml", SVG)).toBeNull();
    expect(imageUrl("image/png", SVG)).toBeNull(); // SVG bytes labelled PNG
    expect(imageUrl("image/png", `AAAA${PNG.slice(4)}`)).toBeNull(); // PNG with its magic broken
    expect(imageUrl("image/jpeg", PNG)).toBeNull();
    expect(imageUrl("image/png", `${PNG}"onerror="x`)).toBeNull();
    expect(imageUrl("image/png", "x".repeat(2_000_000))).toBeNull();
    expect(imageUrl("constructor", PNG)).toBeNull(); // no type from the allow-list's prototype
    expect(imageUrl("__proto__", PNG)).toBeNull();
    const el = shown([{ data: { "image/svg+xml": SVG, "image/png": SVG, "text/plain": "no" } }]);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toBe("no");
  });

  test("the img rule of check.js: only nbagent's data images pass", () => {
    const root = document.createElement("div");
    const mk = (/** @type {string} */ cls, /** @type {string} */ src) => {
      const img = document.createElement("img");
      img.className = cls;
      img.setAttribute("src", src);
      root.replaceChildren(img);
      return violations(root);
    };
    expect(mk("nba-data-image", `data:image/png;base64,${PNG}`)).toEqual([]);
    expect(mk("", `data:image/png;base64,${PNG}`).length).toBeGreaterThan(0);
    expect(mk("nba-data-image", "https://beacon.test/p.png").length).toBeGreaterThan(0);
    expect(mk("nba-data-image", `data:image/svg+xml;base64,${SVG}`).length).toBeGreaterThan(0);
    expect(mk("nba-data-image", `data:image/png;base64,${SVG}`).length).toBeGreaterThan(0);
  });
});

// A real WAV (8 samples of silence, 16-bit mono at 8 kHz), written by Python's wave module.
const WAV = "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";
const b64 = (/** @type {string} */ latin1) => btoa(latin1);

describe("audio", () => {
  test("a WAV bundle becomes a player nbagent builds, its line under it", () => {
    const el = shown([{ data: { "audio/wav": WAV, "text/plain": "[audio audio/wav, 60 bytes]" } }]);
    const audio = /** @type {HTMLAudioElement} */ (el.querySelector("audio"));
    expect(audio.className).toBe("nba-data-audio");
    expect(audio.getAttribute("src")).toBe(`data:audio/wav;base64,${WAV}`);
    expect([audio.controls, audio.preload, audio.autoplay]).toEqual([true, "metadata", false]);
    expect(audio.nextElementSibling?.textContent).toBe("[audio audio/wav, 60 bytes]");
    expect(el.querySelectorAll("*")).toHaveLength(4); // box, figure, player, caption
    expect(violations(el)).toEqual([]);
  });

  test("each allowed container by its first bytes", () => {
    for (const [mime, head] of [
      ["audio/mpeg", "ID3\x04\0\0\0\0\0\0\0\0"],
      ["audio/mpeg", "\xff\xfb\x90\x64\0\0\0\0\0"],
      ["audio/ogg", "OggS\0\x02\0\0\0\0\0\0"],
      ["audio/webm", "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"],
      ["audio/flac", "fLaC\0\0\0\x22\0"],
      ["audio/aac", "\xff\xf1\x50\x80\x02\x1f\xfc\0\0"],
      ["audio/mp4", "\0\0\0\x20ftypM4A \0\0\0\0"],
    ]) {
      const el = shown([{ data: { [mime]: b64(head), "text/plain": mime } }]);
      expect(el.querySelector("audio")?.getAttribute("src"), mime).toBe(
        `data:${mime};base64,${b64(head)}`,
      );
      expect(violations(el), mime).toEqual([]);
    }
  });

  test("hostile sound bundles show their text only, never a player nor anything else", () => {
    const script = "<script>window.__pwned=1</script>";
    for (const data of [
      { 'audio/wav"><script>window.__pwned=1</script>': WAV }, // a type off the list
      { "audio/x-wav": WAV }, // Python sends the canonical type only
      { "audio/svg+xml": b64("<svg onload=window.__pwned=1>") },
      JSON.parse(`{"__proto__": "${WAV}", "constructor": "${WAV}"}`),
      { "audio/wav": "javascript:window.__pwned=1" },
      { "audio/wav": `${WAV}"><script>window.__pwned=1</script>` }, // not base64
      { "audio/wav": `${WAV.slice(0, -4)}\nAAA=` },
      { "audio/wav": "https://beacon.test/a.wav" },
      { "audio/wav": `data:audio/wav;base64,${WAV}` },
      { "audio/wav": b64(script) }, // text claiming to be audio
      { "audio/ogg": WAV }, // a WAV labelled Ogg
      { "audio/aac": b64("\xff\xfb\x90\x64\0\0\0\0\0") }, // an MP3 frame is no ADTS
      { "audio/wav": `UklGRiQAAABXQVZF${"A".repeat(1_400_000)}` }, // over the size cap
      { "audio/wav": 5 },
    ]) {
      const what = JSON.stringify(data).slice(0, 80);
      const el = shown([{ data: { ...data, "text/plain": "said" } }]);
      expect(el.querySelector("audio"), what).toBeNull();
      expect(el.querySelectorAll("*"), what).toHaveLength(2); // the box and the text's <pre>
      expect(el.textContent, what).toBe("said");
    }
  });

  test("the audio rule of check.js: only nbagent's data audio passes", () => {
    const root = document.createElement("div");
    const mk = (/** @type {string} */ cls, /** @type {string} */ src, child = false) => {
      const audio = document.createElement("audio");
      audio.className = cls;
      audio.setAttribute("src", src);
      if (child) audio.append(document.createElement("source"));
      root.replaceChildren(audio);
      return violations(root);
    };
    expect(mk("nba-data-audio", `data:audio/wav;base64,${WAV}`)).toEqual([]);
    expect(mk("", `data:audio/wav;base64,${WAV}`).length).toBeGreaterThan(0);
    expect(mk("nba-data-audio", `data:audio/wav;base64,${WAV}`, true).length).toBeGreaterThan(0);
    expect(mk("nba-data-audio", "https://beacon.test/a.wav").length).toBeGreaterThan(0);
    expect(mk("nba-data-audio", `data:audio/ogg;base64,${WAV}`).length).toBeGreaterThan(0);
    expect(mk("nba-data-audio", `data:audio/wav;base64,${b64("<b>")}`).length).toBeGreaterThan(0);
  });
});

const HERE = dirname(fileURLToPath(import.meta.url));
/** Display bundles a tool (or a saved notebook) may hand the panel: hostile in every mimetype. */
const HOSTILE_BUNDLES = JSON.parse(
  readFileSync(join(HERE, "../../tests/fixtures/hostile_bundles.json"), "utf8"),
);

describe("hostile display bundles", () => {
  test("a bundle never breaks the panel nor runs anything", () => {
    expect(HOSTILE_BUNDLES.length).toBeGreaterThanOrEqual(40);
    for (const bundle of HOSTILE_BUNDLES) {
      const what = JSON.stringify(bundle)?.slice(0, 80);
      const el = shown([bundle]);
      expect(violations(el), what).toEqual([]);
      expect(
        el.querySelector("script, style, iframe, object, frame, form, svg, math"),
        what,
      ).toBeNull();
    }
    const all = shown(HOSTILE_BUNDLES); // all at once, as one tool's display
    expect(violations(all)).toEqual([]);
    expect(/** @type {any} */ (globalThis).__pwned).toBeUndefined();
  });
});

describe("markdown, HTML tables and text", () => {
  const HOSTILE_HTML = [
    "<table><tr><td><script>window.__pwned=1</script>a</td></tr></table>",
    '<table><tr><td><img src=x onerror="window.__pwned=1">b</td></tr></table>',
    '<table style="background:url(https://beacon.test/c)"><tr><td style="x">c</td></tr></table><style>@import url(https://beacon.test/i.css);</style>',
    '<table><tr><td><button data-commandlinker-command="notebook:run-all-cells">Continue</button></td></tr></table>',
    '<table><tr><td><a href="javascript:window.__pwned=1">d</a><a href="https://ok.test" onclick="x">e</a></td></tr></table>',
    '<svg><table><tr><td>f</td></tr></table></svg><math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
    // No body survives: DOMPurify returns null for these (the view once threw on it).
    "<frameset><frame src=javascript:window.__pwned=1>",
    "<html><frameset onload=window.__pwned=1></frameset></html>",
    "<table><frameset>",
  ];

  test("hostile _repr_html_ tables stay inert", () => {
    for (const html of HOSTILE_HTML) {
      const el = shown([{ data: { "text/html": html, "text/plain": "t" } }]);
      expect(violations(el), html).toEqual([]);
      expect(el.querySelector("script, style, img, svg, math, a[onclick], frame"), html).toBeNull();
      if (!el.querySelector("table")) expect(el.querySelector("pre")?.textContent, html).toBe("t");
    }
  });

  test("a plain HTML table keeps its cells and spans, and gets copy buttons", () => {
    const el = shown([
      {
        data: {
          "text/html":
            '<table><tr><th colspan="2">h</th></tr><tr><td>1</td><td>2</td></tr></table>',
        },
      },
    ]);
    expect(el.querySelector("th")?.getAttribute("colspan")).toBe("2");
    expect(el.querySelectorAll(".nba-copy-table").length).toBe(2);
  });

  test("markdown through the sanitized renderer, text in a pre", () => {
    const md = shown([
      { data: { "text/markdown": "**bold** [x](javascript:alert(1))", "text/plain": "p" } },
    ]);
    expect(md.querySelector(".nba-data-markdown strong")?.textContent).toBe("bold");
    expect(violations(md)).toEqual([]);
    const text = shown([{ data: { "text/plain": "<b>raw</b>" } }]);
    expect(text.querySelector("pre")?.textContent).toBe("<b>raw</b>");
    expect(text.querySelector("b")).toBeNull();
  });

  test("nothing to show: null", () => {
    expect(renderDisplay(null)).toBeNull();
    expect(
      renderDisplay([{ data: { "application/x-unknown": "x" } }, "junk", { data: null }]),
    ).toBeNull();
  });
});

describe("the tool panel", () => {
  /** @param {Record<string, unknown>} over */
  const block = (over) => ({
    type: /** @type {const} */ ("tool"),
    id: "c1",
    name: "sales",
    arguments: "{}",
    args: {},
    state: /** @type {const} */ ("done"),
    result: "DataFrame: 1,000 rows x 2 columns",
    ...over,
  });

  test("shows the data in place of the text form, and the text again without it", () => {
    const panel = new ToolPanel(new Store(), "c1", new AbortController().signal, {
      send: () => {},
      canRerun: () => false,
    });
    panel.update(block({ display: [{ data: { [TABLE_MIME]: TABLE, "text/plain": "df" } }] }));
    expect(panel.data.hidden).toBe(false);
    expect(panel.result.hidden).toBe(true);
    expect(panel.body.querySelectorAll(".nba-data-table tbody tr").length).toBe(4);
    expect(violations(panel.el)).toEqual([]);
    const table = panel.data.querySelector("table");
    panel.update(block({ display: panel.last?.display, duration_s: 1 }));
    expect(panel.data.querySelector("table")).toBe(table); // the same display is not redrawn
    panel.update(
      block({ state: "error", is_error: true, result: "boom", display: panel.last?.display }),
    );
    expect(panel.data.hidden).toBe(true);
    expect(panel.result.textContent).toBe("boom");
    panel.update(block({}));
    expect(panel.data.hidden).toBe(true);
    expect(panel.result.hidden).toBe(false);
    expect(panel.result.textContent).toBe("DataFrame: 1,000 rows x 2 columns");
  });

  test("a re-run's data shows as data too", () => {
    const panel = new ToolPanel(new Store(), "c1", new AbortController().signal, {
      send: () => {},
      canRerun: () => true,
    });
    const display = [{ data: { [TABLE_MIME]: TABLE } }];
    panel.update(block({ reruns: [{ args: {}, state: "done", result: "text form", display }] }));
    const rerun = panel.body.querySelector(".nba-rerun");
    expect(rerun?.querySelectorAll(".nba-data-table tbody tr").length).toBe(4);
    expect(rerun?.querySelector(".nba-result")).toBeNull();
  });
});
