// Every test file starts as in a page of its own, though the files a vitest worker runs share
// its modules and its jsdom window (vitest.config.mjs: `isolate: false`): the modules afresh
// (the lazy chunks' slots, js/src/base/chunks.js `lazyChunk`, held by module constants such as
// js/src/base/answer.js `answerChunk`, start empty again), no chunk import of a former file
// (the `globalThis.__nbagent*` registries), an empty document without a former file's
// expandos (js/src/base/styles.js keeps a page's sheets on it) and real timers.
// Then the chunks that bind (nbagent/widget/chunks.json) and the math syntax are at hand, as in
// a page once the kernel sent them (js/src/widget/at_hand.js); js/test/chunks_lazy.test.js
// draws without them.
import { vi } from "vitest";

vi.useRealTimers();
vi.resetModules();
for (const key of Object.keys(globalThis)) {
  if (key.startsWith("__nbagent")) Reflect.deleteProperty(globalThis, key);
}
/** The document's own keys before any test file (the first file of a worker notes them). */
const PRISTINE = Symbol.for("nbagent.test.pristineDocument");
const g = /** @type {any} */ (globalThis);
g[PRISTINE] ??= new Set(Reflect.ownKeys(document));
for (const key of Reflect.ownKeys(document)) {
  if (!g[PRISTINE].has(key)) Reflect.deleteProperty(document, key);
}
document.head.replaceChildren();
document.body.replaceChildren();
await (await import("./at_hand.js")).useChunksAtHand();
