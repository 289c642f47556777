"""The Agents SDK's tools: reached from ``nbagent.show(Runner.run_streamed(agent, ...))`` (the
run's agents, the one running now first, and the run's context) and ``nbagent.watch(agent)``.

A re-run is the SDK's own call of a ``FunctionTool``: ``invoke_function_tool`` (the tool's
``on_invoke_tool`` within its timeout) with a ``ToolContext``; the tool checks its arguments.
The SDK hands a failure to the model as a message (``"An error occurred while running the
tool..."``); the re-run shows the exception itself, read through the run config's
``tool_error_formatter``, which leaves the model's message as it is. The Runner's tool
guardrails and approvals are not part of that call: they do not run. Hosted tools run at the
provider and MCP servers' tools on the run's connection: not reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.reach import HOSTED, Found, Lookup, framework_tool, variable

if TYPE_CHECKING:  # loads pydantic: only once a tool is found
    from nbagent.tools import Tool

__all__ = ["call_as", "reach"]


def reach(obj: Any) -> Lookup | str | None:
    """The tools of an ``Agent``, of a ``RunResultStreaming``, or of what holds one as its
    ``result`` (the stream ``show`` reads, the one that resumes after approvals)."""
    if type_is(obj, "agents", "Agent"):
        return _Agents(lambda: obj, lambda: None).find
    if type_is(obj, "agents", "RunResultStreaming"):
        return _Agents(lambda: obj.current_agent, lambda: _context(obj)).find
    if type_is(getattr(obj, "result", None), "agents", "RunResultStreaming"):
        # read at each call: a run resumed after approvals is a new result
        return _Agents(lambda: obj.result.current_agent, lambda: _context(obj.result)).find
    return None


def _context(result: Any) -> Any:
    """The user's context object of the run (what its tools get as ``ctx.context``)."""
    return getattr(getattr(result, "context_wrapper", None), "context", None)


class _Agents:
    """The agents of one run: the one running now (read at each look-up), the ones that ran
    before it, and those they can hand off to."""

    def __init__(self, current: Callable[[], Any], context: Callable[[], Any]) -> None:
        self._current = current
        self._context = context
        self._seen: list[Any] = []

    def find(self, name: str) -> Found:
        agents = self._agents()
        for agent in agents:
            for tool in getattr(agent, "tools", None) or ():
                if getattr(tool, "name", None) != name:
                    continue
                if type_is(tool, "agents", "FunctionTool"):
                    return self._tool(agent, tool)
                return HOSTED
        return "not a function tool of the run's agents"

    def _agents(self) -> list[Any]:
        current = self._current()
        if current is not None and not any(a is current for a in self._seen):
            self._seen.append(current)
        found = [a for a in [current, *reversed(self._seen)] if a is not None]
        for agent in found:  # grows as it goes: the agents these hand off to
            for target in getattr(agent, "handoffs", None) or ():
                if type_is(target, "agents", "Agent") and not any(a is target for a in found):
                    found.append(target)
        return list({id(a): a for a in found}.values())

    def _tool(self, agent: Any, tool: Any) -> Tool:
        async def invoke(**args: Any) -> Any:
            from agents import RunConfig
            from agents.tool import invoke_function_tool
            from agents.tool_context import ToolContext

            errors: list[BaseException] = []

            def seen(failure: Any) -> None:  # None: the model's message stays the SDK's
                errors.append(failure.error)

            arguments = json.dumps(args)
            ctx = ToolContext(
                self._context(),
                tool_name=tool.name,
                tool_call_id="nbagent-rerun",
                tool_arguments=arguments,
                agent=agent,
                run_config=RunConfig(tool_error_formatter=seen),
            )
            output = await invoke_function_tool(
                function_tool=tool, context=ctx, arguments=arguments
            )
            if errors:  # what the SDK told the model in a sentence, the re-run shows whole
                raise errors[0]
            return output

        return framework_tool(tool.name, invoke, call_as(tool.name))


def call_as(name: str) -> str:
    """Copy as code: the SDK's call of the tool (``@function_tool`` makes the variable the
    ``FunctionTool``), on one line with what it needs imported."""
    from nbagent.tools import py_str

    tool = variable(name)
    return (
        "from agents.tool_context import ToolContext; import json; "
        "_args = json.dumps(dict({args})); "
        f"await {tool}.on_invoke_tool(ToolContext(None, tool_name={py_str(name)}, "
        'tool_call_id="notebook", tool_arguments=_args), _args)'
    )
