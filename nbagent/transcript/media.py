"""A ``media`` block: a picture or a sound the model made (``Media`` events), shown in the
answer where it came.

The block is ``{"type": "media", "id", "mime", "data", "bytes", "line"}``, with ``width`` and
``height`` (an image's, from its header), ``alt`` (its words: a revised prompt), ``partial``
(true while a later part is to replace it), ``saved`` (false: over what a saved run keeps) and
``parent`` when they have a value. ``data`` is base64 of an image the page draws (PNG, JPEG,
GIF, WebP: ``MEDIA_IMAGES``) or a sound it plays (``nbagent.core.data.audio``), else ``""``, and
then ``line`` says in words what it is and why it is not shown: ``image/svg+xml, 4 KB, not
shown: SVG may carry script``. As the run ends, a part over the saved bound
(``nbagent.core.data.limits``: ``MEDIA_SAVED_BYTES``, ``MEDIA_RUN_SAVED_BYTES``) is marked
``saved: false``, its line ``image/png, 2.3 MB, not saved``: the page goes on showing it, and
what a notebook saves (``saved_state``: the widget's state, its static copy, the exports) keeps
its line only."""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar

from nbagent.core.data.limits import MEDIA_SHOWN_BYTES
from nbagent.core.data.media import audio_container, media_kind
from nbagent.core.textbuf import TextBuffer

__all__ = ["ALT_CHARS", "MediaBlock", "media_fields", "saved_state", "size_words"]

ALT_CHARS = 4000
"""Characters of a part's words (``alt``) kept."""
URL_CHARS = 500
"""Characters of a part's URL said in its line (nbagent never fetches it)."""
_SHOWN = ("mime", "data", "bytes", "line", "width", "height")
"""The fields a new part of the same id replaces."""


def size_words(n: int) -> str:
    """``512 B``, ``8.4 KB``, ``840 KB``, ``2.3 MB``: decimal units, as files are sized."""
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB" if n < 10_000 else f"{n / 1000:.0f} KB"
    return f"{n / 1_000_000:.1f} MB"


def _decoded(data: str) -> bytes | None:
    """Base64 bytes as every source sends them, else with line breaks or URL-safe; None when
    they are no base64."""
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        pass
    text = "".join(data.split()).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _not_shown(mime: str, size: int, why: str = "") -> dict[str, Any]:
    line = f"{mime}, {size_words(size)}, not shown" + (f": {why}" if why else "")
    return {"mime": mime, "data": "", "bytes": size, "line": line}


def media_fields(mime: str, data: str | None, url: str | None = None) -> dict[str, Any]:
    """What a block shows of a part: its type (what its bytes are, when the page shows them),
    its data (base64, canonical) and size, an image's width and height; or ``data`` ``""`` and
    the ``line`` saying why not (a type the page does not show, bytes that are not what the
    source says, over ``MEDIA_SHOWN_BYTES``, only a URL)."""
    named = (mime or "").split(";")[0].strip().lower() or "application/octet-stream"
    if data is None:
        where = f" at {url[:URL_CHARS]}" if url else ", no data"
        return {"mime": named, "data": "", "bytes": 0, "line": f"{named}{where}"}
    raw = _decoded(data)
    if raw is None:
        return _not_shown(named, len(data) * 3 // 4, "its data is not base64")
    if len(raw) > MEDIA_SHOWN_BYTES:
        return _not_shown(named, len(raw))
    family = named.partition("/")[0]
    if family == "audio":  # raw PCM in a WAV, a streamed WAV's sizes mended
        raw, _ = audio_container(raw, mime)
    found = media_kind(raw)
    if found is None or (family in ("image", "audio") and found[0].partition("/")[0] != family):
        why = "SVG may carry script" if "svg" in named else "not a kind the page shows"
        return _not_shown(named, len(raw), why)
    kind, width, height = found
    out: dict[str, Any] = {"mime": kind, "data": base64.b64encode(raw).decode("ascii")}
    out |= {"bytes": len(raw), "line": ""}
    if width and height:
        out |= {"width": width, "height": height}
    return out


class MediaBlock:
    """A ``media`` block (the module docstring)."""

    __slots__ = (
        "alt",
        "buffer",
        "ended_at",
        "fields",
        "id",
        "parent",
        "partial",
        "saved",
        "was_partial",
    )
    type: ClassVar[str] = "media"

    def __init__(self, block_id: str, fields: dict[str, Any], partial: bool = False) -> None:
        self.id = block_id
        self.fields = dict(fields)
        """``mime``, ``data``, ``bytes``, ``line``; ``width`` and ``height`` when known."""
        self.alt: str | None = None
        self.partial = partial
        self.was_partial = partial  # the state keeps "partial" once it said it (ops set it)
        self.saved = True
        """False: over the saved bound (the run ended), what a notebook saves has its line only."""
        self.buffer = TextBuffer()  # every block has one (the reducer's hot path)
        self.ended_at: float | None = None  # as every block (not in the state)
        self.parent: str | None = None

    @property
    def data(self) -> str:
        return str(self.fields.get("data") or "")

    @property
    def size(self) -> int:
        return int(self.fields.get("bytes") or 0)

    def replace(self, fields: dict[str, Any], partial: bool, alt: str | None) -> dict[str, Any]:
        """A later part of the same id: its fields in place of these; what changed."""
        changes = {k: v for k in _SHOWN if (v := fields.get(k)) is not None}
        changes = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        self.fields.update(changes)
        if partial != self.partial:
            self.partial = changes["partial"] = partial
            self.was_partial = True
        if alt and alt != self.alt:
            self.alt = changes["alt"] = alt
        return changes

    def unsaved(self) -> dict[str, Any]:
        """Over the saved bound as the run ends: marked so, its line saying so (its data stays
        for the page, which shows it while it lives)."""
        line = f"{self.fields['mime']}, {size_words(self.size)}, not saved"
        self.saved = False
        self.fields["line"] = line
        return {"saved": False, "line": line}

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": "media", "id": self.id}
        d |= {k: self.fields[k] for k in _SHOWN if k in self.fields}
        if self.alt:
            d["alt"] = self.alt
        if self.was_partial:
            d["partial"] = self.partial
        if not self.saved:
            d["saved"] = False
        if self.parent is not None:
            d["parent"] = self.parent
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MediaBlock:
        """A saved block, its fields as saved (the page checks them again as it draws)."""
        fields = {k: d[k] for k in _SHOWN if k in d}
        block = cls(str(d["id"]), fields, d.get("partial") is True)
        block.was_partial = "partial" in d
        block.saved = d.get("saved") is not False
        block.alt = d["alt"] if isinstance(d.get("alt"), str) else None
        block.parent = d["parent"] if isinstance(d.get("parent"), str) else None
        return block


def saved_state(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` (``Transcript.to_dict()``) as a notebook saves it: each part over the saved
    bound (``saved: false``) without its data (a copy; the state itself when none is).

    Twin: js/src/store/offer.js ``savedState``."""
    blocks = state.get("blocks")
    if not isinstance(blocks, list) or not any(_unsaved(b) for b in blocks):
        return state
    return state | {"blocks": [b | {"data": ""} if _unsaved(b) else b for b in blocks]}


def _unsaved(block: Any) -> bool:
    return isinstance(block, dict) and block.get("saved") is False and bool(block.get("data"))
