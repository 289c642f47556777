// The debug chunk (nbagent/static/debug.js): a run's timeline, its forks and a replay's bar,
// loaded with the first run that has them (js/src/base/debug.js).

import { ForkBox, ForkLanes } from "../panels/forks.js";
import { RunDebug } from "../panels/run_debug.js";

export default { RunDebug, ForkBox, ForkLanes };
