"""Re-run, Copy as code and the "cannot reach" line for a run's tool calls, wherever nbagent
can call the tools: ``nbagent.Agent``'s runs (``AgentRun``) and frameworks' runs whose tool
objects it holds (``attach``: ``nbagent/frameworks/rerun/<framework>.py`` says how each is reached
and
called). ``Reruns`` is the one piece both compose."""

from __future__ import annotations

from nbagent.frameworks.rerun.common import RECORDING, STREAM
from nbagent.frameworks.rerun.reach import FrameworkTools, attach, reach
from nbagent.frameworks.rerun.reruns import Reruns, ToolCaller, ToolCallError

__all__ = [
    "RECORDING",
    "STREAM",
    "FrameworkTools",
    "Reruns",
    "ToolCallError",
    "ToolCaller",
    "attach",
    "reach",
]
