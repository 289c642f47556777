"""A tiny AG-UI agent over HTTP, made of the ``ag-ui-protocol`` package's own objects: it reads
each POST as the SDK's ``RunAgentInput`` (a body it does not validate is answered 422), streams
``ag_ui.core`` events through ``ag_ui.encoder.EventEncoder``, and asks, on its first run, for a
booking's details (an interrupt with a ``response_schema``; with ``on_call=True`` also the
approval of a tool call). The run that resumes it answers with text using the value::

    with BookingAgent() as agent:
        run = nbagent.show(nbagent.sse(agent.url, json=agent.first_input()))
        agent.inputs      # every RunAgentInput it was sent (the SDK's objects)

``fail_resume=True``: the resume is answered HTTP 500 (a server that errors on it);
``expires_at`` is the details interrupt's."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from ag_ui.core import (
    Interrupt,
    RunAgentInput,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
    UserMessage,
)
from ag_ui.encoder import EventEncoder

from nbagent.demo.model import LocalServer

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "nights": {"type": "integer"},
    },
    "required": ["city"],
}
APPROVAL = {
    "type": "object",
    "properties": {"approved": {"type": "boolean"}},
    "required": ["approved"],
}


class BookingAgent(LocalServer):
    """See the module docstring."""

    def __init__(
        self, *, on_call: bool = False, expires_at: str | None = None, fail_resume: bool = False
    ) -> None:
        self.on_call = on_call
        self.expires_at = expires_at
        self.fail_resume = fail_resume
        self.inputs: list[RunAgentInput] = []
        self.refused: list[str] = []  # bodies it could not read as a RunAgentInput

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/agent"

    @staticmethod
    def first_input() -> dict[str, Any]:
        """The first run's input, as a client writes it (the SDK's own dump)."""
        run_input = RunAgentInput(
            thread_id="th-1",
            run_id="run-1",
            messages=[UserMessage(id="u1", content="Book me a trip.")],
            state=None,
            tools=[],
            context=[],
            forwarded_props=None,
        )
        return run_input.model_dump(by_alias=True, exclude_none=True)

    def events(self, run_input: RunAgentInput) -> list[Any]:
        """The events of the run ``run_input`` asks for."""
        ids = {"thread_id": run_input.thread_id, "run_id": run_input.run_id}
        if not run_input.resume:
            return [RunStartedEvent(**ids), *self._ask(run_input)]
        answers = {e.interrupt_id: e for e in run_input.resume}
        out: list[Any] = [RunStartedEvent(**ids)]
        approval = answers.get("i-approve")
        if approval is not None:
            approved = approval.status == "resolved" and bool(
                (approval.payload or {}).get("approved")
            )
            result = "cancelled B-7" if approved else "not cancelled"
            out.append(ToolCallResultEvent(message_id="m-tool", tool_call_id="c1", content=result))
        details = answers.get("i-details")
        if details is not None and details.status == "resolved":
            fields = details.payload or {}
            nights = fields.get("nights") or 1
            text = f"Booked {fields.get('city')} for {nights} nights."
        else:
            text = "Nothing booked."
        out += _text("m2", text)
        out.append(RunFinishedEvent(**ids))
        return out

    def _ask(self, run_input: RunAgentInput) -> list[Any]:
        ids = {"thread_id": run_input.thread_id, "run_id": run_input.run_id}
        out: list[Any] = _text("m1", "I need your trip's details.")
        interrupts = [
            Interrupt(
                id="i-details",
                reason="input_required",
                message="Where to, and for how many nights?",
                response_schema=SCHEMA,
                expires_at=self.expires_at,
            )
        ]
        if self.on_call:
            out += [
                ToolCallStartEvent(
                    tool_call_id="c1", tool_call_name="cancel_booking", parent_message_id="m1"
                ),
                ToolCallArgsEvent(tool_call_id="c1", delta='{"booking": "B-7"}'),
                ToolCallEndEvent(tool_call_id="c1"),
            ]
            interrupts.insert(
                0,
                Interrupt(
                    id="i-approve",
                    reason="tool_approval",
                    message="Cancel booking B-7?",
                    tool_call_id="c1",
                    response_schema=APPROVAL,
                ),
            )
        outcome = RunFinishedInterruptOutcome(interrupts=interrupts)
        out.append(RunFinishedEvent(**ids, outcome=outcome))
        return out


def _text(message_id: str, text: str) -> list[Any]:
    return [
        TextMessageStartEvent(message_id=message_id, role="assistant"),
        TextMessageContentEvent(message_id=message_id, delta=text),
        TextMessageEndEvent(message_id=message_id),
    ]


def _handler_for(agent: BookingAgent) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                run_input = RunAgentInput.model_validate(json.loads(body))
            except ValueError as exc:
                agent.refused.append(body.decode(errors="replace"))
                self._error(422, str(exc).splitlines()[0])
                return
            agent.inputs.append(run_input)
            if run_input.resume and agent.fail_resume:
                self._error(500, "the booking service is down")
                return
            encoder = EventEncoder()
            self.send_response(200)
            self.send_header("Content-Type", encoder.get_content_type())
            self.end_headers()
            for event in agent.events(run_input):
                self.wfile.write(encoder.encode(event).encode())
                self.wfile.flush()

        def _error(self, status: int, message: str) -> None:
            data = json.dumps({"error": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
