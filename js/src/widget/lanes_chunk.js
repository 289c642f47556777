// The lanes chunk (nbagent/static/lanes.js): the store and the view of a widget of several
// runs (lanes, chat turns), loaded with the first such widget (js/src/widget/index.js).

import { connectLanes } from "../store/lanes.js";
import { LanesView } from "../view/lanes_view.js";

export default { connectLanes, LanesView };
