"""Output items: ``Items``, the part of ``OpenAIResponsesAdapter`` that keeps them as the kit's
``Parts``, keyed by the item's wire id: opening an item on ``output_item.added`` (or on a delta
that came first), finding it by item id or output index, and closing it (a tool call's full
arguments reconciled, a hosted tool's result). A message item is one text part; its content
parts (``content_index``) are parts inside it, its refusal a message of its own
(``{item}:refusal1``); a reasoning item is one thinking part, its summary and reasoning parts
inside it; an image generation call's image (its partial images, then its result) is a
``Media`` after its call. Its own state: each item's type (also of an item closed), the item ids
by output index, each image generation call's image id, whether a function was called.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none, plain
from nbagent.adapters.kit.ids import Ids, Kind
from nbagent.adapters.kit.media import image_mime, media_event
from nbagent.adapters.kit.parts import Part, PartKind, Parts
from nbagent.adapters.openai_responses.maps import (
    FUNCTION_ITEMS,
    HOSTED_ITEMS,
    hosted_args,
    hosted_result,
)
from nbagent.core.events import Custom, Event, ToolResult

__all__ = ["Items"]


class Items:
    """``OpenAIResponsesAdapter``'s output items."""

    def __init__(self) -> None:
        self.ids = Ids("response")  # an item with no id: in the response's scope
        self.parts = Parts(self.ids)
        self.types: dict[str, str] = {}  # item key (its wire id) -> item type, every item opened
        self._by_output: dict[int, str] = {}  # output_index -> item key
        self._images: dict[str, str] = {}  # image generation call's key -> its image's id
        self.function_calls = False

    def _new_key(self, item_type: str) -> str:
        """The key (and id) of an item the wire gave no id: ``{response}:text1``…"""
        kind: Kind = (
            "text" if item_type == "message" else "think" if item_type == "reasoning" else "call"
        )
        return self.ids.new(kind)

    def _ident(self, key: str) -> dict[str, Any]:
        """How a part names the item ``key``: by its wire id, or as given (a key made here)."""
        return {"part_id": key} if key in self.ids else {"wire_id": key}

    def added(self, payload: Any, out: list[Event]) -> None:
        item = field(payload, "item")
        key = field(item, "id")
        item_type = field(item, "type")
        if not isinstance(item_type, str):
            return
        output_index = int_or_none(field(payload, "output_index"))
        if not isinstance(key, str) or not key:
            known = self._by_output.get(output_index) if output_index is not None else None
            key = known or self._new_key(item_type)
        if output_index is not None:
            self._by_output[output_index] = key
        if key in self.types:
            return  # a duplicate, or deltas came first
        if item_type in FUNCTION_ITEMS:
            self.types[key] = item_type
            self.function_calls = True
            call_id = field(item, "call_id")
            named = isinstance(call_id, str) and call_id
            name = field(item, "name")
            part = self.parts.start(
                "call",
                key,
                out,
                **({"wire_id": call_id} if named else self._ident(key)),
                name=name if isinstance(name, str) else "",
                index=output_index,
            )
            arguments = field(item, "input" if item_type == "custom_tool_call" else "arguments")
            self.parts.delta(part, arguments, out)
        elif item_type in HOSTED_ITEMS or item_type.endswith("_call"):
            self.types[key] = item_type
            name = field(item, "name") if item_type == "mcp_call" else None
            self.parts.start(
                "call",
                key,
                out,
                **self._ident(key),
                name=name if isinstance(name, str) and name else item_type,
                index=output_index,
                executor="server",
            )
        elif item_type == "message":
            self.types[key] = item_type
            role = field(item, "role")
            self.parts.start(
                "text", key, out, **self._ident(key), announce=True,
                role=role if isinstance(role, str) else None,
            )  # fmt: skip
        elif item_type == "reasoning":
            self.types[key] = item_type
            self.parts.start("thinking", key, out, **self._ident(key), announce=True)
        else:
            out.append(Custom(name=f"output_item.{item_type}", value=plain(item), is_raw=True))

    def end_item(self, part: Part, out: list[Event], item: Any = None) -> None:
        """Close an item: a message and its refusal, a reasoning item (its encrypted content
        on its end), a tool call."""
        if part.kind == "thinking":
            encrypted = field(item, "encrypted_content")
            self.parts.close(
                part, out, encrypted_value=encrypted if isinstance(encrypted, str) else None
            )
        else:
            self.parts.close(part, out)
        self.parts.close_all(out, str(part.key))  # a message's refusal

    def end_call(self, part: Part, full: Any, out: list[Event]) -> None:
        """Close a tool call, reconciling its full argument text with the streamed one."""
        self.parts.settle(part, full, out)

    def end_hosted(self, part: Part, item: Any, out: list[Event]) -> None:
        self.parts.close(part, out, **({} if part.streamed else {"args": hosted_args(item)}))
        error = field(item, "error")
        status = field(item, "status")
        is_error = bool(error) or status in ("failed", "incomplete")
        content = hosted_result(item)
        if error:
            content = error if isinstance(error, str) else plain(error)
        out.append(
            ToolResult(tool_call_id=part.id, content=content, name=part.name, is_error=is_error)
        )
        result = field(item, "result")
        if self.types.get(str(part.key)) == "image_generation_call" and result:
            fmt, alt = field(item, "output_format"), field(item, "revised_prompt")
            media_id = self.image_id(str(part.key))
            out.append(media_event(media_id, image_mime(fmt), result, alt=alt))

    def image_id(self, key: str) -> str:
        """The id of the image an image generation call ``key`` makes (``{call}:media1``):
        its partial images' and its result's."""
        if key not in self._images:
            self._images[key] = self.ids.new("media", scope=key)
        return self._images[key]

    def partial_image(self, payload: Any, out: list[Event]) -> None:
        """``response.image_generation_call.partial_image``: a preview of the call's image,
        which the next one (or its result) replaces."""
        key = self.key_of(payload) or self.ids.new("call")
        fmt = field(payload, "output_format")
        data = field(payload, "partial_image_b64")
        out.append(media_event(self.image_id(key), image_mime(fmt), data, partial=True))

    def key_of(self, payload: Any, item: Any = None) -> str | None:
        """The key of the item an event names: its item id, else its output index's."""
        key = field(payload, "item_id")
        if not isinstance(key, str):
            key = field(item, "id")
        if not isinstance(key, str):
            index = int_or_none(field(payload, "output_index"))
            key = self._by_output.get(index) if index is not None else None
        return key if isinstance(key, str) else None

    def item_of(self, payload: Any, item: Any = None) -> Part | None:
        """The open item an event names (None when it is unknown or closed)."""
        key = self.key_of(payload, item)
        return self.parts.get(key) if key is not None else None

    def for_delta(self, payload: Any, item_type: str, out: list[Event]) -> Part | None:
        """The item a delta belongs to, opened when no ``output_item.added`` came; None for
        an item closed already."""
        key = self.key_of(payload)
        if key is not None and key in self.types:
            return self.parts.get(key)
        key = field(payload, "item_id")
        index = int_or_none(field(payload, "output_index"))
        if not isinstance(key, str) or not key:
            key = self._new_key(item_type)
        if index is not None:
            self._by_output.setdefault(index, key)
        self.types[key] = item_type
        if item_type == "function_call":
            self.function_calls = True
            made = key if key in self.ids else self.ids.wire(key)  # no call id: synthetic
            return self.parts.start("call", key, out, part_id=made, index=index)
        kind: PartKind = "thinking" if item_type == "reasoning" else "text"
        return self.parts.start(kind, key, out, **self._ident(key), announce=False)

    def close_all(self, out: list[Event]) -> None:
        for part in [p for (scope, _), p in self.parts.open.items() if not scope]:
            self.end_item(part, out)
