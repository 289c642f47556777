// The feature chunks (lanes, debug, data) at hand in every test, as in a page once the kernel
// sent them (js/src/at_hand.js).
import { useChunksAtHand } from "../src/at_hand.js";

useChunksAtHand();
