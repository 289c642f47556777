// The media chunk (nbagent/static/media.js): the pictures and sounds a model made, drawn in the
// answer, loaded with the first run that has one (js/src/base/media.js).

import { mediaView } from "../panels/media.js";

export default { mediaView };
