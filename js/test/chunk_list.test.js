// nbagent/widget/chunks.json, the one list of lazy chunks, as the page reads it: the widget holds
// every chunk it takes from the code model (js/src/base/chunks.js `heldChunk`, each by the module
// that uses it), all of the list's but the math chunk (a page's typesetter's:
// js/src/markdown/math.js) and an evaluation's opened case (the evaluation's own widget's); the
// lab extension and the tests have every chunk that binds at hand (js/src/widget/at_hand.js).
import { expect, test } from "vitest";
import LIST from "../../nbagent/widget/chunks.json";
import { heldChunks } from "../src/base/chunks.js";
import { chunkFiles } from "../src/widget/at_hand.js";
import "../src/widget/index.js";

test("the widget holds every chunk of the list it takes from the code model", () => {
  const taken = LIST.chunks.map((c) => c.name).filter((n) => n !== "math" && n !== "case");
  expect([...heldChunks().keys()].sort()).toEqual(taken.sort());
});

test("every chunk that binds is at hand, each from its module", () => {
  const binds = LIST.chunks.filter((c) => c.binds);
  expect([...chunkFiles().values()].sort()).toEqual(binds.map((c) => c.name).sort());
  for (const { name } of binds) expect(heldChunks().get(name)?.get(), name).toBeTruthy();
});
