// The tools chunk (nbagent/static/tools.js): the panels of tool calls and sub-agents, with a
// pause's head, Re-run's editor and results and Copy as code, and of activities, interrupts and
// notes (js/src/panels/tool_views.js), loaded with the first run that has one of them
// (js/src/base/tools.js).

import { RerunEditor, rerunView } from "../panels/rerun_edit.js";
import { toolView } from "../panels/tool_views.js";

export default { toolView, RerunEditor, rerunView };
