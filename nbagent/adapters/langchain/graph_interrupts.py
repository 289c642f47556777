"""A LangGraph interrupt that asks about a tool call, as that call's paused state.

``interrupt(value)`` stops a graph with any value; two shapes ask a human about tool calls,
and name them: langchain's ``HumanInTheLoopMiddleware`` (``{"action_requests": [{"name",
"args", "description"}], "review_configs": [...]}``, resumed with ``{"decisions": [...]}``)
and langgraph-prebuilt's ``HumanInterrupt`` (``{"action_request": {"action", "args"},
"config": {...}, "description"}``, alone or in a list, resumed with a list of
``HumanResponse``). Each request names a call already streamed (the model's call of that
tool, not answered yet); its ``Status`` is ``awaiting_approval`` with no actions (nbagent
does not hold the graph and its config) and the ``Command(resume=...)`` to stream.
Any other interrupt value is not about a tool call: it stays an ``interrupted`` status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from nbagent.adapters.approvals import approval_detail, awaiting_status
from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import Call
from nbagent.core.events import Status

__all__ = ["ToolRequest", "paused_calls", "resume_hint", "tool_requests"]

Shape = Literal["hitl", "human_interrupt"]


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """One tool call an interrupt asks about."""

    name: str
    args: Any
    shape: Shape
    description: str | None
    allowed: tuple[str, ...]
    """The answers the interrupt allows (its own words: ``approve``/``edit``/``reject``,
    ``accept``/``edit``/``respond``/``ignore``)."""


def tool_requests(value: Any) -> list[ToolRequest]:
    """The tool calls an interrupt's value asks about ([]: it asks about something else)."""
    if isinstance(value, Mapping) and "action_requests" in value:
        configs = {
            str_or_none(field(c, "action_name")): field(c, "allowed_decisions")
            for c in list_or_empty(value.get("review_configs"))
        }
        out = []
        for request in list_or_empty(value["action_requests"]):
            name = str_or_none(field(request, "name"))
            if name is None:
                continue
            allowed = tuple(str(a) for a in list_or_empty(configs.get(name)))
            description = str_or_none(field(request, "description"))
            out.append(
                ToolRequest(name, plain(field(request, "args")), "hitl", description, allowed)
            )
        return out
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        action = field(item, "action_request") if isinstance(item, Mapping) else None
        name = str_or_none(field(action, "action"))
        if name is None:
            return []  # not a list of HumanInterrupt
        config = field(item, "config")
        allowed = tuple(
            kind
            for kind in ("accept", "edit", "respond", "ignore")
            if isinstance(config, Mapping) and config.get(f"allow_{kind}")
        )
        description = str_or_none(field(item, "description"))
        args = plain(field(action, "args"))
        out.append(ToolRequest(name, args, "human_interrupt", description, allowed))
    return out


def resume_hint(requests: list[ToolRequest], interrupt_id: str | None, many: bool) -> str:
    """The code that resumes the graph approving every call the interrupt asks about (the
    other answers in a comment). ``many``: several interrupts wait, so the resume value
    is keyed by this one's id."""
    shape = requests[0].shape
    if shape == "hitl":
        value = repr({"decisions": [{"type": "approve"} for _ in requests]})
        other = (
            "# or {'type': 'edit', 'edited_action': {'name': ..., 'args': {...}}}, "
            "{'type': 'reject', 'message': 'why'}"
        )
    else:
        value = repr([{"type": "accept", "args": None} for _ in requests])
        other = (
            "# or {'type': 'edit', 'args': {'action': ..., 'args': {...}}}, "
            "{'type': 'response', 'args': 'why'}, {'type': 'ignore', 'args': None}"
        )
    resume = f"{{{interrupt_id!r}: {value}}}" if many and interrupt_id else value
    return (
        "from langgraph.types import Command\n"
        f"graph.stream(Command(resume={resume}), config)  # config: the interrupted run's\n"
        f"{other}"
    )


def paused_calls(waiting: list[Call], interrupt: Any, value: Any, *, many: bool) -> list[Status]:
    """One ``awaiting_approval`` status for each call the interrupt asks about, the latest
    unanswered call of each name (``waiting``: in the order they were made); [] when it asks
    about something else, or about a call the stream did not show."""
    requests = tool_requests(value)
    left = list(reversed(waiting))
    matched = []
    for request in requests:
        call = next((c for c in left if c.name == request.name), None)
        if call is None:
            return []
        left.remove(call)
        matched.append((call.id, request))
    if not matched:
        return []
    interrupt_id = None if isinstance(interrupt, str) else str_or_none(field(interrupt, "id"))
    hint = resume_hint(requests, interrupt_id, many)
    out = []
    for tool_call_id, request in matched:
        detail = approval_detail(
            "langgraph",
            hint=hint,
            interrupt_id=interrupt_id,
            args=request.args,
            allowed=list(request.allowed),
            description=request.description,
        )
        out.append(awaiting_status(tool_call_id, request.name, detail))
    return out
