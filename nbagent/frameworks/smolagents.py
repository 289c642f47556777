"""smolagents' tools: reached from ``nbagent.show(agent.run(task, stream=True))`` (the agent is the
stream's ``self``).

A re-run is the agent's own call: a ``ToolCallingAgent``'s ``execute_tool_call(name, args)``
(``validate_tool_arguments`` against the tool's ``inputs``, then ``tool(**args,
sanitize_inputs_outputs=True)``; managed agents too); for another agent the same two steps.
A ``CodeAgent``'s code action (``python_interpreter``) ran in the agent's executor, whose
state it changed: not re-run.
"""

from __future__ import annotations

from typing import Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.reach import Found, Lookup, framework_tool, owner

__all__ = ["reach"]

CODE = "a CodeAgent's code ran in the agent's Python executor"


def reach(obj: Any) -> Lookup | str | None:
    """The tools of an agent, or of the agent whose ``run(..., stream=True)`` ``obj`` is."""
    agent = obj if type_is(obj, "smolagents", "MultiStepAgent") else owner(obj)
    if not type_is(agent, "smolagents", "MultiStepAgent"):
        return None
    return lambda name: _find(agent, name)


def _find(agent: Any, name: str) -> Found:
    tools = {**(agent.tools or {}), **(getattr(agent, "managed_agents", None) or {})}
    if name not in tools:
        code = name == "python_interpreter" and type_is(agent, "smolagents", "CodeAgent")
        return CODE if code else "not one of the agent's tools"
    execute = getattr(agent, "execute_tool_call", None)
    tool = tools[name]

    def invoke(**args: Any) -> Any:
        if callable(execute):
            return execute(name, args)
        from smolagents.tools import validate_tool_arguments

        validate_tool_arguments(tool, args)
        return tool(**args, sanitize_inputs_outputs=True)

    # Copy as code: ``@tool`` makes the variable the tool, and calling it is its ``__call__``.
    return framework_tool(name, invoke, None)
