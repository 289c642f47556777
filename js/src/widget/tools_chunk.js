// The tools chunk (nbagent/static/tools.js): the panels of tool calls and sub-agents, with a
// pause's head, Re-run's editor and results and Copy as code, and of activities and
// interrupts (js/src/panels/activity_view.js), loaded with the first run that has one of
// them (js/src/base/tools.js).

import { ActivityPanel, InterruptPanel } from "../panels/activity_view.js";
import { AgentPanel, ToolPanel } from "../panels/panels.js";
import { RerunEditor, rerunView } from "../panels/rerun_edit.js";

/** The panels of a run's other blocks (nbagent/transcript/run_blocks.py), by block type. */
const notes = { activity: ActivityPanel, interrupt: InterruptPanel };

export default { ToolPanel, AgentPanel, RerunEditor, rerunView, notes };
