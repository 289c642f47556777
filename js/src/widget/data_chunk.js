// The data chunk (nbagent/static/data.js): tool results as tables, images, markdown and
// sounds, loaded with the first such result (js/src/base/display.js).

import { renderDisplay } from "../panels/data.js";

export default { renderDisplay };
