"""``Steps``: the steps of one interaction, the part ``GoogleInteractionsAdapter`` holds, by
the index its ``step.start`` / ``step.delta`` / ``step.stop`` events give.

A step's ``type`` says what it is:

- ``model_output``: text (its start's ``content`` text parts, then ``text`` deltas); an
  ``image``, ``video`` or ``document`` (content or delta) is a ``Media`` where it came (its
  ``data``, or its ``uri``), the ``audio`` pieces of a step one ``Media`` at its stop (raw
  ``audio/l16`` with its ``sample_rate`` and ``channels``); a ``text_annotation_delta`` is kept
  on ``google.annotations``;
- ``thought``: thinking (its start's ``summary`` text parts, then ``thought_summary`` deltas'
  text); its ``signature`` (the start's, or a ``thought_signature`` delta) on the thinking's end;
- ``function_call``: a call the caller runs (``id``, ``name``; its ``arguments_delta`` pieces,
  else the start's ``arguments``);
- ``<tool>_call`` (``google_search_call``, ``code_execution_call``, ``url_context_call``,
  ``mcp_server_tool_call``, ...): a call the server runs, named ``<tool>`` (an MCP server's: its
  tool's ``name``, its ``server_name``), its ``arguments`` whole (the start's, a delta's);
- ``<tool>_result`` and ``function_result``: the result of the call ``call_id`` (``result`` at
  the start or in deltas, ``is_error``), said at the step's stop; a result whose call this
  stream never showed gets the call first, named by the step;
- anything else (``user_input``, a type this version does not know): a ``Custom``.

A delta whose step never started (a stream resumed mid-step) opens the part its type says.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.kit import Ids, Parts, call_events
from nbagent.adapters.kit.media import Sounds, media_event
from nbagent.core.events import Custom, Event, ToolResult

__all__ = ["MEDIA", "Steps"]

MEDIA = ("image", "audio", "video", "document")
"""Content kinds that are pictures, sounds, files (``Media``), not text."""


class _Step:
    """An open step: its kind, a call's id, name and whole arguments, a result's pieces."""

    __slots__ = ("args", "call_id", "error", "kind", "name", "results", "signature")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.call_id: str | None = None
        self.name: str | None = None
        self.args: Any = None
        self.results: list[Any] = []
        self.error = False
        self.signature: str | None = None


def raw(obj: Any) -> Any:
    """An SDK object of a kind the SDK did not know (``is_unknown``): the payload it kept."""
    return field(obj, "raw") if field(obj, "is_unknown") is True else obj


def tool_name(kind: str, obj: Any) -> str:
    """The name of a server tool's call or result step: ``google_search`` of
    ``google_search_call``, an MCP server tool's own ``name``."""
    if kind.startswith("mcp_server_tool"):
        return str_or_none(field(obj, "name")) or "mcp_tool"
    return kind.removesuffix("_call").removesuffix("_result")


class Steps:
    """The interaction's open steps, messages and calls (kit ``Parts`` keyed by step index, named
    by the run's ``ids``), and the calls it showed (``calls``) and answered (``answered``)."""

    def __init__(self, ids: Ids) -> None:
        self.parts = Parts(ids)
        self._open: dict[Hashable, _Step] = {}
        self.calls: set[str] = set()
        self.answered: set[str] = set()
        self.client_calls: list[str] = []  # function calls, in order
        self.sounds = Sounds()  # each step's audio pieces, by its index

    # -- the three events --------------------------------------------------------------------

    def start(self, index: Hashable, step: Any, out: list[Event]) -> None:
        self.stop(index, out)  # a step at an index still open: it ended
        step = raw(step)
        kind = str_or_none(field(step, "type")) or ""
        opened = self._open[index] = _Step(kind)
        if kind == "model_output":
            for content in list_or_empty(field(step, "content")):
                self._content(index, "text", content, out)
        elif kind == "thought":
            opened.signature = str_or_none(field(step, "signature")) or None
            for content in list_or_empty(field(step, "summary")):
                self._content(index, "thinking", content, out)
        elif kind == "function_call" or kind.endswith("_call"):
            self._call(index, opened, step, out)
        elif kind.endswith("_result"):
            opened.call_id = str_or_none(field(step, "call_id"))
            opened.name = str_or_none(field(step, "name"))
            self._result(opened, step)
        else:
            out.append(Custom(name=f"google.{kind or 'step'}", value=plain(step)))

    def delta(self, index: Hashable, delta: Any, out: list[Event]) -> None:
        delta = raw(delta)
        kind = str_or_none(field(delta, "type")) or ""
        step = self._open.get(index)
        if step is None:  # a stream resumed mid-step: the delta says what it is
            step = self._open[index] = _Step(_STEP_OF.get(kind, kind))
        if kind == "text":
            self.parts.put("text", index, field(delta, "text"), out)
        elif kind == "thought_summary":
            self._content(index, "thinking", field(delta, "content"), out)
        elif kind == "thought_signature":
            step.signature = str_or_none(field(delta, "signature")) or step.signature
        elif kind == "arguments_delta":
            part = self.parts.get(index)
            if part is None or part.kind != "call":
                part = self._call(index, step, delta, out)
            self.parts.delta(part, field(delta, "arguments"), out)
        elif kind in MEDIA:
            self._medium(index, delta, out)
        elif kind == "text_annotation_delta":
            out.append(Custom(name="google.annotations", value=plain(delta)))
        elif kind.endswith("_call"):
            if self.parts.get(index) is None:
                self._call(index, step, delta, out)
            step.args = plain(field(delta, "arguments")) or step.args
        elif kind.endswith("_result"):
            step.name = step.name or str_or_none(field(delta, "name"))
            self._result(step, delta)
        else:
            out.append(Custom(name=f"google.{kind or 'delta'}", value=plain(delta), is_raw=True))

    def stop(self, index: Hashable, out: list[Event]) -> None:
        if (sound := self.sounds.end(index)) is not None:
            out.append(sound)
        step = self._open.pop(index, None)
        if step is None:
            return
        part = self.parts.get(index)
        if part is not None and part.kind == "call":
            if part.streamed:
                self.parts.close(index, out)
            else:
                arguments = json.dumps(step.args if step.args is not None else {})
                self.parts.close(index, out, arguments=arguments)
        elif part is not None:
            signature = step.signature if part.kind == "thinking" else None
            self.parts.close(index, out, **({"signature": signature} if signature else {}))
        if step.kind.endswith("_result") and step.call_id:
            self._answer(step, out)

    def close(self, out: list[Event]) -> None:
        """Every open step stopped (the interaction ended)."""
        for index in list(self._open):
            self.stop(index, out)
        out.extend(self.sounds.end_all())
        self.parts.close_all(out)

    # -- parts -------------------------------------------------------------------------------

    def _content(self, index: Hashable, channel: Any, content: Any, out: list[Event]) -> None:
        """A content part of a message or a thought: its text, or a medium kept whole."""
        content = raw(content)
        kind = field(content, "type")
        if kind == "text":
            self.parts.put(channel, index, field(content, "text"), out)
        elif kind in MEDIA:
            self._medium(index, content, out)
        elif kind is not None:
            out.append(Custom(name=f"google.{kind}", value=plain(content)))

    def _medium(self, index: Hashable, obj: Any, out: list[Event]) -> None:
        """An image, video or document where it came in the step's text (the text after it a
        message of its own), or a piece of the step's audio."""
        kind = str_or_none(field(obj, "type")) or "media"
        mime = str_or_none(field(obj, "mime_type")) or ""
        part = self.parts.get(index)
        if part is not None and part.kind != "call":
            self.parts.close(index, out)
        if kind == "audio" and field(obj, "uri") is None:
            rate, channels = field(obj, "sample_rate"), field(obj, "channels")
            if isinstance(rate, int) and rate > 0:
                mime += f";rate={rate}" + (f";channels={channels}" if channels else "")
            media_id = "" if index in self.sounds else self.parts.ids.new("media")
            self.sounds.add(index, media_id, mime, field(obj, "data"))
            return
        media_id = self.parts.ids.new("media")
        out.append(media_event(media_id, mime, field(obj, "data"), url=field(obj, "uri")))

    def _call(self, index: Hashable, step: _Step, obj: Any, out: list[Event]) -> Any:
        kind = step.kind if step.kind.endswith("_call") else "function_call"
        client = kind == "function_call"
        name = str_or_none(field(obj, "name")) if client else tool_name(kind, obj)
        wire_id = str_or_none(field(obj, "id"))
        fields: dict[str, Any] = {"name": name or "function", "wire_id": wire_id}
        if not client:
            fields["executor"] = "server"
            fields["server"] = str_or_none(field(obj, "server_name"))
        part = self.parts.start("call", index, out, **fields)
        self.calls.add(part.id)
        if client:
            self.client_calls.append(part.id)
        arguments = field(obj, "arguments")
        if not isinstance(arguments, str):
            step.args = plain(arguments) or None
        return part

    def _result(self, step: _Step, obj: Any) -> None:
        result = field(obj, "result")
        if result is not None:
            step.results.append(plain(result))
        step.error = step.error or field(obj, "is_error") is True

    def _answer(self, step: _Step, out: list[Event]) -> None:
        call_id = step.call_id or ""
        name = step.name or tool_name(step.kind, None)
        if call_id not in self.calls:  # its call came in an earlier interaction
            client = step.kind == "function_result"
            out.extend(call_events(call_id, name, executor=None if client else "server"))
            self.calls.add(call_id)
        results = step.results
        content: Any = results[0] if len(results) == 1 else results or None
        if all(isinstance(r, str) for r in results) and len(results) > 1:
            content = "".join(results)
        self.answered.add(call_id)
        out.append(ToolResult(tool_call_id=call_id, content=content, name=name,
                              is_error=step.error))  # fmt: skip


_STEP_OF = {
    "text": "model_output",
    "thought_summary": "thought",
    "thought_signature": "thought",
    "arguments_delta": "function_call",
    **dict.fromkeys(MEDIA, "model_output"),
}
"""The step a delta belongs to, when its step's start never came."""
