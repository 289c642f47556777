"""LlamaIndex agents' tools: reached from ``nbagent.show(agent.run(...))`` (the handler's workflow:
a ``FunctionAgent``, ``ReActAgent`` or ``AgentWorkflow``) and ``nbagent.watch(agent)``.

A re-run is the tool's ``acall(**args)`` as the agent makes it (``adapt_to_async_tool``): a
``FunctionTool`` calls its function with the arguments as given (LlamaIndex checks none: a
wrong or missing one fails in the call, as in the run) and its ``ToolOutput``'s content is the
result. A tool that takes the workflow's ``Context``, the workflow's own ``handoff`` and tools
a ``tool_retriever`` found for the run are not reached.

As ``nbagent.evaluate()``'s task, a workflow runs each case's input (``task_run``).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.reach import Found, Lookup, framework_tool, variable
from nbagent.frameworks.kit.tasks import TaskRun

if TYPE_CHECKING:  # loads pydantic: only once a tool is found
    from nbagent.tools import Tool

__all__ = ["call_as", "reach", "task_run"]

HANDOFF = "the workflow's handoff between its agents"
CONTEXT = "it takes the workflow run's Context"


def reach(obj: Any) -> Lookup | str | None:
    """The tools of an agent workflow, or of the workflow a ``WorkflowHandler`` runs (the
    stream ``show`` reads holds the handler as its ``result``)."""
    workflow = obj
    if not _is_agent(workflow):
        handler = getattr(obj, "result", obj)
        # The handler's workflow: what its repr shows, kept on a private attribute.
        held = type_is(handler, "workflows", "WorkflowHandler")
        workflow = getattr(handler, "_workflow", None) if held else None
    if not _is_agent(workflow):
        return None
    agents = getattr(workflow, "agents", None)
    members = list(agents.values()) if isinstance(agents, dict) else [workflow]
    return lambda name: _find(members, name)


def _is_agent(obj: Any) -> bool:
    return type_is(obj, "llama_index", "BaseWorkflowAgent", "AgentWorkflow")


def _find(agents: list[Any], name: str) -> Found:
    for agent in agents:
        for tool in getattr(agent, "tools", None) or ():
            if _name(tool) == name:
                if getattr(tool, "requires_context", False):
                    return CONTEXT
                return _tool(name, tool)
    return HANDOFF if name == "handoff" else "not one of the agents' tools"


def _name(tool: Any) -> str | None:
    metadata = getattr(tool, "metadata", None)
    return getattr(metadata, "name", None) if metadata is not None else None


def _function(tool: Any) -> Any:
    """A ``FunctionTool``'s function (None for other tools)."""
    if not type_is(tool, "llama_index", "FunctionTool"):
        return None
    try:
        return tool.real_fn
    except ValueError:  # a tool made with no function
        return None


def _tool(name: str, tool: Any) -> Tool:
    async def invoke(**args: Any) -> Any:
        from llama_index.core.tools import adapt_to_async_tool

        output = await adapt_to_async_tool(tool).acall(**args)
        if getattr(output, "is_error", False):  # a tool that reports its own failure
            raise getattr(output, "exception", None) or RuntimeError(output.content)
        return output.content

    return framework_tool(name, invoke, call_as(name, tool))


def call_as(name: str, tool: Any) -> str | None:
    """Copy as code: the function itself where the tool is a function of its name (an agent's
    ``tools=[add]`` wraps ``add`` in a ``FunctionTool``: the user's variable is the function),
    else the tool's ``call``; awaited when async. None: the plain ``name(...)``."""
    fn = _function(tool)
    awaits = "await " if inspect.iscoroutinefunction(fn) else ""
    if getattr(fn, "__name__", None) == name:
        return f"{awaits}{variable(name)}({{args}})" if awaits else None
    method = "acall" if awaits else "call"
    return f"{awaits}{variable(name)}.{method}({{args}})"


def task_run(task: Any) -> TaskRun | None:
    """The run of a workflow (a LlamaIndex agent is one) on a case's input: a mapping as its
    keyword arguments, anything else as its ``user_msg``; ``run()`` gives the handler, a
    stream nbagent reads."""
    if not (type_is(task, "workflows", "Workflow") or type_is(task, "llama_index", "Workflow")):
        return None
    return lambda value: (
        task.run(**value) if isinstance(value, Mapping) else task.run(user_msg=value)
    )
