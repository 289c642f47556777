// Every chunk that binds (nbagent/widget/chunks.json) at hand, imported directly rather than from
// the code model, and the math syntax (the math chunk's: KaTeX stays a chunk of its own): the lab
// extension's saved view (js/lab/src/chunks.js, bundled by webpack) and the tests draw with them
// at once, as the widget does once the kernel sent them. Each caller finds the chunks' modules
// its own bundler's way (webpack's require.context, vite's import.meta.glob), by file name.

import LIST from "../../../nbagent/widget/chunks.json";
import { heldChunk } from "../base/chunks.js";
import { mathSyntax } from "../markdown/math.js";
import { newMathSyntax } from "../markdown/math_syntax.js";

/**
 * The entries of the chunks that bind, by their module's file name (`tools_chunk.js`).
 * @returns {Map<string, string>} file name to chunk name
 */
export function chunkFiles() {
  return new Map(
    LIST.chunks.filter((c) => c.binds).map((c) => [String(c.entry.split("/").pop()), c.name]),
  );
}

/**
 * Use every chunk that binds at once, from its module.
 * @param {(file: string) => {default: unknown} | undefined} moduleOf a chunk's module by its
 *   file name (`tools_chunk.js`)
 */
export function useChunksAtHand(moduleOf) {
  for (const [file, name] of chunkFiles()) {
    const module = moduleOf(file);
    if (!module) throw new Error(`nbagent: chunk ${name}'s module ${file} is not at hand`);
    heldChunk(name).use(module.default);
  }
  mathSyntax.use(newMathSyntax());
}
