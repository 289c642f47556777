"""Tool approvals of the Agents SDK (``function_tool(needs_approval=True)``): the SDK does not
stream them; a run that needs one ends with ``result.interruptions``, a ``ToolApprovalItem``
each. Whoever reads the run feeds those items after its stream (``nbagent.show`` of a
``RunResultStreaming`` does: ``nbagent.frameworks.openai_agents.resume``), as the objects or their
dict
form ``{"type": "tool_approval_item", "raw_item": {...}, "tool_name": ..., "actions": [...]}``;
each is a paused call (``nbagent.adapters.approvals``). nbagent's answer to one comes back as
``{"type": "tool_approval_answer", "call_id", "action", "args", "reason"}``. ``Approvals`` is
the part of ``OpenAIAgentsAdapter`` that reads both, on the run's ``RunItems``.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.approvals import answered_status, approval_detail, awaiting_status
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import call_events
from nbagent.adapters.openai_agents.items import RunItems
from nbagent.adapters.openai_agents.maps import call_arguments, mcp_server
from nbagent.core.events import Event

__all__ = ["RESUME_HINT", "Approvals"]

RESUME_HINT = """state = result.to_state()
for item in result.interruptions:
    state.approve(item)  # or: state.reject(item, rejection_message="why not")
result = Runner.run_streamed(result.last_agent, state)"""
"""What to call when nbagent does not hold the run (``result``: the ``RunResultStreaming``)."""

_RESULT_META = {"deny": {"denied": True}, "mock": {"mocked": True}}


class Approvals:
    """``OpenAIAgentsAdapter``'s approvals and their answers, on the run's items."""

    def __init__(self, items: RunItems) -> None:
        self.items = items
        self.awaiting: set[str] = set()  # tool_call_ids paused, not answered yet

    def approval(self, item: Any, out: list[Event]) -> None:
        raw = field(item, "raw_item")
        call_id = str_or_none(field(raw, "call_id")) or str_or_none(field(raw, "id"))
        name = str_or_none(field(item, "tool_name")) or str_or_none(field(raw, "name")) or "a tool"
        if call_id is None:
            return  # nothing to pause
        tool_call_id = self.items.calls.get(call_id)
        server = mcp_server(item)  # an MCP server's tool that asks for approval
        if tool_call_id is None:  # the stream never showed the call (a stream read in part)
            tool_call_id = self.items.new_call(call_id, name)
            arguments, args = call_arguments(raw)
            self.items.emit(out, *call_events(tool_call_id, name, arguments, args, server=server))
        elif server:
            self.items.name_server(tool_call_id, server, out)
        actions = [str(a) for a in list_or_empty(field(item, "actions"))]
        detail = approval_detail(
            "openai-agents",
            actions=actions,
            hint=None if actions else RESUME_HINT,
            schema=field(item, "schema") or _tool_schema(field(item, "agent"), name),
            call_id=call_id,  # the SDK's id (``tool_call_id`` may be made unique)
        )
        self.awaiting.add(tool_call_id)
        self.items.emit(out, awaiting_status(tool_call_id, name, detail))

    def answer(self, payload: Any, out: list[Event]) -> None:
        call_id = str_or_none(field(payload, "call_id"))
        action = str_or_none(field(payload, "action"))
        if call_id is None or action is None:
            return
        tool_call_id = self.items.calls.get(call_id, call_id)
        self.awaiting.discard(tool_call_id)
        if action in _RESULT_META:  # the SDK's output of the call is then the refusal/mock
            self.items.result_meta[tool_call_id] = _RESULT_META[action]
        args = field(payload, "args")
        reason = str_or_none(field(payload, "reason"))
        status = answered_status(
            tool_call_id, action, args=args if isinstance(args, dict) else None, reason=reason
        )
        self.items.emit(out, status)


def _tool_schema(agent: Any, name: str) -> Any:
    """The arguments' JSON schema of the agent's function tool ``name`` (None: not found)."""
    for tool in list_or_empty(field(agent, "tools")):
        if field(tool, "name") == name:
            return plain(field(tool, "params_json_schema"))
    return None
