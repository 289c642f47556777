"""Audio as bundles: a tool's sound (an MCP server's ``audio`` block) played in the tool panel
by an ``<audio>`` nbagent builds itself. Only the containers browsers play, named by the
types in ``AUDIO_MIMES`` and recognized by their first bytes (so text or HTML labelled
``audio/wav`` never becomes a ``data:`` URL), within ``AUDIO_BYTES``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from nbagent.core.data.limits import AUDIO_BYTES

__all__ = [
    "AUDIO_MIMES",
    "BUNDLE_AUDIO_MIMES",
    "audio_bundle",
    "audio_data_ok",
    "audio_kind",
]


def _mpeg(b: bytes) -> bool:
    # An ID3 tag, or an MPEG audio frame: 11 sync bits and a layer that is not 00 (ADTS's).
    return b[:3] == b"ID3" or (
        len(b) > 1 and b[0] == 0xFF and b[1] & 0xE0 == 0xE0 and b[1] & 6 != 0
    )


def _adts(b: bytes) -> bool:
    # ADTS AAC: 12 sync bits, layer 00; often behind an ID3 tag, as an MP3.
    return b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and b[1] & 0xF6 == 0xF0)


_MAGIC: dict[str, Callable[[bytes], bool]] = {
    "audio/wav": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE",
    "audio/mpeg": _mpeg,
    "audio/ogg": lambda b: b[:4] == b"OggS",
    "audio/webm": lambda b: b[:4] == b"\x1a\x45\xdf\xa3",  # EBML
    "audio/flac": lambda b: b[:4] == b"fLaC",
    "audio/aac": _adts,
    "audio/mp4": lambda b: b[4:8] == b"ftyp",
}

BUNDLE_AUDIO_MIMES = tuple(_MAGIC)
"""The types an audio bundle carries (the browser's ``data.js`` knows these and no others)."""

AUDIO_MIMES = {
    **{m: m for m in BUNDLE_AUDIO_MIMES},
    "audio/x-wav": "audio/wav",
    "audio/mp3": "audio/mpeg",  # not registered, but what the MCP SDK's Audio(format="mp3") says
}
"""The audio types a server may name, each to the bundle type it is shown as: what the MCP
SDK's ``Audio`` sends for .wav, .mp3, .ogg, .flac, .aac and .m4a files, and WebM (browsers'
own recordings). Chromium plays WAV, MP3, Ogg, WebM and FLAC; AAC and MP4 where the browser
has those codecs (Chrome, Safari, Firefox)."""


def audio_kind(data: bytes) -> str | None:
    """The bundle type of a sound nbagent plays that ``data`` is, by its first bytes; None
    when it is none of them."""
    return next((mime for mime, check in _MAGIC.items() if check(data)), None)


def audio_bundle(mime: str, data: bytes, line: str) -> tuple[dict[str, Any] | None, str]:
    """``(bundle, text)`` for audio bytes a tool returned: the bundle (the base64 data under
    its bundle type, ``text/plain`` the text) when the type is one nbagent plays and the bytes
    are that container within ``AUDIO_BYTES``, else None; the text is ``line``, saying so when
    the sound is too large to play."""
    shown = AUDIO_MIMES.get(mime.lower())
    if shown is None or not _MAGIC[shown](data):
        return None, line
    if len(data) > AUDIO_BYTES:
        return None, f"{line} (over {AUDIO_BYTES:,} bytes: too large to play)"
    b64 = base64.b64encode(data).decode("ascii")
    return {"data": {shown: b64, "text/plain": line}, "metadata": {}}, line


def audio_data_ok(mime: str, b64: Any) -> bool:
    """Whether a bundle's value under ``mime`` is audio nbagent plays: canonical base64 (the
    string goes into a ``data:`` URL as is) of that container, within ``AUDIO_BYTES``."""
    check = _MAGIC.get(mime)
    if check is None or not isinstance(b64, str) or len(b64) > (AUDIO_BYTES + 2) // 3 * 4:
        return False
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    return base64.b64encode(raw).decode("ascii") == b64 and check(raw)
