"""AG-UI interrupts that concern a tool call (``RUN_FINISHED.outcome.interrupts[i].toolCallId``,
AG-UI 1.0's tool approvals): each pauses that call (the others are the run's ``interrupt``
blocks, from ``RunEnd.meta["interrupts"]``). Read from a stream nbagent does not drive (a file,
a recording, someone else's), the next run's input answers them, with a ``resume`` entry per
interrupt (the ``hint``; ``resume.py``); when it drives the agent, ``questions.py`` asks them
in the cell instead."""

from __future__ import annotations

import json
from typing import Any

from nbagent.adapters.ag_ui.tables import _get
from nbagent.adapters.approvals import approval_detail, awaiting_status
from nbagent.adapters.base import list_or_empty, plain, str_or_none
from nbagent.core.events import Status

__all__ = ["interrupt_statuses", "resume_hint"]


def resume_hint(thread_id: str | None, interrupt_id: str) -> str:
    """The code that answers ``interrupt_id``: the agent's next run, its ``RunAgentInput``
    with a ``resume`` entry (``resume.py``)."""
    thread = json.dumps(thread_id or "<the thread id>")
    return (
        "from nbagent.adapters.ag_ui import resume_entries\n"
        f'body = {{"threadId": {thread}, "runId": "<a new id>", "messages": [...]}}\n'
        f'body["resume"] = resume_entries(run.transcript, {{{json.dumps(interrupt_id)}: answer}})\n'
        'show(sse(url, json=body), format="ag-ui")'
    )


def interrupt_statuses(outcome: Any, thread_id: str | None) -> list[Status]:
    """An ``awaiting_approval`` status for each interrupt naming a tool call."""
    out = []
    for interrupt in list_or_empty(_get(outcome, "interrupts")):
        tool_call_id = str_or_none(_get(interrupt, "toolCallId"))
        interrupt_id = str_or_none(_get(interrupt, "id"))
        if tool_call_id is None or interrupt_id is None:
            continue
        message = str_or_none(_get(interrupt, "message"))
        detail = approval_detail(
            "ag-ui",
            hint=resume_hint(thread_id, interrupt_id),
            interrupt_id=interrupt_id,
            reason=str_or_none(_get(interrupt, "reason")),
            message=message,
            response_schema=plain(_get(interrupt, "responseSchema")),
            expires_at=str_or_none(_get(interrupt, "expiresAt")),
        )
        if message:  # the paused panel's head line: what the agent asks
            detail["head"] = message[:500]
        name = str_or_none(_get(interrupt, "reason")) or "tool"
        out.append(awaiting_status(tool_call_id, name, detail, "awaits an answer"))
    return out
