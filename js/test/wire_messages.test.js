// The comm messages' @typedefs (src/base/wire.js) and TypedDicts (nbagent/widget/messages.py
// and page_messages.py) name the same messages with the same fields: a message added, dropped
// or given a field on one side only fails here.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const HERE = dirname(fileURLToPath(import.meta.url));
// The kernel's messages and both lists; the page's messages in a module of their own.
const PY = ["messages.py", "page_messages.py"]
  .map((name) => readFileSync(join(HERE, "../../nbagent/widget", name), "utf8"))
  .join("\n");
const JS = readFileSync(join(HERE, "../src/base/wire.js"), "utf8");

/** The names of a Python tuple of classes: `NAME: tuple[type, ...] = (A, B, ...)`. */
function listed(name) {
  const m = PY.match(new RegExp(`^${name}: tuple\\[type, \\.\\.\\.\\] = \\(([^)]*)\\)`, "m"));
  if (!m) throw new Error(`no ${name} in messages.py`);
  return m[1]
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Each class's fields, with its bases' (`class X(Base, total=False):`). */
function pythonFields() {
  /** @type {Map<string, {bases: string[], fields: string[]}>} */
  const classes = new Map();
  for (const block of PY.split(/^(?=class )/m).slice(1)) {
    const head = block.match(/^class (\w+)\(([^)]*)\):/);
    if (!head) continue;
    const bases = head[2].split(",").map((s) => s.trim());
    const fields = [...block.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]);
    classes.set(head[1], { bases, fields });
  }
  /** @param {string} name @returns {string[]} */
  const all = (name) => {
    const c = classes.get(name);
    if (!c) return [];
    return [...c.bases.flatMap(all), ...c.fields];
  };
  return all;
}

/** Each object @typedef of wire.js: its name and its top-level field names. */
function jsTypedefs() {
  const text = JS.replace(/^\s*\*\s?/gm, " ").replace(/\/\*\*|\*\//g, " ");
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const m of text.matchAll(/@typedef\s+\{\{([\s\S]*?)\}\}\s+(\w+)/g)) {
    out.set(
      m[2],
      [...m[1].matchAll(/(?:^|[{,]\s*)(\w+)\??:/g)].map((f) => f[1]),
    );
  }
  return out;
}

describe("comm messages, typed on both sides", () => {
  const names = [...listed("KERNEL_MESSAGES"), ...listed("PAGE_MESSAGES")];
  const fieldsOf = pythonFields();
  const typedefs = jsTypedefs();

  it("lists the messages on both sides", () => {
    expect(names.length).toBeGreaterThan(20);
    expect([...typedefs.keys()].sort()).toEqual([...names].sort());
  });

  it.each(names)("%s has the same fields on both sides", (name) => {
    expect([...(typedefs.get(name) ?? [])].sort()).toEqual([...fieldsOf(name)].sort());
  });
});
