// The media chunk (js/src/panels/media.js): a picture or a sound the model made, drawn live in
// the answer where it came; a partial image replaced in place; what the page does not draw (SVG,
// bytes that are not what their type says) its line in words; a part the saved run leaves out
// keeps the picture this view drew, its line under it.
import { afterEach, expect, test } from "vitest";
import { violations } from "../../tests/browser/bare/check.js";
import { mediaChunk } from "../src/base/media.js";
import { OutputParts } from "../src/store/offer.js";
import { runningState } from "./fake-model.js";
import { mountView } from "./mount.js";

// Real images, written by PIL: a 3x2 PNG and a 1x1 GIF.
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGNkYPjPwMDAwMDAxAADABErAQPdiBRnAAAAAElFTkSuQmCC";
const GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
const SVG = btoa('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>');
/** A WAV of 4 silent samples: its header, then the data. */
const WAV = btoa(
  `RIFF${String.fromCharCode(44, 0, 0, 0)}WAVEfmt ${String.fromCharCode(16, 0, 0, 0, 1, 0, 1, 0, 0xc0, 0x5d, 0, 0, 0x80, 0xbb, 0, 0, 2, 0, 16, 0)}data${String.fromCharCode(8, 0, 0, 0)}${"\0".repeat(8)}`,
);

/** @type {(() => void)[]} */
const cleanups = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** @param {Record<string, unknown>} fields */
const media = (fields) => ({ type: "media", id: "ig", mime: "image/png", line: "", ...fields });

test("the chunk is at hand in the tests, as the kernel sends it with the first media block", () => {
  expect(mediaChunk.get()?.mediaView).toBeTypeOf("function");
});

test("a partial image shows at once and its successor replaces it in place", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([{ op: "add", block: { type: "text", id: "t", text: "Drawing:" } }]);
  w.ops([{ op: "add", block: media({ data: PNG, width: 3, height: 2, partial: true }) }]);
  const box = /** @type {HTMLElement} */ (w.el.querySelector(".nba-media"));
  let img = /** @type {HTMLImageElement} */ (box.querySelector("img.nba-media-image"));
  expect(img.getAttribute("src")).toBe(`data:image/png;base64,${PNG}`);
  expect([img.width, img.height, img.alt]).toEqual([3, 2, "image from the model"]);
  expect(box.classList.contains("nba-media-partial")).toBe(true);
  w.ops([{ op: "set", i: 1, set: { mime: "image/gif", data: GIF, partial: false, alt: "a dot" } }]);
  img = /** @type {HTMLImageElement} */ (box.querySelector("img.nba-media-image"));
  expect(box.querySelectorAll("img")).toHaveLength(1);
  expect(img.getAttribute("src")).toBe(`data:image/gif;base64,${GIF}`);
  expect([img.alt, img.title]).toEqual(["a dot", "a dot"]);
  expect(box.classList.contains("nba-media-partial")).toBe(false);
  expect(box.querySelector(".nba-media-line")).toBeNull();
  expect(violations(w.el)).toEqual([]); // nbagent's own picture, checked as the page's rule says
});

test("a part over the saved bound shows on, its line under it; the saved output has the line", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([{ op: "add", block: media({ data: PNG }) }]);
  w.ops([{ op: "set", i: 0, set: { saved: false, line: "image/png, 2.3 MB, not saved" } }]);
  const box = /** @type {HTMLElement} */ (w.el.querySelector(".nba-media"));
  expect(box.querySelector("img")?.getAttribute("src")).toBe(`data:image/png;base64,${PNG}`);
  expect(box.querySelector(".nba-media-line")?.textContent).toBe("image/png, 2.3 MB, not saved");
  // What the page hands its frontend to save (offer.js): the line, not the data.
  const parts = new OutputParts();
  const head = { version: 1, layout: "single", model_id: null, title: null, html: "", text: "" };
  const answer = { head, parts: [[0, 1, { title: null, prompt: null, html: "", text: "" }]] };
  const state = /** @type {any} */ (w.view.store.state);
  const data = /** @type {any} */ (parts.take(answer, [state]));
  const [saved] = data["application/vnd.nbagent.transcript+json"].runs[0].state.blocks;
  expect([saved.data, saved.line]).toEqual(["", "image/png, 2.3 MB, not saved"]);
  expect(state.blocks[0].data).toBe(PNG); // the page's own state keeps it
});

test("a saved part over the bound is its line only; a sound is a player", () => {
  const w = mountView(cleanups, {});
  w.snapshot({
    ...runningState(),
    status: "completed",
    blocks: [
      media({ id: "a", data: "", line: "image/png, 2.3 MB, not saved" }),
      media({ id: "b", mime: "audio/wav", data: WAV }),
    ],
  });
  const [big, sound] = w.el.querySelectorAll(".nba-media");
  expect(big.querySelector("img")).toBeNull();
  expect(big.textContent).toBe("image/png, 2.3 MB, not saved");
  const audio = /** @type {HTMLAudioElement} */ (sound.querySelector("audio.nba-media-audio"));
  expect(violations(w.el)).toEqual([]);
  expect([audio.controls, audio.getAttribute("src")]).toEqual([
    true,
    `data:audio/wav;base64,${WAV}`,
  ]);
});

test("what the page does not draw is never an element: SVG, bytes not of their type", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([
    { op: "add", block: media({ id: "a", mime: "image/svg+xml", data: SVG }) },
    { op: "add", block: media({ id: "b", mime: "image/png", data: SVG }) },
    { op: "add", block: media({ id: "c", mime: "image/png", data: `${PNG}"onerror="x` }) },
    { op: "add", block: media({ id: "d", mime: "audio/wav", data: PNG }) },
    { op: "add", block: media({ id: "e", data: "", line: "image/svg+xml, 59 B, not shown" }) },
  ]);
  expect(w.el.querySelectorAll("img, audio, svg")).toHaveLength(0);
  expect(violations(w.el)).toEqual([]);
  const lines = [...w.el.querySelectorAll(".nba-media-line")].map((e) => e.textContent);
  expect(lines).toEqual([
    "image/svg+xml, not shown",
    "image/png, not shown",
    "image/png, not shown",
    "audio/wav, not shown",
    "image/svg+xml, 59 B, not shown",
  ]);
  for (const el of w.el.querySelectorAll(".nba-media *"))
    expect([...el.attributes].filter((a) => a.name.startsWith("on"))).toEqual([]);
});

test("words that stand for a picture are text, never markup", () => {
  const w = mountView(cleanups, {});
  w.snapshot(runningState());
  w.ops([
    { op: "add", block: media({ data: PNG, alt: '<img src=x onerror="window.__pwned=1">' }) },
  ]);
  expect(w.el.querySelectorAll("img")).toHaveLength(1);
  expect(w.el.querySelector("img")?.alt).toBe('<img src=x onerror="window.__pwned=1">');
});
