"""Append-only text kept in a few large pieces: what a streamed block's text is made of.

A token is a ``str`` of ~4 characters that costs ~57 bytes as an object of its own. A
``TextBuffer`` keeps the latest deltas as they came (``tail``) and joins them into one
piece once there are ``JOIN_EVERY`` of them: every character is copied once more, appends
stay O(len(delta)), and a run's text costs about its length. Offsets into a buffer stay
valid for its life (nothing is ever removed), so other structures may point into it
(``nbagent.runtime.log``). Imports nothing of nbagent: the normalizer and the transcript
both keep text in it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import chain

__all__ = ["JOIN_EVERY", "TextBuffer"]

JOIN_EVERY = 64
"""Deltas kept apart before they are joined: 64 tokens of ~4 characters make a piece whose
object header (~57 bytes) is a fifth of its text, and the tail a reader joins stays short."""


class TextBuffer:
    """A text that grows at its end. The hot paths append inline:
    ``tail.append(s)`` and ``compact()`` once ``len(tail) >= JOIN_EVERY``."""

    __slots__ = ("ends", "pieces", "tail")

    def __init__(self, text: str = "") -> None:
        self.pieces: list[str] = []
        self.ends = array("q")
        """Where each piece ends in the text (its offset after the last character)."""
        self.tail: list[str] = [text] if text else []
        """The latest appends, not joined yet."""

    def append(self, text: str) -> None:
        tail = self.tail
        tail.append(text)
        if len(tail) >= JOIN_EVERY:
            self.compact()

    def compact(self) -> None:
        """Join the tail into one piece."""
        tail = self.tail
        if not tail:
            return
        piece = tail[0] if len(tail) == 1 else "".join(tail)
        ends = self.ends
        ends.append((ends[-1] if ends else 0) + len(piece))
        self.pieces.append(piece)
        tail.clear()

    def __len__(self) -> int:
        ends = self.ends
        return (ends[-1] if ends else 0) + sum(map(len, self.tail))

    @property
    def text(self) -> str:
        """The whole text; joined once and kept as the only piece (so that the string a
        caller keeps, a widget's final state, is the buffer's own and not a second copy)."""
        pieces, tail = self.pieces, self.tail
        if not pieces:
            return tail[0] if len(tail) == 1 else "".join(tail)
        if len(pieces) == 1 and not tail:
            return pieces[0]
        joined = "".join(chain(pieces, tail))
        self.pieces = [joined]
        self.ends = array("q", [len(joined)])
        tail.clear()
        return joined

    def slice(self, start: int, stop: int) -> str:
        """``text[start:stop]`` without joining the whole text."""
        ends = self.ends
        done = ends[-1] if ends else 0
        if start >= done:
            tail = self.tail
            rest = tail[0] if len(tail) == 1 else "".join(tail)
            return rest[start - done : stop - done]
        i = bisect_right(ends, start)
        begin = ends[i - 1] if i else 0
        if stop <= ends[i]:
            return self.pieces[i][start - begin : stop - begin]
        parts = [self.pieces[i][start - begin :]]
        for piece, end in zip(self.pieces[i + 1 :], ends[i + 1 :], strict=True):
            if stop <= end:
                parts.append(piece[: len(piece) - (end - stop)])
                return "".join(parts)
            parts.append(piece)
        parts.append("".join(self.tail)[: stop - done])
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<TextBuffer {len(self)} chars in {len(self.pieces)} pieces + {len(self.tail)}>"
