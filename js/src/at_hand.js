// Every feature chunk at hand, imported directly rather than from the code model: the lab
// extension's saved view (js/lab/src/chunks.js, bundled by webpack) and the tests draw with
// them at once, as the widget does once the kernel sent them.

import { acpChunk } from "./acp.js";
import acpParts from "./acp_chunk.js";
import dataParts from "./data_chunk.js";
import { debugChunk } from "./debug.js";
import debugParts from "./debug_chunk.js";
import { dataChunk } from "./display.js";
import lanesParts from "./lanes_chunk.js";
import { lanesChunk } from "./lanes_slot.js";

export function useChunksAtHand() {
  lanesChunk.use(lanesParts);
  debugChunk.use(debugParts);
  dataChunk.use(dataParts);
  acpChunk.use(acpParts);
}
