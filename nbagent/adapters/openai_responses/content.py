"""Content: ``Content``, the part of ``OpenAIResponsesAdapter`` that streams text, refusal,
thinking (summary and reasoning parts) and tool-call arguments into the output ``Items`` it is
given, a spoken answer (its transcript as text, its audio a ``Media``), shows hosted tools'
progress as ``Status``, and takes the full texts of the ``.done``
events and of ``output_item.done``, which only reconcile (a missing suffix is emitted, never
the whole again). Each content part is a kit part inside its item's (keyed by its kind and
index, in the item's scope): its text is what a full text reconciles with. Its own state is
whether a refusal came.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.media import Sounds
from nbagent.adapters.kit.parts import Part
from nbagent.adapters.kit.reconcile import missing_suffix
from nbagent.adapters.openai_responses.items import Items
from nbagent.adapters.openai_responses.maps import FUNCTION_ITEMS, PROGRESS
from nbagent.core.data.media import OPENAI_PCM
from nbagent.core.events import Custom, Event, Status

__all__ = ["Content"]

_KINDS = {"message": "text", "reasoning": "thinking"}
"""An item type that has content parts → the kind of its part."""


class Content:
    """``OpenAIResponsesAdapter``'s content of the output items."""

    def __init__(self, items: Items) -> None:
        self.items = items
        self.refusal = False
        self.sounds = Sounds()

    def audio(self, kind: str, payload: Any, out: list[Event]) -> None:
        """A spoken answer: its transcript is the answer's text (a message of its own), its
        audio's base64 pieces one ``Media`` at ``response.audio.done`` (OpenAI's ``pcm16``
        when the pieces carry no container)."""
        if kind == "response.audio.transcript.delta":
            self.items.parts.put("text", "audio", field(payload, "delta"), out)
        elif kind == "response.audio.transcript.done":
            self.items.parts.close("audio", out)
        elif kind == "response.audio.delta":
            media_id = "" if "audio" in self.sounds else self.items.ids.new("media")
            self.sounds.add("audio", media_id, OPENAI_PCM, field(payload, "delta"))
        else:
            out.extend(self.sounds.end_all())

    def item_done(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        key = self.items.key_of(payload, item)
        state = self.items.parts.get(key) if key is not None else None
        if state is None:
            if key is not None and key in self.items.types:
                return  # closed already
            # never announced: announce it now, then finish it from its full content
            self.items.added(payload, out)
            state = self.items.item_of(payload, item)
            if state is None:
                return
        item_type = self.items.types[str(state.key)]
        if item_type == "message":
            content = field(item, "content")
            if isinstance(content, list):
                for index, part in enumerate(content):
                    kind = "refusal" if field(part, "type") == "refusal" else "text"
                    text = field(part, "refusal" if kind == "refusal" else "text")
                    self._put(state, kind, index, text, out, full=True)
        elif item_type == "reasoning":
            # The item's ``content`` is what ``reasoning_text.delta`` streamed as "reasoning".
            for key, kind in (("summary", "summary"), ("content", "reasoning")):
                parts = field(item, key)
                if isinstance(parts, list):
                    for index, part in enumerate(parts):
                        self._put(state, kind, index, field(part, "text"), out, full=True)
        elif item_type in FUNCTION_ITEMS:
            key = "input" if item_type == "custom_tool_call" else "arguments"
            self.items.end_call(state, field(item, key), out)
            return
        elif isinstance(field(item, "id"), str):
            self.items.end_hosted(state, item, out)
            return
        self.items.end_item(state, out, item)

    def part(
        self, payload: Any, item_type: str, kind: str, text: Any, out: list[Event], full: bool
    ) -> None:
        """A delta of a message's text or refusal or a reasoning item's summary or reasoning
        text (``kind``), or with ``full`` the part's full text (a ``.done`` event). A delta
        with no text opens no item."""
        if not full and not (isinstance(text, str) and text):
            return
        state = self.items.for_delta(payload, item_type, out)
        if state is None or state.kind != _KINDS[item_type]:
            return
        index_key = "summary_index" if kind == "summary" else "content_index"
        index = int_or_none(field(payload, index_key)) or 0
        self._put(state, kind, index, text, out, full=full)

    def _put(
        self, item: Part, kind: str, index: int, text: Any, out: list[Event], *, full: bool
    ) -> None:
        """Text of the content part ``(kind, index)`` of ``item`` (opened at its first text);
        with ``full`` its full text: only the suffix not streamed yet, never the whole again."""
        parts = self.items.parts
        scope = str(item.key)
        inside = item
        if kind == "refusal":  # a message of its own, ``{item}:refusal1``
            inside = parts.get("refusal", scope) or parts.start(
                "refusal", "refusal", out, scope=scope
            )
        part = parts.get((kind, index), scope)
        if full:
            text = missing_suffix(part.text if part is not None else "", text)
        if not isinstance(text, str) or not text:
            return
        if part is None:
            part = parts.start(inside.kind, (kind, index), out, scope=scope, inside=inside)
        fields: dict[str, Any] = {}
        if item.kind == "thinking":  # a part after another: a blank line between them
            new = not part.streamed and any(p.streamed for p in item.inner)
            fields = {
                "lead": "\n\n" if new else "",
                "summary": kind == "summary",
                "part_index": index if kind == "summary" else None,
            }
        parts.delta(part, text, out, **fields)
        self.refusal |= kind == "refusal"

    def args_delta(self, payload: Any, out: list[Event]) -> None:
        delta = field(payload, "delta")
        if not isinstance(delta, str) or not delta:
            return
        state = self.items.for_delta(payload, "function_call", out)
        if state is not None and state.kind == "call":
            self.items.parts.delta(state, delta, out)

    def hosted_progress(self, kind: str, payload: Any, out: list[Event]) -> None:
        tool, _, phase = kind.removeprefix("response.").rpartition(".")
        if phase not in PROGRESS:
            out.append(Custom(name=kind, value=plain(payload), is_raw=True))
            return
        key = self.items.key_of(payload)
        state = self.items.parts.get(key) if key is not None else None
        label = tool.removesuffix("_call").replace("_", " ")
        text = f"{label}: {phase.replace('_', ' ')}" + (
            "" if phase in ("completed", "failed") else "…"
        )
        known = state.id if state is not None else key if key in self.items.types else None
        out.append(Status(state=phase, text=text, detail=tool, tool_call_id=known))
