"""What the frameworks' reaches share: what a lookup gives, the reasons nbagent cannot reach a
tool, a tool's name as the variable a user has it in, and the object whose method a
generator runs (``graph.stream(...)``: the graph).

Each framework's Re-run (``nbagent/frameworks/<framework>/rerun.py``, or the framework's module
``nbagent/frameworks/<framework>.py``) has a ``reach(obj)``: None when ``obj`` is not that
framework's, else a ``Lookup`` (the run's tools by name) or why nbagent cannot reach them (a
clause: the panels say "Re-run: nbagent cannot reach this tool (…)").
A found tool is an ``nbagent.tools.Tool`` whose function makes the framework's own call (its
validation, its error handling) and whose ``call_as`` is the Copy as code of that call;
``call_tool_sync`` calls it like one of ``nbagent.Agent``'s tools (what it prints captured,
the time it took, a sync call in a thread of its own).
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # nbagent.tools loads pydantic: only for a run whose tools are reached
    from nbagent.tools import Tool

__all__ = [
    "HOSTED",
    "RECORDING",
    "STREAM",
    "Found",
    "Lookup",
    "framework_tool",
    "owner",
    "variable",
]

Found: TypeAlias = "Tool | str"
"""A tool nbagent calls through its framework's path, or why it cannot (a clause)."""
Lookup = Callable[[str], Found]
"""A run's tools by name (called as each call starts, and for each re-run)."""

STREAM = "read from a stream"
"""The run's source is a stream: the tools ran where it came from."""
RECORDING = "replayed from a recording"
HOSTED = "the model's provider runs it"
"""A server-side tool (web search, code interpreter, a hosted MCP server)."""


def variable(name: str) -> str:
    """Python source naming the tool as the user most likely has it: a variable of its name
    (``globals()["..."]`` for a name that is no identifier)."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    from nbagent.tools import py_str

    return f"globals()[{py_str(name)}]"


def framework_tool(name: str, call: Callable[..., Any], call_as: str | None) -> Tool:
    """A framework's tool as nbagent calls it: ``call(**args)`` makes the framework's call
    (the framework checks the arguments, not nbagent: any JSON object goes through) with no
    time limit of nbagent's (the framework's own apply)."""
    from nbagent.tools import Tool

    return Tool(name, "", {"type": "object"}, call, None, call_as=call_as)


def owner(stream: Any) -> Any:
    """The object whose method ``stream`` is, for a generator not yet finished
    (``graph.stream(...)``, ``agent.run(task, stream=True)``): its ``self``; else None."""
    if inspect.isgenerator(stream):
        scope = inspect.getgeneratorlocals(stream)
    elif inspect.isasyncgen(stream) and stream.ag_frame is not None:
        scope = stream.ag_frame.f_locals
    else:
        return None
    return scope.get("self")
