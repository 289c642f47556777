"""The kit's dispatch: an item's type to the ``on_<type>`` method of an adapter or its parts."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.kit.dispatch import handler, never_raises
from nbagent.core.events import Custom, Event

TYPES = frozenset({"TEXT_MESSAGE_START", "tool-input-start", "RAW"})


class Part:
    def on_text_message_start(self, payload: Any, out: list[Event]) -> None:
        out.append(Custom(name="part", value=payload))

    def on_tool_input_start(self, payload: Any, out: list[Event]) -> None:
        out.append(Custom(name="tool", value=payload))

    def on_unlisted(self, payload: Any, out: list[Event]) -> None:
        raise AssertionError("a type not in the format's list has no handler")


class Adapter:
    on_raw = "not a method"

    def on_text_message_start(self, payload: Any, out: list[Event]) -> None:
        out.append(Custom(name="adapter", value=payload))


def test_the_first_owner_with_the_method_handles_the_type() -> None:
    out: list[Event] = []
    on_kind = handler("TEXT_MESSAGE_START", TYPES, Adapter(), Part())
    assert on_kind is not None
    on_kind(1, out)
    on_tool = handler("tool-input-start", TYPES, Adapter(), Part())
    assert on_tool is not None
    on_tool(2, out)
    assert [(e.name, e.value) for e in out if isinstance(e, Custom)] == [
        ("adapter", 1),
        ("tool", 2),
    ]


def test_a_type_not_listed_or_without_a_method_has_no_handler() -> None:
    assert handler("unlisted", TYPES, Part()) is None
    assert handler("text_message_start", TYPES, Part()) is None  # only the listed spelling
    assert handler("RAW", TYPES, Adapter(), Part()) is None  # an attribute, no method
    assert handler(None, TYPES, Part()) is None
    assert handler(["RAW"], TYPES, Part()) is None


def test_a_detect_that_would_raise_answers_false() -> None:
    @never_raises
    def detect(item: Any) -> bool:
        """A format's detect that trips on odd items."""
        return bool(item["type"] == "x")

    assert detect({"type": "x"})
    assert not detect({"type": "y"})
    assert not detect(None)  # TypeError inside: False, not an error
    assert not detect({})  # KeyError inside
    assert detect.__doc__ == "A format's detect that trips on odd items."
