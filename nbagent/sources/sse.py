"""An exact, incremental Server-Sent Events decoder (WHATWG HTML §9.2.5-9.2.6).

Pure: no I/O. Feed it the raw bytes of a response as they arrive::

    dec = SSEDecoder()
    for chunk in chunks:
        for ev in dec.feed(chunk):
            ...
    for ev in dec.flush():      # lenient: a pending event not ended by a blank line
        ...

Rules (design ``protocols.md`` §1): incremental UTF-8 (a character may be split across
chunks; invalid bytes become U+FFFD), one leading BOM stripped, CR / LF / CRLF end a line
(a CR ending one chunk and an LF starting the next are one break), ``:`` comments
ignored, one leading space stripped from a value, ``data`` lines joined with ``\\n``,
``id`` ignored when it contains NUL and persisting across events, ``retry`` only when
all ASCII digits, events with no data not dispatched. Unlike httpx-sse, the BOM is
stripped, data-less blocks are not dispatched and a pending event is flushed at EOF.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from nbagent.adapters.base import ServerSentEvent

__all__ = ["SSEDecoder", "iter_sse"]


class SSEDecoder:
    """Bytes → ``ServerSentEvent``s; ``feed`` per chunk, ``flush`` at EOF."""

    __slots__ = (
        "_bom_checked",
        "_data",
        "_event",
        "_has_data",
        "_last_id",
        "_line",
        "_retry",
        "_skip_lf",
        "_text",
    )

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._bom_checked = False
        self._line: list[str] = []  # pieces of the current, unterminated line
        self._skip_lf = False  # the last line ended with a CR: a leading LF is part of it
        self._data: list[str] = []
        self._has_data = False
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str | None:
        """The last-event-id buffer (None until an ``id`` field set it; ``""`` resets it)."""
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk of the byte stream; return the events it completed."""
        return self._feed_text(self._text.decode(bytes(chunk), final=False))

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: finish the pending line and dispatch a pending event (lenient)."""
        out = self._feed_text(self._text.decode(b"", final=True))
        if self._line:
            line = "".join(self._line)
            self._line = []
            self._process_line(line, out)
        self._skip_lf = False
        self._dispatch(out)
        return out

    # -- internals -----------------------------------------------------------------

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        out: list[ServerSentEvent] = []
        if not text:
            return out
        if not self._bom_checked:
            if not text:
                return out
            self._bom_checked = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._skip_lf and text:
            if text[0] == "\n":
                text = text[1:]
            self._skip_lf = False
        pos = 0
        n = len(text)
        while pos < n:
            cr = text.find("\r", pos)
            lf = text.find("\n", pos)
            if cr < 0 and lf < 0:
                self._line.append(text[pos:])
                break
            end = lf if cr < 0 else cr if lf < 0 else min(cr, lf)
            self._line.append(text[pos:end])
            line = "".join(self._line)
            self._line = []
            if text[end] == "\r":
                if end + 1 < n:
                    pos = end + 2 if text[end + 1] == "\n" else end + 1
                else:
                    self._skip_lf = True
                    pos = end + 1
            else:
                pos = end + 1
            self._process_line(line, out)
        return out

    def _process_line(self, line: str, out: list[ServerSentEvent]) -> None:
        if not line:
            self._dispatch(out)
            return
        if line[0] == ":":
            return
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)

    def _dispatch(self, out: list[ServerSentEvent]) -> None:
        if not self._has_data:
            self._event = ""
            self._retry = None
            return
        data = "\n".join(self._data)
        out.append(
            ServerSentEvent(
                data=data,
                event=self._event or "message",
                id=self._last_id,
                retry=self._retry,
            )
        )
        self._data = []
        self._has_data = False
        self._event = ""
        self._retry = None


def iter_sse(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Decode an iterable of byte chunks into events, flushing leniently at the end."""
    dec = SSEDecoder()
    for chunk in chunks:
        yield from dec.feed(chunk)
    yield from dec.flush()
