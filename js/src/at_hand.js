// Every feature chunk at hand, imported directly rather than from the code model, and the math
// syntax (the math chunk's: KaTeX stays a chunk of its own): the lab extension's saved view
// (js/lab/src/chunks.js, bundled by webpack) and the tests draw with them at once, as the widget
// does once the kernel sent them.

import { acpChunk } from "./acp.js";
import acpParts from "./acp_chunk.js";
import dataParts from "./data_chunk.js";
import { debugChunk } from "./debug.js";
import debugParts from "./debug_chunk.js";
import { dataChunk } from "./display.js";
import highlightParts from "./highlight_chunk.js";
import { highlightChunk } from "./highlight_slot.js";
import lanesParts from "./lanes_chunk.js";
import { lanesChunk } from "./lanes_slot.js";
import { mathSyntax } from "./math.js";
import { newMathSyntax } from "./math_syntax.js";
import { outputChunk } from "./output.js";
import outputParts from "./output_chunk.js";
import { toolsChunk } from "./tools.js";
import toolsParts from "./tools_chunk.js";

export function useChunksAtHand() {
  lanesChunk.use(lanesParts);
  debugChunk.use(debugParts);
  dataChunk.use(dataParts);
  acpChunk.use(acpParts);
  toolsChunk.use(toolsParts);
  highlightChunk.use(highlightParts);
  outputChunk.use(outputParts);
  mathSyntax.use(newMathSyntax());
}
