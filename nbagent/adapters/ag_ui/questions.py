"""AG-UI interrupts asked in the cell, when nbagent drives the agent (it posted the run's
``RunAgentInput``: ``nbagent.frameworks.ag_ui``). The driver does not feed the adapter
``RUN_FINISHED`` with the ``interrupt`` outcome (the run goes on), but these items of its own,
which no wire can carry:

- ``Asked(event)``: the ``RUN_FINISHED`` event; each interrupt becomes a paused question,
  answered with the form of its ``response_schema`` (the MCP question's form: a pause with
  ``schema`` and ``fill``; Accept, Decline, Dismiss). An interrupt on a tool call pauses that
  call; another is a call of its own, named by the interrupt's reason, whose result is the
  answer. ``Asked(event, only=id, error=...)`` asks one again, saying why the last answer was
  refused.
- ``Answered(...)``: how it was answered (``resolved`` with its payload, or ``cancelled``).

A schema that is not an object's (``{"type": "string"}``) is asked as one field, ``answer``
(``form_schema``); ``payload`` takes the form's fields back to the answer the agent asked for
(a field left empty, null, is not in it).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from nbagent.adapters.ag_ui.tables import _get
from nbagent.adapters.approvals import approval_detail, awaiting_status
from nbagent.adapters.base import list_or_empty, plain, str_or_none
from nbagent.core.events import Event, Status, ToolCallStart, ToolResult

__all__ = [
    "ACTIONS",
    "MAX_ASKED",
    "Answered",
    "Asked",
    "Question",
    "fill",
    "form_schema",
    "payload",
    "questions",
]

ACTIONS = ("run", "deny", "dismiss")
"""Accept (send the form's answer), Decline and Dismiss (both answer it ``cancelled``)."""

_WRAPPED = "answer"
"""The one field a schema that is not an object's is asked as."""


@dataclasses.dataclass(frozen=True)
class Question:
    """One interrupt of a ``RUN_FINISHED``: ``call_id`` is the tool call it pauses (its own id
    when it concerns no call)."""

    id: str
    call_id: str
    name: str
    on_call: bool
    schema: dict[str, Any] | None
    expires_at: str | None
    message: str | None
    reason: str | None


@dataclasses.dataclass(frozen=True)
class Asked:
    """The driver's: ``event``'s interrupts asked in the cell (``only``: that one again,
    ``error``: why its last answer was refused)."""

    event: Any
    only: str | None = None
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class Answered:
    """The driver's: question ``question`` answered ``status`` (``resolved``, with
    ``payload``; ``cancelled``); ``action`` is the page's (run, deny, dismiss)."""

    question: Question
    status: str
    action: str
    payload: Any = None


MAX_ASKED = 50
"""Interrupts of one run asked in the cell; the ones after them are answered ``cancelled``."""


def questions(event: Any) -> list[Question]:
    """The interrupts of a ``RUN_FINISHED`` event that can be answered: with an id, each id
    and each tool call once (a repeated one is left out)."""
    out: list[Question] = []
    seen: set[str] = set()
    for item in list_or_empty(_get(_get(event, "outcome"), "interrupts")):
        interrupt_id = str_or_none(_get(item, "id"))
        call = str_or_none(_get(item, "toolCallId"))
        if interrupt_id is None or interrupt_id in seen or (call or interrupt_id) in seen:
            continue
        seen.update((interrupt_id, call or interrupt_id))
        schema = plain(_get(item, "responseSchema"))
        reason = str_or_none(_get(item, "reason"))
        out.append(
            Question(
                id=interrupt_id,
                call_id=call or interrupt_id,
                name=reason or "interrupt",
                on_call=call is not None,
                schema=schema if isinstance(schema, dict) else None,
                expires_at=str_or_none(_get(item, "expiresAt")),
                message=str_or_none(_get(item, "message")),
                reason=reason,
            )
        )
    return out


def form_schema(schema: dict[str, Any] | None) -> dict[str, Any]:
    """The object schema the form is built from: ``schema`` itself when it is an object's,
    else one field, ``answer``, of that schema (none: a free text answer)."""
    if isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema):
        return schema
    inner = schema if isinstance(schema, dict) else {"type": "string"}
    return {"type": "object", "properties": {_WRAPPED: inner}, "required": [_WRAPPED]}


def fill(schema: dict[str, Any]) -> dict[str, Any]:
    """Where an answer starts: each field's default, else null."""
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    return {k: v.get("default") if isinstance(v, dict) else None for k, v in props.items()}


def payload(question: Question, fields: Any) -> Any:
    """The answer the agent asked for, from the form's ``fields``."""
    wrapped = form_schema(question.schema) is not question.schema
    if wrapped and isinstance(fields, dict):
        return fields.get(_WRAPPED)
    if isinstance(fields, dict):  # a field left empty is not in the answer
        return {k: v for k, v in fields.items() if v is not None}
    return fields


def ask(question: Question, error: str | None = None) -> Status:
    """The paused question, as the page's form shows it."""
    schema = form_schema(question.schema)
    head = question.message or f"The agent asks for input ({question.name})"
    detail = approval_detail(
        "ag-ui",
        schema=schema,
        interrupt_id=question.id,
        call_id=question.call_id,
        reason=question.reason,
        message=question.message,
        response_schema=question.schema,
        expires_at=question.expires_at,
    )
    detail["actions"] = list(ACTIONS)  # a question's three (the approvals' list has no dismiss)
    detail["fill"] = fill(schema)
    detail["head"] = (
        f"{head[:500]} (Accept: send the answer below; Decline or Dismiss: answer it cancelled)"
    )
    if error:
        detail["error"] = error
    return awaiting_status(question.call_id, question.name, detail, "awaits an answer")


def on_asked(item: Asked, out: list[Event]) -> None:
    """``Asked``: each question (or the one asked again) paused in the cell."""
    for q in questions(item.event)[:MAX_ASKED]:
        if item.only is not None and q.id != item.only:
            continue
        if not q.on_call and item.only is None:  # a call of its own, named by the reason
            out.append(ToolCallStart(tool_call_id=q.call_id, name=q.name, executor="client"))
        out.append(ask(q, item.error))


def on_answered(item: Answered, out: list[Event]) -> None:
    """``Answered``: the question goes on as answered; one of its own ends with the answer."""
    q = item.question
    said = "answered" if item.status == "resolved" else "cancelled"
    detail = {"action": item.action, "args": None, "reason": said}
    out.append(
        Status(
            state="approval_answered",
            text=f"{q.name} {said}",
            tool_call_id=q.call_id,
            detail=detail,
        )
    )
    if q.on_call:  # the agent reports its call's result on the run it resumes
        return
    if item.status == "resolved":
        content = json.dumps(item.payload, ensure_ascii=False)
        out.append(ToolResult(tool_call_id=q.call_id, content=content, name=q.name))
    else:
        out.append(
            ToolResult(tool_call_id=q.call_id, content="cancelled", name=q.name, is_error=True)
        )
