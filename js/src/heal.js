// "Heal" the live (still streaming) markdown block so that half-written syntax renders as
// it will once complete: close open `**`, `*`, `_`, `~~` and inline backticks, show a
// half-written link `[text](partial` as its text and drop a half-written image.
// Only ever applied to the live block; frozen blocks are rendered from the exact source.

const FENCE = /^ {0,3}(`{3,}|~{3,})/gm;

/** @param {string} src */
function inOpenFence(src) {
  /** @type {string | null} */
  let open = null;
  for (const m of src.matchAll(FENCE)) {
    const f = m[1];
    if (open === null) open = f;
    else if (f[0] === open[0] && f.length >= open.length) open = null;
  }
  return open !== null;
}

/** @param {string} c */
const isWordChar = (c) => /[\p{L}\p{N}]/u.test(c);

/**
 * @param {string} src the live block's source
 * @returns {string}
 */
export function heal(src) {
  if (!src || inOpenFence(src)) return src;
  // A half-written image: drop it (it would only become a link anyway).
  src = src.replace(/!\[[^\]\n]*(?:\]\([^)\n]*)?$/, "");
  // A half-written link target: show the link text.
  src = src.replace(/\[([^\]\n]*)\]\([^)\n]*$/, "$1");

  /** @type {{m: string, at: number}[]} */
  const stack = [];
  /** @param {string} m @param {number} at */
  const toggle = (m, at) => {
    for (let j = stack.length - 1; j >= 0; j--) {
      if (stack[j].m === m) {
        stack.splice(j);
        return;
      }
    }
    stack.push({ m, at });
  };
  const n = src.length;
  let lineStart = true;
  for (let i = 0; i < n; ) {
    const c = src[i];
    if (c === "\n") {
      lineStart = true;
      // A blank line ends every inline span.
      if (src[i + 1] === "\n") stack.length = 0;
      i++;
      continue;
    }
    const top = stack.at(-1);
    if (c === "`") {
      let j = i;
      while (src[j] === "`") j++;
      const run = src.slice(i, j);
      if (top?.m[0] === "`") {
        if (top.m === run) stack.pop();
      } else stack.push({ m: run, at: i });
      i = j;
      lineStart = false;
      continue;
    }
    if (top?.m[0] === "`") {
      i++;
      continue;
    }
    if (c === "\\") {
      i += 2;
      lineStart = false;
      continue;
    }
    if (lineStart && (c === " " || c === "\t" || c === ">")) {
      i++;
      continue;
    }
    if ((c === "*" || c === "_" || c === "~") && src[i + 1] === c) {
      if (
        c === "~" ||
        !(c === "_" && isWordChar(src[i - 1] ?? "") && isWordChar(src[i + 2] ?? ""))
      ) {
        toggle(c + c, i);
      }
      i += 2;
      lineStart = false;
      continue;
    }
    if (c === "*" || c === "_") {
      const bullet = lineStart && (src[i + 1] === " " || src[i + 1] === "\t" || i + 1 === n);
      const intra = c === "_" && isWordChar(src[i - 1] ?? "") && isWordChar(src[i + 1] ?? "");
      if (!bullet && !intra) toggle(c, i);
    }
    lineStart = false;
    i++;
  }
  if (!stack.length) return src;
  // A marker with nothing after it yet: drop it instead of closing an empty span.
  let last = stack.at(-1);
  while (last && src.slice(last.at + last.m.length).trim() === "") {
    src = src.slice(0, last.at);
    stack.pop();
    last = stack.at(-1);
  }
  let close = "";
  for (let j = stack.length - 1; j >= 0; j--) close += stack[j].m;
  // Closing delimiters must follow a non-space character to count.
  return close ? src.replace(/\s+$/, "") + close : src;
}
