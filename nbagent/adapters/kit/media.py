"""Pictures and sounds a model made, as ``Media`` events, the one way every adapter says them:
a part's data as base64 whatever the wire gave (bytes from an SDK, base64 text from JSON, a
``data:`` URL from a gateway), and a sound that streams in pieces (a spoken answer) gathered
by its key and said whole once, where it ends (``Sounds``): a page plays a whole file, and the
recording keeps the sound once, not its pieces and the whole again."""

from __future__ import annotations

import base64
from collections.abc import Hashable
from typing import Any

from nbagent.core.data.media import join_base64
from nbagent.core.events import Media

__all__ = ["Sounds", "b64_of", "data_url", "image_mime", "media_event"]


def b64_of(data: Any) -> str | None:
    """A part's data as base64: bytes (an SDK's ``Blob.data``) encoded, text as it came."""
    if isinstance(data, (bytes, bytearray)):
        return base64.b64encode(bytes(data)).decode("ascii")
    return data if isinstance(data, str) and data else None


def data_url(url: Any) -> tuple[str, str] | None:
    """``(mime, base64)`` of a ``data:<mime>[;...];base64,<data>`` URL; None for any other."""
    if not isinstance(url, str) or url[:5].lower() != "data:":
        return None
    head, comma, data = url.partition(",")
    params = head[5:].split(";")
    if not comma or params[-1].strip().lower() != "base64":
        return None
    return params[0].strip() or "application/octet-stream", data


def image_mime(output_format: Any, default: str = "image/png") -> str:
    """The type of an image named by its format (``png``, ``jpeg``, ``webp``, ``svg``...)."""
    if not isinstance(output_format, str) or not output_format:
        return default
    fmt = output_format.strip().lower()
    return {"svg": "image/svg+xml", "jpg": "image/jpeg"}.get(fmt, f"image/{fmt}")


def media_event(
    media_id: str,
    mime: Any,
    data: Any = None,
    *,
    url: Any = None,
    alt: Any = None,
    partial: bool = False,
    **envelope: Any,
) -> Media:
    """A ``Media`` of a part: its data as base64 (``b64_of``), a URL (``data_url`` read as its
    data), words that stand for it; ``envelope``: the event's ``meta``, ``parent``."""
    inline = data_url(url)
    if inline is not None and data is None:
        mime, data, url = inline[0], inline[1], None
    return Media(
        media_id=media_id,
        mime=mime if isinstance(mime, str) else "",
        data=b64_of(data),
        url=url if isinstance(url, str) and url else None,
        alt=alt if isinstance(alt, str) and alt else None,
        partial=partial,
        **envelope,
    )


class Sounds:
    """Sounds streaming in pieces, by their key: each gathered (``add``), then said as one
    ``Media`` (``end``, ``end_all``) with the type its source named (raw PCM becomes a WAV in
    the transcript: ``nbagent.transcript.media``)."""

    def __init__(self) -> None:
        self._open: dict[Hashable, tuple[str, str, list[Any], dict[str, Any]]] = {}

    def __contains__(self, key: Hashable) -> bool:
        return key in self._open

    def add(self, key: Hashable, media_id: str, mime: str, piece: Any, **envelope: Any) -> None:
        """A piece (base64 text or bytes) of the sound ``key``, opened with its id and type
        at its first piece."""
        _, _, pieces, _ = self._open.setdefault(key, (media_id, mime, [], envelope))
        if piece:
            pieces.append(piece)

    def end(self, key: Hashable) -> Media | None:
        """The sound ``key`` whole (None when it is not open or had no data)."""
        opened = self._open.pop(key, None)
        if opened is None:
            return None
        media_id, mime, pieces, envelope = opened
        if all(isinstance(p, (bytes, bytearray)) for p in pieces):
            raw: bytes | None = b"".join(pieces)
        else:
            raw = join_base64([p if isinstance(p, str) else b64_of(p) or "" for p in pieces])
        if not raw:
            return None
        return media_event(media_id, mime, raw, **envelope)

    def end_all(self) -> list[Media]:
        """Every open sound whole, in the order they opened."""
        return [m for key in list(self._open) if (m := self.end(key)) is not None]
