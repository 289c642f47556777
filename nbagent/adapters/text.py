"""``format="text"``: a stream of ``str`` pieces of answer text (e.g. a generator of tokens)."""

from __future__ import annotations

import codecs
from typing import Any, ClassVar

from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.core.events import Event, TextDelta

__all__ = ["TextAdapter"]


class TextAdapter:
    """Each ``str`` item → a ``TextDelta`` of the one message, ``run:text1`` (the kit's
    ``Ids``: the format names no message); ``bytes`` are decoded as UTF-8.

    The format has no terminal event: ``end()`` returns nothing and the normalizer
    ends the run as ``completed``.
    """

    name: ClassVar[str] = "text"

    def __init__(self) -> None:
        self.message_id = Ids().new("text")  # of every text delta (one answer per stream)
        self._decoder: codecs.IncrementalDecoder | None = None
        self._life = Lifecycle("text", "str items")

    @staticmethod
    def detect(item: Any) -> bool:
        return isinstance(item, str)

    def feed(self, item: Any) -> list[Event]:
        if type(item) is str:  # the common case first: this runs once per token
            return [TextDelta(message_id=self.message_id, delta=item)] if item else []
        if isinstance(item, (bytes, bytearray)):
            if self._decoder is None:
                self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            item = self._decoder.decode(bytes(item))
        elif not isinstance(item, str):
            raise self._life.takes(item)
        if not item:
            return []
        return [TextDelta(message_id=self.message_id, delta=item)]

    def end(self) -> list[Event]:
        if self._decoder is not None:
            rest = self._decoder.decode(b"", final=True)
            if rest:
                return [TextDelta(message_id=self.message_id, delta=rest)]
        return []
