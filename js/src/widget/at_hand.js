// Every feature chunk at hand, imported directly rather than from the code model, and the math
// syntax (the math chunk's: KaTeX stays a chunk of its own): the lab extension's saved view
// (js/lab/src/chunks.js, bundled by webpack) and the tests draw with them at once, as the widget
// does once the kernel sent them.

import { acpChunk } from "../base/acp.js";
import { appChunk, appExtrasChunk } from "../base/app.js";
import { debugChunk } from "../base/debug.js";
import { dataChunk } from "../base/display.js";
import { highlightChunk } from "../base/highlight_slot.js";
import { lanesChunk } from "../base/lanes_slot.js";
import { outputChunk } from "../base/output.js";
import { toolsChunk } from "../base/tools.js";
import { mathSyntax } from "../markdown/math.js";
import { newMathSyntax } from "../markdown/math_syntax.js";
import acpParts from "./acp_chunk.js";
import appParts from "./app_chunk.js";
import appExtrasParts from "./app_extras_chunk.js";
import dataParts from "./data_chunk.js";
import debugParts from "./debug_chunk.js";
import highlightParts from "./highlight_chunk.js";
import lanesParts from "./lanes_chunk.js";
import outputParts from "./output_chunk.js";
import toolsParts from "./tools_chunk.js";

export function useChunksAtHand() {
  lanesChunk.use(lanesParts);
  debugChunk.use(debugParts);
  dataChunk.use(dataParts);
  acpChunk.use(acpParts);
  appChunk.use(appParts);
  appExtrasChunk.use(appExtrasParts);
  toolsChunk.use(toolsParts);
  highlightChunk.use(highlightParts);
  outputChunk.use(outputParts);
  mathSyntax.use(newMathSyntax());
}
