// A picture or a sound the model made (a `media` block: nbagent/transcript/media.py), drawn in
// the answer where it came: an <img> from a `data:` URL of a PNG, JPEG, GIF or WebP whose first
// bytes say so, a player of a sound, made here (data_url.js: never SVG, nothing fetched); else
// the block's line in words (its type, size and why it is not shown). A partial image's
// successor replaces the picture in place; a part the saved run leaves out keeps, in this view,
// the picture it drew while the run went on, its line ("…, not saved") under it.
// Twin: nbagent/transcript/export/media.py

import { h, setText } from "../base/format.js";
import { dataUrl, IMAGES, SOUNDS } from "./data_url.js";

/** The pictures a model made that the page draws (nbagent/core/data/media.py MEDIA_IMAGES). */
const PICTURES = { ...IMAGES, "image/gif": /^GIF8[79]a/ };
/** As nbagent/core/data/limits.py MEDIA_SHOWN_BYTES (16 MB), base64-encoded. */
const MAX_CHARS = Math.ceil(16_000_000 / 3) * 4;

/** @typedef {import("../store/store.js").MediaBlock} MediaBlock */

/**
 * The picture or the player of `url`, sized as the block says (no jump as it loads).
 * @param {string} url a checked data: URL
 * @param {MediaBlock} b
 */
function drawn(url, b) {
  if (url.startsWith("data:audio/")) {
    const audio = h("audio", "nba-media-audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = url;
    return audio;
  }
  const img = h("img", "nba-media-image");
  const { width = 0, height = 0 } = b;
  if (Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) {
    img.width = width;
    img.height = height;
  }
  img.alt = img.title = typeof b.alt === "string" && b.alt ? b.alt : "image from the model";
  img.src = url;
  return img;
}

/**
 * The view of a media block in a run's view (block_view.js).
 * @returns {{el: HTMLElement, update(b: MediaBlock): void}}
 */
export function mediaView() {
  const el = h("div", "nba-media");
  const line = h("div", "nba-media-line");
  /** The data the picture or player shows, and it. */
  let shown = "";
  /** @type {HTMLElement | null} */
  let part = null;
  /** @param {MediaBlock} b */
  const update = (b) => {
    el.classList.toggle("nba-media-partial", b.partial === true);
    const data = typeof b.data === "string" ? b.data : "";
    const mime = String(b.mime ?? "");
    let words = typeof b.line === "string" ? b.line : "";
    if (data && data !== shown) {
      const url =
        dataUrl(mime, data, PICTURES, MAX_CHARS) ?? dataUrl(mime, data, SOUNDS, MAX_CHARS);
      if (url) {
        const next = drawn(url, b);
        if (part) part.replaceWith(next);
        else el.prepend(next);
        part = next;
        shown = data;
      }
    }
    // Data the page cannot draw (a state from anywhere), and no line: what it is, in words.
    if (!words && (!part || data !== shown)) words = `${mime || "media"}, not shown`;
    if (part instanceof HTMLImageElement && typeof b.alt === "string" && b.alt)
      part.alt = part.title = b.alt;
    setText(line, words);
    if (words) el.append(line);
    else line.remove();
  };
  return { el, update };
}
