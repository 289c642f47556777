"""A picture or a sound the model made (a ``media`` block, ``nbagent/transcript/media.py``) in
the exports: an ``img`` or an ``audio`` player in the HTML copy and in markdown, made only from
base64 data that is what its type says (checked again: the state may come from anywhere) and
within what a saved run keeps (``MEDIA_SAVED_BYTES``); else its line, in words: its type and
size and why it is not there (``image/png, 2.3 MB, not saved``); one line each in plain text.

Twin: js/src/panels/media.js"""

from __future__ import annotations

import base64
import binascii
import html
from typing import Any

from nbagent.core.data.limits import MEDIA_SAVED_BYTES
from nbagent.core.data.media import MEDIA_IMAGES, media_kind
from nbagent.transcript.media import size_words

__all__ = ["media_html", "media_markdown", "media_text", "saved_media"]

ALT_LINE = 200
"""Characters of a part's words its plain-text line keeps."""


def saved_media(b: dict[str, Any]) -> tuple[str, str] | None:
    """``(mime, base64)`` of a block's data when a saved run keeps it (not marked over the
    saved bound, within ``MEDIA_SAVED_BYTES``) and it is what its type says, an image the page
    draws or a sound it plays; None otherwise."""
    data, mime = b.get("data"), b.get("mime")
    if not isinstance(data, str) or not data or not isinstance(mime, str):
        return None
    if b.get("saved") is False:
        return None
    if len(data) > (MEDIA_SAVED_BYTES + 2) // 3 * 4:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    found = media_kind(raw)
    return (mime, data) if found is not None and found[0] == mime else None


def _line(b: dict[str, Any]) -> str:
    """The block's words when its data is not shown: its own line, else its type (data that is
    not what it says, from a state from anywhere)."""
    line = b.get("line")
    return line if isinstance(line, str) and line else f"{b.get('mime') or 'media'}, not shown"


def _alt(b: dict[str, Any]) -> str:
    alt = b.get("alt")
    return alt if isinstance(alt, str) else ""


def _size_attrs(b: dict[str, Any]) -> str:
    width, height = b.get("width"), b.get("height")
    if type(width) is int and type(height) is int and width > 0 and height > 0:
        return f' width="{width}" height="{height}"'
    return ""


def media_html(b: dict[str, Any]) -> str:
    """The block in the HTML copy: its image or player, else its line; a preview (``partial``)
    marked so."""
    esc = html.escape
    cls = "nba-media nba-media-partial" if b.get("partial") is True else "nba-media"
    found = saved_media(b)
    if found is None:
        return f'<div class="{cls}"><div class="nba-media-line">{esc(_line(b))}</div></div>'
    mime, data = found
    if mime in MEDIA_IMAGES:
        alt = esc(_alt(b) or "image from the model")
        shown = (
            f'<img class="nba-media-image" src="data:{mime};base64,{data}"{_size_attrs(b)} '
            f'alt="{alt}" title="{alt}">'
        )
    else:
        shown = (
            f'<audio class="nba-media-audio" controls preload="metadata" '
            f'src="data:{mime};base64,{data}"></audio>'
        )
    return f'<div class="{cls}">{shown}</div>'


def media_markdown(b: dict[str, Any], inline: Any) -> str:
    """The block in markdown: an image with a ``data:`` URL, a player in HTML, else its line
    (``inline``: the markdown export's escaping of untrusted text on one line)."""
    found = saved_media(b)
    if found is None:
        return f"*{inline(_line(b))}*"
    mime, data = found
    if mime in MEDIA_IMAGES:
        alt = str(inline(_alt(b) or "image from the model")).replace("[", "(").replace("]", ")")
        return f"![{alt}](data:{mime};base64,{data})"
    return f'<audio controls src="data:{mime};base64,{data}"></audio>'


def media_text(b: dict[str, Any]) -> str:
    """The block in plain text: ``[image] image/png, 1024x1024, 1.4 MB`` (its line when its
    data is not there), its words after."""
    mime = str(b.get("mime") or "media")
    family = mime.partition("/")[0]
    kind = family if family in ("image", "audio") else "media"
    if saved_media(b) is None:
        words = _line(b)
    else:
        width, height, size = b.get("width"), b.get("height"), b.get("bytes")
        dims = f", {width}x{height}" if _size_attrs(b) else ""
        words = f"{mime}{dims}, {size_words(size if isinstance(size, int) else 0)}"
    alt = " ".join(_alt(b).split())
    if len(alt) > ALT_LINE:
        alt = alt[: ALT_LINE - 1] + "…"
    return f"[{kind}] {words}" + (f": {alt}" if alt else "")
