"""``OtelFileAdapter``: the span adapter for a run read from a file (``nbagent.load_trace``).

A file holds every span of the run, of every instrumentation: what a live ``watch()`` leaves
out is a step here. A span of no GenAI role (an HTTP call, a database query, a span whose
attributes follow no convention nbagent knows) or a chain is a plain step with its name and
times (``step_type`` ``"node"`` or ``"chain"``), so that nothing the file recorded is lost.
A tool span inside a model call's span (Google ADK runs its tools inside ``call_llm``) has
announced its call before the model span's output names it: the output's call is that one,
not a second.

A model call's input messages say what its outputs do not: the user's prompt (before the
first model call of each turn: each new last user message of a scope) and the results of
the calls no tool span answered (an instrumentation of the client alone, or a file of log
events only), at the call's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.otel.adapter import OtelAdapter, _Span
from nbagent.adapters.otel.common import Part, ToolRun, error_of, indexed, parse_json, seconds
from nbagent.core.events import Custom, Event, StepEnd, StepStart, ToolCallStart, ToolResult

__all__ = ["OtelFileAdapter"]


class OtelFileAdapter(OtelAdapter):
    """``OtelAdapter`` with every span shown: the ones of no GenAI role as plain steps."""

    def __init__(self) -> None:
        super().__init__()
        self._plain: dict[str, _Span] = {}  # the plain steps open, by span id
        self._inside: dict[str, list[tuple[str, str | None]]] = {}
        """Per model span: the calls its tool spans announced (name, the file's id)."""
        self._open_calls: dict[str, str | None] = {}  # calls announced, no result yet → scope
        self._said: dict[str | None, str] = {}  # per scope: the last user message shown

    def feed(self, record: HookRecord) -> list[Event]:
        out = super().feed(record)
        for ev in out:
            if isinstance(ev, ToolCallStart):
                self._open_calls[ev.tool_call_id] = ev.parent
            elif isinstance(ev, ToolResult):
                self._open_calls.pop(ev.tool_call_id, None)
        return out

    def _open(self, span: _Span, attrs: Mapping[str, Any], ts: float) -> list[Event]:
        said = self._inputs(span, attrs, ts) if span.role == "model" and not span.in_model else []
        out = said + super()._open(span, attrs, ts)
        if span.role in ("", "chain") and span.id not in self._plain:
            self._plain[span.id] = span
            kind: Literal["chain", "node"] = "chain" if span.role == "chain" else "node"
            out.append(
                StepStart(step_id=span.id, name=span.name, step_type=kind, ts=ts, parent=span.scope)
            )
        return out

    def _inputs(self, span: _Span, attrs: Mapping[str, Any], ts: float) -> list[Event]:
        """What the model call's input says that nothing showed yet: the scope's prompt, the
        results of its calls that no tool span answered."""
        out: list[Event] = []
        messages = _input_messages(attrs)
        prompt = next((text for role, text, _ in reversed(messages) if role == "user"), "")
        if prompt and self._said.get(span.scope) != prompt:  # a new turn of the user's
            self._said[span.scope] = prompt
            out.append(Custom(name="user_message", value=prompt, ts=ts, parent=span.scope))
        for role, content, call_id in messages:
            if role != "tool" or call_id is None:
                continue
            ours = self._calls.get((span.root, call_id), call_id)
            if ours in self._open_calls:
                parent = self._open_calls.pop(ours)
                out.append(ToolResult(tool_call_id=ours, content=content, ts=ts, parent=parent))
        return out

    def _end(self, data: Mapping[str, Any], root: str) -> list[Event]:
        out = super()._end(data, root)
        sid = str(data.get("span_id") or "")
        ran = self._spans.get(sid)
        if ran is not None and ran.role == "tool":  # the tool's time: its span's, not the call's
            took = max(seconds(data.get("end")) - seconds(data.get("start")), 0.0)
            for ev in out:
                if isinstance(ev, ToolResult) and ev.tool_call_id == ran.call_id:
                    ev.meta = {**(ev.meta or {}), "duration_s": took}
        span = self._plain.pop(sid, None)
        if span is not None:
            ts = seconds(data.get("end"))
            error = error_of(data, ts)
            if error is not None and not span.in_model:  # a model call's failure says it
                error.parent = span.scope
                out.append(error)
            finish = "error" if error is not None else None
            out.append(
                StepEnd(
                    step_id=span.id, name=span.name, finish_reason=finish, ts=ts, parent=span.scope
                )
            )
        return out

    def end(self) -> list[Event]:
        out = [StepEnd(step_id=sid, name=span.name) for sid, span in self._plain.items()]
        self._plain.clear()
        return out + super().end()

    def _find_call(self, span: _Span, run: ToolRun, ts: float) -> list[Event]:
        out = super()._find_call(span, run, ts)
        model = next((above for above in span.ancestors() if above.role == "model"), None)
        if out and model is not None:  # announced here, before the model span's output
            self._inside.setdefault(model.id, []).append((run.name or span.name, run.call_id))
        return out

    def _parts(self, span: _Span, parts: list[Part], ts: float) -> list[Event]:
        inside = self._inside.pop(span.id, [])
        kept = [part for part in parts if not _announced(part, inside)]
        return super()._parts(span, kept, ts)


def _announced(part: Part, inside: list[tuple[str, str | None]]) -> bool:
    """The output's tool call is one a tool span inside the model span announced already (by
    its id, or by its name where the output gives none); that one is then taken."""
    if part.kind != "tool_call":
        return False
    for n, (name, call_id) in enumerate(inside):
        if (part.call_id is not None and part.call_id == call_id) or (
            part.call_id is None and part.name == name
        ):
            del inside[n]
            return True
    return False


def _input_messages(attrs: Mapping[str, Any]) -> list[tuple[str, Any, str | None]]:
    """A model call's input: (role, its text or a tool result, the call id of a result), in
    GenAI's ``gen_ai.input.messages`` or OpenInference's ``llm.input_messages.*``."""
    out: list[tuple[str, Any, str | None]] = []
    for message in list_or_empty(parse_json(attrs.get("gen_ai.input.messages"))):
        if not isinstance(message, Mapping):
            continue
        role = str(message.get("role") or "")
        texts = []
        for part in list_or_empty(message.get("parts")):
            if not isinstance(part, Mapping):
                continue
            if part.get("type") == "text" and isinstance(part.get("content"), str):
                texts.append(part["content"])
            elif part.get("type") == "tool_call_response":
                result = part.get("response", part.get("result"))
                out.append(("tool", result, str_or_none(part.get("id"))))
        if texts:
            out.append((role, "\n".join(texts), None))
    for message in indexed(attrs, "llm.input_messages."):
        role = str(message.get("message.role") or "")
        content = message.get("message.content")
        if not isinstance(content, str):
            parts = indexed(message, "message.contents.")
            content = "\n".join(
                p["message_content.text"]
                for p in parts
                if isinstance(p.get("message_content.text"), str)
            )
        if role == "tool":
            out.append(("tool", content, str_or_none(message.get("message.tool_call_id"))))
        elif content:
            out.append((role, content, None))
    return out
