// The debug chunk (nbagent/static/debug.js): a run's timeline, its forks and a replay's bar,
// loaded with the first run that has them (js/src/base/debug.js).

import { ForkBox, ForkLanes, StepForks } from "../panels/forks.js";
import { ReplayBar } from "../panels/replay.js";
import { TimelineView } from "../panels/timeline.js";

export default { TimelineView, ForkBox, StepForks, ForkLanes, ReplayBar };
