"""Full texts that come after their deltas (a ``.done`` event, a message's ``completed``
object, a step's final arguments): they only reconcile, emitting the suffix not streamed yet,
never the whole again. ``text_part`` and ``end_text_parts`` keep a message's text and refusal
parts (by kind and index: a refusal is ``{id}:refusal1``); ``end_streamed_call`` ends a tool
call whose argument text was streamed.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.kit.calls import args_text
from nbagent.adapters.kit.ids import Ids
from nbagent.core.events import Event, MessageEnd, TextDelta, ToolCallArgsDelta, ToolCallEnd

__all__ = [
    "Parts",
    "end_streamed_call",
    "end_text_parts",
    "missing_suffix",
    "refusal_id",
    "text_part",
]

Parts = dict[tuple[str, int], str]
"""A message's parts streamed so far: ``(kind, index) → text``."""


def missing_suffix(streamed: str, full: Any) -> str:
    """What a full text adds to the ``streamed`` one: ``""`` when it adds nothing, or when it
    differs (what was shown is kept)."""
    if not isinstance(full, str) or len(full) <= len(streamed) or not full.startswith(streamed):
        return ""
    return full[len(streamed) :]


def text_part(
    parts: Parts,
    message_id: str,
    kind: str,
    index: int,
    text: Any,
    out: list[Event],
    *,
    full: bool = False,
) -> bool:
    """A delta of part ``(kind, index)`` (``kind`` ``"text"`` or ``"refusal"``), or with
    ``full`` its full text (only the missing suffix); whether a refusal was emitted."""
    if not isinstance(text, str) or not text:
        return False
    streamed = parts.get((kind, index), "")
    if full:
        text = missing_suffix(streamed, text)
        if not text:
            return False
    parts[(kind, index)] = streamed + text
    if kind == "refusal":
        out.append(TextDelta(message_id=refusal_id(message_id), delta=text, refusal=True))
        return True
    out.append(TextDelta(message_id=message_id, delta=text))
    return False


def end_text_parts(parts: Parts, message_id: str, out: list[Event]) -> None:
    """The message's end (also of one with no part), and its refusal's when it had one."""
    if any(kind == "text" for kind, _ in parts) or not parts:
        out.append(MessageEnd(message_id=message_id))
    if any(kind == "refusal" for kind, _ in parts):
        out.append(MessageEnd(message_id=refusal_id(message_id)))


def refusal_id(message_id: str) -> str:
    """The id of a message's refusal: ``{message_id}:refusal1`` (the kit's ``Ids``, in the
    message's scope)."""
    return Ids(message_id).new("refusal")


def end_streamed_call(tool_call_id: str, streamed: list[str], full: Any) -> list[Event]:
    """A tool call's end, its full arguments (text, or parsed: as JSON) reconciled with the
    ``streamed`` text: the missing suffix as a delta, or the full text on the end when it
    differs."""
    full = args_text(full)
    so_far = "".join(streamed)
    if isinstance(full, str) and full != so_far:
        if not full.startswith(so_far):
            return [ToolCallEnd(tool_call_id=tool_call_id, arguments=full)]
        return [
            ToolCallArgsDelta(tool_call_id=tool_call_id, delta=full[len(so_far) :]),
            ToolCallEnd(tool_call_id=tool_call_id),
        ]
    return [ToolCallEnd(tool_call_id=tool_call_id)]
