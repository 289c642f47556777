// Extract the examples of a CommonMark-style spec.txt into JSON (run by hand when re-pinning):
//   node extract.mjs <spec.txt> <out.json> && npx biome format --write <out.json>
// Format as in commonmark-spec's index.js, plus cmark-gfm's `example <extension>` marker.
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error("usage: node extract.mjs <spec.txt> <out.json>");

const text = readFileSync(input, "utf8")
  .replace(/\r\n?/g, "\n")
  .replace(/^<!-- END TESTS -->(.|[\n])*/m, "");

/** @type {{number: number, section: string, markdown: string, html: string, extension?: string}[]} */
const examples = [];
let section = "";
const re = /^`{32} example( [a-z]+)?\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$|^#{1,6} *(.*)$/gm;
for (const m of text.matchAll(re)) {
  if (m[4] !== undefined) {
    section = m[4];
    continue;
  }
  // The spec shows tabs as "→".
  /** @type {{number: number, section: string, markdown: string, html: string, extension?: string}} */
  const ex = {
    number: examples.length + 1,
    section,
    markdown: m[2].replaceAll("→", "\t"),
    html: m[3].replaceAll("→", "\t"),
  };
  if (m[1]) ex.extension = m[1].trim();
  examples.push(ex);
}
writeFileSync(output, `${JSON.stringify(examples, null, 1)}\n`);
console.log(`${examples.length} examples -> ${output}`);
