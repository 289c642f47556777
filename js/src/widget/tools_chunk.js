// The tools chunk (nbagent/static/tools.js): the panels of tool calls and sub-agents, with a
// pause's head, Re-run's editor and results and Copy as code, loaded with the first run that
// has a tool call or a sub-agent (js/src/base/tools.js).

import { AgentPanel, ToolPanel } from "../panels/panels.js";
import { RerunEditor, rerunView } from "../panels/rerun_edit.js";

export default { ToolPanel, AgentPanel, RerunEditor, rerunView };
