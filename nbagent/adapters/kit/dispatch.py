"""An item handed to its handler by its type: the method named ``on_`` and the type in snake
case (``TEXT_MESSAGE_START`` → ``on_text_message_start``, ``tool-input-start`` →
``on_tool_input_start``) on the adapter or one of its parts, the way ``ast.NodeVisitor`` finds
``visit_<node>``; the format's list of its types stays the one table of what it reads. And
an adapter's ``detect`` made one that never raises (``never_raises``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeAlias

from nbagent.core.events import Event

__all__ = ["Handler", "handler", "never_raises"]

Handler: TypeAlias = Callable[[Any, list[Event]], object]
"""What reads one item's payload into ``out``."""


def handler(kind: object, types: Collection[str], *owners: object) -> Handler | None:
    """The handler of ``kind``, one of the format's ``types``: the ``on_<kind>`` method of the
    first of ``owners`` that has one; None for a kind not in ``types`` or with no method."""
    if not isinstance(kind, str) or kind not in types:
        return None
    name = "on_" + kind.lower().replace("-", "_")
    for owner in owners:
        method = getattr(owner, name, None)
        if callable(method):
            return method  # type: ignore[no-any-return]
    return None


def never_raises(detect: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``detect`` that answers False where it would raise: whether an item is in a format is
    asked of every adapter in turn, on items of any shape, and never fails."""

    @functools.wraps(detect)
    def safe(item: Any) -> bool:
        try:
            return detect(item)
        except Exception:  # noqa: BLE001 - detect never raises
            return False

    return safe
