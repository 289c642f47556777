"""Content: ``Content``, the part of ``OpenAIResponsesAdapter`` that streams text, refusal,
thinking (summary and reasoning parts) and tool-call arguments into the output ``Items`` it is
given, shows hosted tools' progress as ``Status``, and takes the full texts of the ``.done``
events and of ``output_item.done``, which only reconcile (a missing suffix is emitted, never
the whole again). Its own state is whether a refusal came; the rest is on the ``Item``.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.reconcile import missing_suffix, text_part
from nbagent.adapters.openai_responses.items import Item, Items
from nbagent.adapters.openai_responses.maps import FUNCTION_ITEMS, PROGRESS
from nbagent.core.events import Custom, Event, Status, ThinkingDelta, ToolCallArgsDelta

__all__ = ["Content"]


class Content:
    """``OpenAIResponsesAdapter``'s content of the output items."""

    def __init__(self, items: Items) -> None:
        self.items = items
        self.refusal = False

    def item_done(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        state = self.items.item_of(payload, item)
        if state is None:
            # never announced: announce it now, then finish it from its full content
            self.items.added(payload, out)
            state = self.items.item_of(payload, item)
            if state is None:
                return
        if state.ended:
            return
        wire_id = field(item, "id")
        if state.item_type == "message":
            content = field(item, "content")
            if isinstance(content, list):
                for index, part in enumerate(content):
                    kind = "refusal" if field(part, "type") == "refusal" else "text"
                    text = field(part, "refusal" if kind == "refusal" else "text")
                    self._reconcile(state, kind, index, text, out)
        elif state.item_type == "reasoning":
            # The item's ``content`` is what ``reasoning_text.delta`` streamed as "reasoning".
            for key, kind in (("summary", "summary"), ("content", "reasoning")):
                parts = field(item, key)
                if isinstance(parts, list):
                    for index, part in enumerate(parts):
                        self._reconcile(state, kind, index, field(part, "text"), out)
        elif state.item_type in FUNCTION_ITEMS:
            key = "input" if state.item_type == "custom_tool_call" else "arguments"
            self.items.end_call(state, field(item, key), out)
            return
        elif isinstance(wire_id, str):
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
        if state.item_type != item_type:
            return
        index_key = "summary_index" if kind == "summary" else "content_index"
        index = int_or_none(field(payload, index_key)) or 0
        if full:
            self._reconcile(state, kind, index, text, out)
        elif item_type == "reasoning":
            self._emit_thinking(state, kind, index, text, out)
        else:
            self.refusal |= text_part(state.parts, state.id, kind, index, text, out)

    def _emit_thinking(
        self, state: Item, kind: str, index: int, delta: str, out: list[Event]
    ) -> None:
        key = (kind, index)
        sep = "\n\n" if key not in state.parts and state.parts else ""  # a new part
        state.parts[key] = state.parts.get(key, "") + delta
        out.append(
            ThinkingDelta(
                message_id=state.id,
                delta=sep + delta,
                summary=kind == "summary",
                part_index=index if kind == "summary" else None,
            )
        )

    def _reconcile(self, state: Item, kind: str, index: int, full: Any, out: list[Event]) -> None:
        """A full text of one part: emit the suffix not streamed yet, never the whole again."""
        if state.ended:
            return
        if state.item_type == "reasoning":
            suffix = missing_suffix(state.parts.get((kind, index), ""), full)
            if suffix:
                self._emit_thinking(state, kind, index, suffix, out)
        else:
            self.refusal |= text_part(state.parts, state.id, kind, index, full, out, full=True)

    def args_delta(self, payload: Any, out: list[Event]) -> None:
        delta = field(payload, "delta")
        if not isinstance(delta, str) or not delta:
            return
        state = self.items.for_delta(payload, "function_call", out)
        if state.item_type in ("message", "reasoning") or state.ended:
            return
        state.streamed.append(delta)
        out.append(ToolCallArgsDelta(tool_call_id=state.id, delta=delta))

    def hosted_progress(self, kind: str, payload: Any, out: list[Event]) -> None:
        tool, _, phase = kind.removeprefix("response.").rpartition(".")
        if phase not in PROGRESS:
            out.append(Custom(name=kind, value=plain(payload), is_raw=True))
            return
        state = self.items.item_of(payload)
        label = tool.removesuffix("_call").replace("_", " ")
        text = f"{label}: {phase.replace('_', ' ')}" + (
            "" if phase in ("completed", "failed") else "…"
        )
        out.append(
            Status(
                state=phase,
                text=text,
                detail=tool,
                tool_call_id=state.id if state is not None else None,
            )
        )
