"""pydantic-ai's tools: reached from ``nbagent.with_approvals(agent, prompt, deps=...)`` (the
agent and the run's ``deps``) and ``nbagent.watch(agent)`` (no ``deps``: None).
``agent.run_stream_events()`` shown as it is gives nbagent no agent: its panels say to show
it through ``with_approvals``.

A re-run goes the way pydantic-ai's durable execution calls a tool: the function toolset's
``get_tools`` for a ``RunContext``, the tool's ``args_validator`` (and its
``args_validator_func``), then the toolset's ``call_tool`` (its timeout). The call counts as
approved (``tool_call_approved``): the notebook's author asked for it. Tools of other toolsets
(an MCP server's, a dynamic toolset's) are not reached: their connection or their building
belongs to the run.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.reach import Found, Lookup, framework_tool, variable

if TYPE_CHECKING:  # loads pydantic: only once a tool is found
    from nbagent.tools import Tool

__all__ = ["WITH_APPROVALS", "call_as", "function_tools", "reach"]

AGENTS = ("AbstractAgent", "Agent", "WrapperAgent")
WITH_APPROVALS = "show the run as nbagent.with_approvals(agent, prompt) to reach its tools"


def reach(obj: Any) -> Lookup | str | None:
    """The tools of an agent, or of what runs one (``with_approvals``' source: ``agent``,
    ``run_kwargs``); a ``run_stream_events()`` context: why not."""
    if type_is(obj, "pydantic_ai", *AGENTS):
        return _Tools(obj, {}).find
    agent = getattr(obj, "agent", None)
    if type_is(agent, "pydantic_ai", *AGENTS):
        return _Tools(agent, dict(getattr(obj, "run_kwargs", None) or {})).find
    if type_is(getattr(obj, "result", None), "pydantic_ai", "_RunStreamEventsContext"):
        return WITH_APPROVALS
    return None


def function_tools(agent: Any) -> dict[str, tuple[Any, Any]]:
    """The agent's function tools by name: (its ``FunctionToolset``, the ``Tool``)."""
    found: dict[str, tuple[Any, Any]] = {}
    for toolset in getattr(agent, "toolsets", ()) or ():
        tools = getattr(toolset, "tools", None)
        if isinstance(tools, dict):
            found.update({str(name): (toolset, tool) for name, tool in tools.items()})
    return found


class _Tools:
    def __init__(self, agent: Any, run_kwargs: dict[str, Any]) -> None:
        self.agent = agent
        self.deps = run_kwargs.get("deps")
        self.model = run_kwargs.get("model") or getattr(agent, "model", None)

    def find(self, name: str) -> Found:
        found = function_tools(self.agent).get(name)
        if found is None:
            return "not a function tool of the agent"
        toolset, tool = found
        return self._tool(name, toolset, tool)

    def _tool(self, name: str, toolset: Any, tool: Any) -> Tool:
        async def invoke(**args: Any) -> Any:
            ctx = self._context(name)
            async with toolset:
                listed = (await toolset.get_tools(ctx))[name]
                checked = listed.args_validator.validate_python(
                    args, context=ctx.validation_context
                )
                if listed.args_validator_func is not None:
                    pending = listed.args_validator_func(ctx, **checked)
                    if inspect.isawaitable(pending):
                        await pending
                return await toolset.call_tool(name, checked, ctx, listed)

        return framework_tool(name, invoke, call_as(tool, self.deps is not None))

    def _context(self, name: str) -> Any:
        from pydantic_ai import RunContext
        from pydantic_ai.usage import RunUsage

        return RunContext(
            deps=self.deps,
            model=_model(self.model),
            usage=RunUsage(),
            agent=self.agent,
            tool_name=name,
            tool_call_id="nbagent-rerun",
            tool_call_approved=True,
        )


def _model(model: Any) -> Any:
    """The run's model as a ``Model`` where it can be made (a tool reading ``ctx.model``);
    else what the agent names (tools seldom read it: no reason to refuse the call)."""
    if isinstance(model, str):
        from pydantic_ai.models import infer_model

        try:
            return infer_model(model)
        except Exception:  # noqa: BLE001 - e.g. no API key here: the name, as given
            return model
    return model


def call_as(tool: Any, has_deps: bool) -> str | None:
    """Copy as code: the tool's function, as the user has it (``@agent.tool_plain`` returns the
    function itself), awaited when async, with a ``RunContext`` first when it takes one.
    None: the plain call ``name(...)`` is it."""
    function = getattr(tool, "function", None)
    fn = variable(getattr(function, "__name__", None) or str(getattr(tool, "name", "tool")))
    awaits = "await " if inspect.iscoroutinefunction(function) else ""
    if not getattr(tool, "takes_ctx", False):
        return f"{awaits}{fn}({{args}})" if awaits or fn != tool.name else None
    deps = "deps" if has_deps else "None"
    return (
        "from pydantic_ai import RunContext; from pydantic_ai.usage import RunUsage; "
        f"{awaits}{fn}(RunContext(deps={deps}, model=agent.model, usage=RunUsage()), {{args}})"
    )
