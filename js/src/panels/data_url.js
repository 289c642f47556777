// The only way a picture or a sound reaches the page as an element: a `data:` URL nbagent makes
// from base64 whose first bytes are what its type says, the type one of an allow-list (never
// SVG: a document that can run script and load URLs). A tool's data (data.js) and a model's
// pictures and sounds (media.js) are drawn through it.

// Each type's first bytes as Latin-1 text (atob's), tested on the first 12: the images and the
// sound containers of nbagent/core/data (images.py, audio.py, media.py).
export const IMAGES = {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the magic number holds them
  "image/png": /^\x89PNG\r\n\x1a\n/,
  "image/jpeg": /^\xff\xd8\xff/,
  "image/webp": /^RIFF.{4}WEBP/s,
};
export const SOUNDS = {
  "audio/wav": /^RIFF.{4}WAVE/s,
  "audio/mpeg": /^(ID3|\xff[\xe2-\xe7\xea-\xef\xf2-\xf7\xfa-\xff])/,
  "audio/ogg": /^OggS/,
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the magic number holds them
  "audio/webm": /^\x1aE\xdf\xa3/,
  "audio/flac": /^fLaC/,
  "audio/aac": /^(ID3|\xff[\xf0\xf1\xf8\xf9])/,
  "audio/mp4": /^.{4}ftyp/s,
};
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A `data:` URL for base64 data whose bytes are what `mime` says, `mime` one of `magic`'s
 * types, within `maxChars` characters of base64; null otherwise.
 * @param {string} mime
 * @param {unknown} b64
 * @param {Record<string, RegExp>} magic
 * @param {number} maxChars
 */
export function dataUrl(mime, b64, magic, maxChars) {
  const first = Object.hasOwn(magic, mime) && magic[mime];
  if (!first || typeof b64 !== "string" || b64.length > maxChars || b64.length % 4) return null;
  if (!BASE64.test(b64)) return null;
  try {
    return first.test(atob(b64.slice(0, 16))) ? `data:${mime};base64,${b64}` : null;
  } catch {
    return null;
  }
}
