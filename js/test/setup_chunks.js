// The feature chunks and the math syntax at hand in every test, as in a page once the kernel
// sent them (js/src/widget/at_hand.js); js/test/chunks_lazy.test.js draws without them.
import { useChunksAtHand } from "../src/widget/at_hand.js";

useChunksAtHand();
