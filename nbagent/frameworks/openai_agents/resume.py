"""The Agents SDK's tool approvals (``function_tool(needs_approval=True)``) answered from the
notebook: ``nbagent.show(Runner.run_streamed(agent, input))``.

The SDK ends a run that needs an approval with ``result.interruptions``; it resumes with
``state = result.to_state()``, ``state.approve(item)`` or ``state.reject(item,
rejection_message=...)``, and ``Runner.run_streamed(result.last_agent, state)``.
``AgentsApprovals`` does that with the answers of ``run.pauses``:

- ``run``: ``approve``: the tool runs with the model's arguments;
- ``mock``: ``reject`` with the mock result as the message: the model gets exactly that
  text as the call's output, and the tool does not run;
- ``deny``: ``reject`` with the reason (the SDK's default refusal when there is none).

Editing the arguments is not offered: ``approve`` runs the call the model made, and the
SDK has no way to change its arguments.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

from nbagent.adapters.base import field, plain, str_or_none
from nbagent.frameworks.kit.resuming import CallIds, ResumingSource
from nbagent.runtime.pause import Answer, PauseRequest
from nbagent.sources import aclose_source, resolve_source

__all__ = ["ACTIONS", "AgentsApprovals"]

ACTIONS = ["run", "mock", "deny"]
"""What the widget may answer an Agents SDK approval with (see the module docstring)."""


class AgentsApprovals(ResumingSource):
    """A ``RunResultStreaming`` as a source whose approval requests wait on the run's
    ``pauses`` and resume the SDK's run with the answers (one transcript for every leg).

    Read without a ``Run`` (``nbagent_bind_run`` not called), the requests are shown with no
    actions and the hint of what to call, and the stream ends there."""

    nbagent_format = "openai-agents"

    def __init__(self, result: Any) -> None:
        self.result = result
        """The SDK's run object of the current leg (the last one once the run has ended)."""
        self._leg: Any = None  # the current leg's stream (closing it cancels the SDK's run)
        super().__init__()

    async def _read(self) -> AsyncGenerator[Any, None]:
        while True:
            self._leg = resolve_source(self.result)
            try:
                async for event in self._leg:
                    yield event
            finally:
                await aclose_source(self._leg)
            items = list(field(self.result, "interruptions") or [])
            if not items:
                return
            pauses = self._pauses
            for item in items:
                yield _request(item, ACTIONS if pauses is not None else [])
            if pauses is None:
                return
            # the requests were shown (the reader asked for more): their ids are known
            requests = [_pause(item, self._ids) for item in items]
            answers = await asyncio.gather(*(pauses.before_tool(r) for r in requests))
            state = self.result.to_state()
            for item, answer in zip(items, answers, strict=True):
                _apply(state, item, answer)
                yield _answered(item, answer)
            if any(answer.action == "cancel" for answer in answers):
                return
            from agents import Runner  # the user's SDK: installed, as they made the run

            self.result = Runner.run_streamed(self.result.last_agent, state)


def _call_id(item: Any) -> str:
    raw = field(item, "raw_item")
    return str_or_none(field(raw, "call_id")) or str_or_none(field(raw, "id")) or ""


def _args(item: Any) -> dict[str, Any] | None:
    arguments = field(field(item, "raw_item"), "arguments")
    try:
        args = json.loads(arguments) if isinstance(arguments, str) else None
    except json.JSONDecodeError:
        return None
    return args if isinstance(args, dict) else None


def _name(item: Any) -> str:
    return str_or_none(field(item, "tool_name")) or str_or_none(field(item, "name")) or "tool"


def _pause(item: Any, ids: CallIds) -> PauseRequest:
    schema = _schema(item)
    return PauseRequest(
        ids.ours(_call_id(item)),
        _name(item),
        _args(item),
        schema=schema if isinstance(schema, dict) else None,
        validate=_no_edits,
        actions=tuple(ACTIONS),
    )


def _no_edits(args: dict[str, Any]) -> None:
    """Edited arguments are refused: ``state.approve`` runs the call the model made."""
    raise ValueError("the Agents SDK runs a call as the model made it: no edited arguments")


def _request(item: Any, actions: list[str]) -> dict[str, Any]:
    """The approval request as the adapter reads it (``tool_approval_item``'s dict form)."""
    return {
        "type": "tool_approval_item",
        "raw_item": plain(field(item, "raw_item")),
        "tool_name": str_or_none(field(item, "tool_name")),
        "agent": {"name": str_or_none(field(field(item, "agent"), "name"))},
        "schema": _schema(item),
        "actions": actions,
        "tool_origin": _origin(item),  # an MCP server's tool names its server
    }


def _origin(item: Any) -> Any:
    """The item's ``tool_origin`` in its JSON form (the SDK's own ``to_json_dict``)."""
    origin = field(item, "tool_origin")
    to_json = getattr(origin, "to_json_dict", None)
    return to_json() if callable(to_json) else plain(origin)


def _schema(item: Any) -> Any:
    name = _name(item)
    for tool in field(field(item, "agent"), "tools") or []:
        if field(tool, "name") == name:
            return plain(field(tool, "params_json_schema"))
    return None


def _apply(state: Any, item: Any, answer: Answer) -> None:
    if answer.action == "run":
        state.approve(item)
    elif answer.action == "mock":
        result = answer.result
        text = result if isinstance(result, str) else json.dumps(plain(result))
        state.reject(item, rejection_message=text)
    elif answer.action == "deny":
        state.reject(item, rejection_message=answer.reason)


def _answered(item: Any, answer: Answer) -> dict[str, Any]:
    return {
        "type": "tool_approval_answer",
        "call_id": _call_id(item),
        "action": answer.action,
        "args": _args(item) if answer.action == "run" else None,
        "reason": answer.reason if answer.action in ("deny", "cancel") else None,
    }
