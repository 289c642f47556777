// The debug chunk (nbagent/static/debug.js): a run's timeline, its forks and a replay's bar,
// loaded with the first run that has them (js/src/debug.js).

import { ForkBox, ForkLanes, StepForks } from "./forks.js";
import { ReplayBar } from "./replay.js";
import { TimelineView } from "./timeline.js";

export default { TimelineView, ForkBox, StepForks, ForkLanes, ReplayBar };
