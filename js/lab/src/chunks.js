// The saved view's lazy parts: KaTeX as a webpack chunk of its own, imported on the first
// formula; the feature chunks (lanes, debug, data) bundled, at hand at once.
import { useChunksAtHand } from "../../src/at_hand.js";
import { provideMath } from "../../src/math.js";

provideMath(() => import("../../src/math_chunk.js").then((m) => m.default));
useChunksAtHand();
