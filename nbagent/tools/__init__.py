"""Tools for an agent loop: Python functions described to the model (schema from type hints
and docstring, through pydantic) and called with validated arguments, a timeout and their
printed output captured (``call_tool``), failures reported rather than raised.

Modules: ``schema`` (``Tool``: the schema from a function's signature and docstring, argument
validation), ``calling`` (``call_tool``: in a task or a thread, with a timeout, printed output
captured), ``results`` (``ToolOutcome``; results made JSON-able).
"""

from __future__ import annotations

from nbagent.tools.calling import abandoned_threads, call_tool, call_tool_sync
from nbagent.tools.results import Shown, ToolOutcome
from nbagent.tools.schema import Tool, ToolArgumentsError, as_tool, py_str

__all__ = [
    "Shown",
    "Tool",
    "ToolArgumentsError",
    "ToolOutcome",
    "abandoned_threads",
    "as_tool",
    "call_tool",
    "call_tool_sync",
    "py_str",
]
