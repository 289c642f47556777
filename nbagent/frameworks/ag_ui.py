"""An AG-UI agent nbagent drives, its interrupts answered from the cell, within the same run:
``nbagent.show(nbagent.sse(url, json=run_agent_input))`` (a POST whose body is a
``RunAgentInput``: ``threadId``, ``runId``, ``messages``).

The stream is read as it comes. A ``RUN_FINISHED`` whose outcome is ``interrupt`` does not
end the run: each interrupt becomes a paused question in the cell, answered with the form of
its ``response_schema`` (``nbagent.adapters.ag_ui.questions``), or from code with
``run.approve(i, **fields)`` / ``run.deny(i)`` / ``run.dismiss(i)``. An answer is checked
first (``check_answer``: the schema, and ``expires_at``): one that does not fit, or comes too
late, is refused in one line and the question stays. Declined or dismissed, an interrupt is
answered ``cancelled``. Once every interrupt has its answer nbagent posts the next
``RunAgentInput`` to the same URL: the same ``threadId``, a new ``runId``, the messages so
far (``Conversation``) and ``resume`` (one entry per interrupt, ``resume_entries``' shape),
and the continued stream shows in the same run, which ends as that stream ends. A server that
refuses the resume (an HTTP error) ends the run ``error``, keeping what arrived.

The same run, not a follow-on one: the agent's run that resumes is the same task to the
author, its answer is the rest of the same reply, and the run's transcript, save and exports
read it whole (the question, the answer, what came of it), as a framework's approvals do
(``with_approvals``). Not driven (the source read without a ``Run``, a file, a recording, a
sync ``httpx.Client``), the interrupts end the run with their code hint, as before.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from nbagent.adapters.ag_ui.conversation import Conversation
from nbagent.adapters.ag_ui.questions import (
    ACTIONS,
    MAX_ASKED,
    Answered,
    Asked,
    Question,
    fill,
    form_schema,
    payload,
    questions,
)
from nbagent.adapters.ag_ui.resume import check_answer, resume_entries
from nbagent.adapters.base import ServerSentEvent
from nbagent.frameworks.kit.resuming import ResumingSource
from nbagent.runtime.pause import Answer, PauseRequest
from nbagent.sources.http import SSESource

__all__ = ["AgUiResume", "drives_ag_ui"]


def drives_ag_ui(source: Any) -> bool:
    """``source`` posts an AG-UI ``RunAgentInput`` (read as ``ag-ui`` or detected) with a
    client nbagent can read asynchronously: nbagent can post the next one."""
    if not isinstance(source, SSESource) or source.method != "POST":
        return False
    body = source.json
    if source.nbagent_format not in ("ag-ui", "auto") or not isinstance(body, Mapping):
        return False
    ids = all(isinstance(body.get(k), str) for k in ("threadId", "runId"))
    return ids and isinstance(body.get("messages"), list) and source.nbagent_async


def _event(item: Any) -> Any:
    """An SSE event's AG-UI event (a dict), or the item itself when its data is no JSON."""
    if not isinstance(item, ServerSentEvent):
        return item
    try:
        return json.loads(item.data)
    except (ValueError, RecursionError):  # the adapter says why
        return item


def _interrupted(ev: Any) -> bool:
    if not isinstance(ev, dict) or ev.get("type") != "RUN_FINISHED":
        return False
    outcome = ev.get("outcome")
    return isinstance(outcome, dict) and outcome.get("type") == "interrupt" and bool(questions(ev))


class AgUiResume(ResumingSource):
    """An ``nbagent.sse`` source posting a ``RunAgentInput``, whose interrupts wait on the
    run's ``pauses`` and continue the thread in the same run."""

    def __init__(self, source: SSESource) -> None:
        self.nbagent_format = source.nbagent_format
        """``ag-ui``, or ``auto`` (detected from the stream, as ``source`` would be)."""
        self.source = source
        """The request being read (the next one once an interrupt was answered)."""
        self.body: dict[str, Any] = dict(source.json)
        self._thread = Conversation(self.body.get("messages"))
        super().__init__()

    def __repr__(self) -> str:
        return f"<AgUiResume {self.source!r}>"

    async def _read(self) -> AsyncGenerator[Any, None]:
        try:
            async for item in self._runs():
                yield item
        finally:  # Stop: the request being read is closed (the server sees a disconnect)
            await self.source.aclose()

    async def _runs(self) -> AsyncGenerator[Any, None]:
        thread = self._thread
        while True:
            finished = None
            async for item in self.source:
                ev = _event(item)
                thread.feed(ev)
                if self._pauses is not None and _interrupted(ev):
                    finished = ev  # the run goes on: asked in the cell, not ended
                    continue
                yield item  # as it came (its SSE event name too: the format is detected)
            if finished is None:
                return
            answers: dict[str, Any] = {}
            done: list[bool] = []
            async for said in self._ask(finished, answers, done):
                yield said
            if not done:  # stopped while it waited
                return
            entries = _entries(finished, answers)
            self.body = self.body | {
                "runId": f"run-{uuid.uuid4().hex[:12]}",
                "messages": thread.messages(),
                "resume": entries,
            }
            self.source = _next(self.source, self.body)

    async def _ask(
        self, finished: dict[str, Any], answers: dict[str, Any], done: list[bool]
    ) -> AsyncGenerator[Any, None]:
        """Ask every interrupt at once, yield what the run shows of each answer as it comes,
        and fill ``answers`` (the payload of each resolved one); ``done`` gets ``True`` once
        each has its answer (not when the run was stopped)."""
        yield Asked(finished)
        asked = questions(finished)[:MAX_ASKED]  # the rest: cancelled
        said: asyncio.Queue[Any] = asyncio.Queue()
        tasks = [asyncio.ensure_future(self._one(q, said)) for q in asked]
        answered = 0
        try:
            while answered < len(asked):
                item = await said.get()
                if item is None:  # stopped
                    return
                if isinstance(item, Exception):  # a question that could not be asked
                    raise item
                if isinstance(item, Answered):
                    answered += 1
                    if item.status == "resolved":
                        answers[item.question.id] = item.payload
                yield item
            done.append(True)
        finally:
            for task in tasks:
                task.cancel()

    async def _one(self, q: Question, said: asyncio.Queue[Any]) -> None:
        """One interrupt's answer, asked again (saying why) until it fits."""
        assert self._pauses is not None
        schema = form_schema(q.schema)
        start = fill(schema)

        def validate(fields: dict[str, Any]) -> None:
            error = check_answer(q.schema, payload(q, fields), expires_at=q.expires_at)
            if error:
                raise ValueError(error)

        name = (self._thread.call_name(q.call_id) if q.on_call else None) or q.name
        request = PauseRequest(
            self._ids.ours(q.call_id),
            name,
            start,
            schema=schema,
            validate=validate,
            actions=ACTIONS,
        )
        try:
            await self._answers(q, request, start, said)
        except Exception as exc:  # noqa: BLE001 - the run ends with it, never a silent hang
            await said.put(exc)

    async def _answers(
        self, q: Question, request: PauseRequest, start: dict[str, Any], said: asyncio.Queue[Any]
    ) -> None:
        assert self._pauses is not None
        while True:
            answer: Answer = await self._pauses.before_tool(request)
            if answer.action == "cancel":
                await said.put(None)
                return
            if answer.action != "run":  # Decline, Dismiss
                await said.put(Answered(q, "cancelled", answer.action))
                return
            value = payload(q, answer.args if answer.args is not None else start)
            error = check_answer(q.schema, value, expires_at=q.expires_at)
            if error is None:
                await said.put(Answered(q, "resolved", "run", value))
                return
            await said.put(Asked(_only(q), only=q.id, error=error))


def _entries(finished: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``resume`` entries, by ``resume_entries`` (which checks each answer once more: one
    that expired meanwhile ends the run in one line, never posted)."""
    blocks = [
        {"type": "interrupt", "id": q.id, "response_schema": q.schema, "expires_at": q.expires_at}
        for q in questions(finished)
    ]
    return resume_entries({"blocks": blocks}, answers)


def _only(q: Question) -> dict[str, Any]:
    """A ``RUN_FINISHED`` asking ``q`` alone (to ask it again)."""
    interrupt: dict[str, Any] = {"id": q.id, "reason": q.reason, "message": q.message}
    if q.on_call:
        interrupt["toolCallId"] = q.call_id
    interrupt |= {"responseSchema": q.schema, "expiresAt": q.expires_at}
    outcome = {"type": "interrupt", "interrupts": [interrupt]}
    return {"type": "RUN_FINISHED", "outcome": outcome}


def _next(source: SSESource, body: dict[str, Any]) -> SSESource:
    """The request that resumes the thread: ``source``'s, with ``body``."""
    return SSESource(
        source.url,
        method=source.method,
        json=body,
        headers=source.headers,
        format="ag-ui",
        timeout=source.timeout,
        client=source.client,
    )
