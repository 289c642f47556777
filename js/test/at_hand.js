// The chunks that bind (nbagent/widget/chunks.json) at hand, as in a page once the kernel sent
// them (js/src/widget/at_hand.js), their modules found by vite's glob: imported afresh after
// `vi.resetModules()`, with the widget's modules of the same generation.

/** Use every chunk that binds, and the math syntax, at once. */
export async function useChunksAtHand() {
  const chunkModules = import.meta.glob("../src/widget/*_chunk.js");
  const { useChunksAtHand: use } = await import("../src/widget/at_hand.js");
  /** @type {Record<string, {default: unknown}>} */
  const byFile = {};
  await Promise.all(
    Object.entries(chunkModules).map(async ([path, load]) => {
      byFile[String(path.split("/").pop())] = /** @type {any} */ (await load());
    }),
  );
  use((file) => byFile[file]);
}
