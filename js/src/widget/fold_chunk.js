// The fold chunk (nbagent/static/fold.js): a very long run's middle folded, loaded with a run's
// first top-level block past FOLD_OVER (js/src/base/fold.js).

import { blockFold } from "../panels/fold.js";

export default { blockFold };
