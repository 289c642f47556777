// The debug chunk (nbagent/static/debug.js): a run's timeline, its forks, a replay's bar and
// Re-run's editor and results, loaded with the
// first run that has them (js/src/debug.js).

import { ForkBox, ForkLanes, StepForks } from "./forks.js";
import { ReplayBar } from "./replay.js";
import { RerunEditor, rerunView } from "./rerun_edit.js";
import { TimelineView } from "./timeline.js";

export default { TimelineView, ForkBox, StepForks, ForkLanes, ReplayBar, RerunEditor, rerunView };
