"""pydantic-ai's deferred tool calls answered from the notebook, within the same run:
``nbagent.show(nbagent.with_approvals(agent, prompt, **run_kwargs))``.

pydantic-ai resolves deferred calls inline through a ``HandleDeferredToolCalls`` capability:
after its ``DeferredToolRequestsEvent`` the run awaits the handler, whose
``DeferredToolResults`` it executes and goes on with (``DeferredToolResultsEvent``). The
handler here waits on the run's ``pauses``:

- a call that ``requires_approval``: ``run`` → ``True``; ``edit`` → ``ToolApproved(
  override_args=...)``; ``deny`` → ``ToolDenied(reason)`` (the model gets the reason).
  Mocking is not offered: pydantic-ai takes only an approval for such a call (a result in
  ``calls`` leaves it unresolved).
- a call deferred to the outside (``CallDeferred``, ``external`` tools): ``mock`` → the
  result given; ``deny`` → ``ToolDenied(reason)``.

nbagent holds the agent, which ``agent.run_stream_events(...)`` shown as it is does not
expose: that run ends with ``DeferredToolRequests`` and its paused calls show the hint.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

from nbagent.adapters.base import field, plain, str_or_none, type_is
from nbagent.frameworks.kit.resuming import CallIds, ResumingSource
from nbagent.frameworks.pydantic_ai.rerun import function_tools
from nbagent.runtime.pause import Answer, PauseRequest
from nbagent.sources.tool_servers import PydanticAiServers

__all__ = ["ACTIONS", "PydanticAIApprovals"]

ACTIONS = {"approval": ["run", "edit", "deny"], "external": ["mock", "deny"]}
"""What the widget may answer each kind of deferred call with (see the module docstring)."""


class PydanticAIApprovals(ResumingSource):
    """``agent.run_stream_events(user_prompt, **run_kwargs)`` as a source whose deferred tool
    calls wait on the run's ``pauses`` and continue the same pydantic-ai run."""

    nbagent_format = "pydantic-ai"

    def __init__(self, agent: Any, user_prompt: Any = None, **run_kwargs: Any) -> None:
        self.agent = agent
        self.user_prompt = user_prompt
        self.run_kwargs = run_kwargs
        self._shown: asyncio.Event | None = None  # set once the requests were folded
        self._stream: Any = None  # the run's events (AgentRunEvents) once it began
        self.nbagent_tool_servers = PydanticAiServers(lambda: self._stream)
        """The MCP servers of the run's tool calls (``nbagent.sources.tool_servers``)."""
        super().__init__()

    async def _read(self) -> AsyncGenerator[Any, None]:
        kwargs = dict(self.run_kwargs)
        self._shown = asyncio.Event()
        if self._pauses is not None:
            from pydantic_ai.capabilities import HandleDeferredToolCalls  # the user's package

            handler = HandleDeferredToolCalls(handler=self._answer)
            kwargs["capabilities"] = [*(kwargs.get("capabilities") or ()), handler]
        async with self.agent.run_stream_events(self.user_prompt, **kwargs) as stream:
            self._stream = stream
            async for event in stream:
                if type_is(event, "pydantic_ai", "DeferredToolRequestsEvent"):
                    self._shown.clear()
                    yield self._requests(event)
                    self._shown.set()  # the reader asked for more: the requests were folded
                else:
                    yield event

    def _requests(self, event: Any) -> dict[str, Any]:
        """The event as the adapter reads it, with what the widget may answer."""
        actions: dict[str, Any] = dict(ACTIONS) if self._pauses is not None else {}
        actions["schemas"] = _schemas(self.agent)
        return {
            "event_kind": "deferred_tool_requests",
            "requests": event.requests,
            "actions": actions,
        }

    async def _answer(self, ctx: Any, requests: Any) -> Any:
        """The ``HandleDeferredToolCalls`` handler: every paused call's answer from the
        notebook; None (the run ends with ``DeferredToolRequests``) once it is stopped."""
        from pydantic_ai import DeferredToolResults, ToolApproved, ToolDenied

        pauses, shown = self._pauses, self._shown
        assert pauses is not None
        assert shown is not None
        await shown.wait()  # pydantic-ai's task may get here before the reader folded them
        shown.clear()  # a later batch waits for its own
        approvals, calls = list(requests.approvals), list(requests.calls)
        answers = await asyncio.gather(
            *(
                pauses.before_tool(_pause(part, self._ids, self.agent, kind))
                for kind, parts in (("approval", approvals), ("external", calls))
                for part in parts
            )
        )
        if any(answer.action == "cancel" for answer in answers):
            return None
        results = DeferredToolResults()
        for part, answer in zip(approvals, answers[: len(approvals)], strict=True):
            if answer.action == "run":
                edited = answer.args is not None and answer.args != _args(part)
                results.approvals[part.tool_call_id] = (
                    ToolApproved(override_args=answer.args) if edited else True
                )
            else:  # deny (the widget offers no mock for an approval)
                results.approvals[part.tool_call_id] = _denied(ToolDenied, answer)
        for part, answer in zip(calls, answers[len(approvals) :], strict=True):
            if answer.action == "mock":
                results.calls[part.tool_call_id] = answer.result
            else:
                results.approvals[part.tool_call_id] = _denied(ToolDenied, answer)
        return results


def _denied(tool_denied: Any, answer: Answer) -> Any:
    return tool_denied(answer.reason) if answer.reason else tool_denied()


def _args(part: Any) -> dict[str, Any] | None:
    args = field(part, "args")
    if isinstance(args, str):
        try:
            args = json.loads(args) if args else {}
        except json.JSONDecodeError:
            return None
    return plain(args) if isinstance(args, dict) else None


def _pause(part: Any, ids: CallIds, agent: Any, kind: str) -> PauseRequest:
    name = str_or_none(field(part, "tool_name")) or "tool"
    _, tool = function_tools(agent).get(name, (None, None))
    schema = field(field(tool, "tool_def"), "parameters_json_schema")
    validator = field(field(tool, "function_schema"), "validator")  # the tool's own checks
    validate = getattr(validator, "validate_python", None)
    return PauseRequest(
        ids.ours(str(field(part, "tool_call_id"))),
        name,
        _args(part),
        schema=plain(schema) if isinstance(schema, dict) else None,
        validate=validate if callable(validate) else None,
        actions=tuple(ACTIONS[kind]),
    )


def _schemas(agent: Any) -> dict[str, Any]:
    """Each function tool's JSON schema of arguments."""
    schemas: dict[str, Any] = {}
    for name, (_, tool) in function_tools(agent).items():
        schema = field(field(tool, "tool_def"), "parameters_json_schema")
        if isinstance(schema, dict):
            schemas[name] = plain(schema)
    return schemas
