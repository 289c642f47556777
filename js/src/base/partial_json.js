// A JSON text cut short (a tool call's arguments as they stream) read as the value it stands
// for so far: what came whole kept, an open string value closed, an unfinished key, number or
// literal dropped, the open objects and arrays closed. One pass over the text, then JSON.parse:
// linear in the text, whatever it holds.

/** @param {string[]} open the open containers' first characters, outermost first */
const closers = (open) =>
  open
    .map((c) => (c === "{" ? "}" : "]"))
    .reverse()
    .join("");

/**
 * @param {string} text
 * @returns {unknown} the value so far; undefined when nothing whole came or the text is no JSON
 */
export function partialJson(text) {
  /** @type {string[]} */
  const open = [];
  // The text kept when the end is cut back: up to `cut`, then `cutDepth` containers closed.
  let cut = 0;
  let cutDepth = 0;
  let inString = false;
  let isKey = false;
  let expectKey = false;
  let escaped = false;
  let escapeAt = 0;
  let scalar = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") {
        escaped = true;
        escapeAt = i;
      } else if (c === '"') {
        inString = false;
        if (!isKey) [cut, cutDepth] = [i + 1, open.length];
      }
      continue;
    }
    const delimiter = c === "," || c === "}" || c === "]" || c === ":" || c.trim() === "";
    if (scalar && delimiter) {
      scalar = false;
      [cut, cutDepth] = [i, open.length];
    }
    if (c === '"') {
      inString = true;
      isKey = expectKey && open.at(-1) === "{";
      expectKey = false;
    } else if (c === "{" || c === "[") {
      open.push(c);
      expectKey = c === "{";
      [cut, cutDepth] = [i + 1, open.length];
    } else if (c === "}" || c === "]") {
      open.pop();
      expectKey = false;
      [cut, cutDepth] = [i + 1, open.length];
    } else if (c === ",") expectKey = open.at(-1) === "{";
    else if (c === ":") expectKey = false;
    else if (!delimiter) scalar = true;
  }
  /** @param {string} s */
  const parsed = (s) => {
    try {
      return { value: JSON.parse(s) };
    } catch {
      return null;
    }
  };
  // An open string value closed where it stops (before an escape cut short), or a number or
  // literal as it stands (`12` is whole, `tr` is not), else what came whole.
  const end =
    inString && !isKey
      ? parsed(`${text.slice(0, escaped ? escapeAt : text.length)}"${closers(open)}`)
      : scalar
        ? parsed(text + closers(open))
        : null;
  return (end ?? parsed(text.slice(0, cut) + closers(open.slice(0, cutDepth))))?.value;
}
