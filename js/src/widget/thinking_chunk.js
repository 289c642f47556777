// The thinking chunk (nbagent/static/thinking.js): the panel of a model's thinking, loaded with
// the first run that has one (js/src/base/thinking.js).

import { thinkingView } from "../panels/thinking.js";

export default { thinkingView };
