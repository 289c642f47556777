"""Pictures and sounds a model made (``Media`` events): what their bytes are, read from their
first bytes (never from the type a source names: an SVG or a page labelled ``image/png`` is no
PNG), and what an adapter puts together before it says one: base64 pieces joined, raw PCM (a
spoken answer streamed by OpenAI, Gemini's ``audio/L16``) in a WAV container, a streamed WAV's
sizes mended (its header was written before its length was known)."""

from __future__ import annotations

import base64
import binascii
import struct

from nbagent.core.data.audio import audio_kind
from nbagent.core.data.images import sniff

__all__ = [
    "MEDIA_IMAGES",
    "OPENAI_PCM",
    "audio_container",
    "join_base64",
    "media_kind",
    "mend_wav",
    "pcm_params",
    "pcm_wav",
]

MEDIA_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""The pictures a model made that the page draws: raster images only (never SVG: a document
that can run script and load URLs)."""

OPENAI_PCM = "audio/pcm;rate=24000"
"""What OpenAI streams a spoken answer as when the pieces carry no container: 16-bit
little-endian PCM, 24 kHz, mono (its ``pcm16`` format)."""


def media_kind(data: bytes) -> tuple[str, int, int] | None:
    """``(mime, width, height)`` of an image the page draws (its size from its header), or
    ``(mime, 0, 0)`` of a sound it plays (``nbagent.core.data.audio``); None for anything
    else (SVG, HEIC, text, a PNG signature on something that is not one)."""
    found = sniff(data)
    if found is not None:
        return found
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return ("image/gif", width, height) if width and height else None
    sound = audio_kind(data)
    return (sound, 0, 0) if sound is not None else None


def join_base64(pieces: list[str]) -> bytes | None:
    """The bytes of base64 pieces, in order: each decoded alone when every piece is whole (a
    multiple of four characters: pieces encoded one by one, padding and all), else the pieces
    joined first (one encoding cut anywhere); None when they are no base64."""
    try:
        if all(len(p) % 4 == 0 for p in pieces):
            return b"".join(base64.b64decode(p, validate=True) for p in pieces)
        return base64.b64decode("".join(pieces), validate=True)
    except (binascii.Error, ValueError):
        return None


def pcm_params(mime: str) -> tuple[int, int] | None:
    """``(rate, channels)`` of a raw PCM type (``audio/pcm``, ``audio/pcm16``, Gemini's
    ``audio/L16;codec=pcm;rate=24000``), its parameters else 24 kHz mono; None for any other
    type."""
    kind, *params = (part.strip().lower() for part in mime.split(";"))
    if kind not in ("audio/pcm", "audio/pcm16", "audio/l16", "audio/x-pcm"):
        return None
    found = dict(p.partition("=")[::2] for p in params)
    rate, channels = found.get("rate", ""), found.get("channels", "")
    return (
        int(rate) if rate.isdigit() and 0 < int(rate) <= 384_000 else 24_000,
        int(channels) if channels.isdigit() and 0 < int(channels) <= 8 else 1,
    )


def pcm_wav(pcm: bytes, rate: int = 24_000, channels: int = 1) -> bytes:
    """16-bit little-endian PCM in a WAV container (a trailing odd byte dropped)."""
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    block = 2 * channels
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(pcm))
        + b"WAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(pcm))
        + pcm
    )


def mend_wav(data: bytes) -> bytes:
    """A WAV whose header gives sizes other than what came (a streamed one's: its data size
    0 or 0xFFFFFFFF, written before the length was known) with the sizes of what came: its
    ``RIFF`` size and its ``data`` chunk's, the data running to the end."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return data
    at = 12
    while at + 8 <= len(data):
        chunk = data[at : at + 4]
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        if chunk == b"data":
            rest = len(data) - at - 8
            return (
                data[:4]
                + struct.pack("<I", len(data) - 8)
                + data[8 : at + 4]
                + struct.pack("<I", rest)
                + data[at + 8 :]
            )
        at += 8 + size + size % 2
    return data


def audio_container(raw: bytes, mime: str) -> tuple[bytes, str]:
    """A sound as the container a page plays, and its type: the bytes as they are when their
    first bytes say a container (a WAV's sizes mended), raw PCM of a PCM type (``pcm_params``)
    in a WAV; else as they came, with the type the source named."""
    kind = audio_kind(raw)
    if kind == "audio/wav":
        return mend_wav(raw), kind
    if kind is not None:
        return raw, kind
    params = pcm_params(mime)
    if params is not None:
        return pcm_wav(raw, *params), "audio/wav"
    return raw, mime
