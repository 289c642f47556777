"""What a choice's deltas carry besides text: a spoken answer (``modalities=["text",
"audio"]``: ``delta.audio``, ``ChoiceDeltaAudio``) and images a gateway sends (OpenRouter's
``delta.images``: ``[{"type": "image_url", "image_url": {"url": "data:image/png;base64,…"}}]``).

A spoken answer brings its transcript in pieces (the answer's text: the ``content`` stays
empty), its audio as base64 pieces (OpenAI's ``pcm16`` when streamed, or the container the
request named), its id and, last, when the copy the server keeps expires. The audio is one
``Media`` at the choice's end; its id and expiry stay on a ``Custom`` named ``AUDIO``
(``{"id", "expires_at"}``, in order), for a next request that refers to it."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty
from nbagent.core.data.media import OPENAI_PCM

__all__ = ["AUDIO", "audio_mime", "audio_of", "images_of"]

AUDIO = "openai.audio"
"""The ``Custom`` name of what a choice's audio says besides its data."""

_KEPT = ("id", "expires_at", "format")


def audio_of(delta: Any) -> tuple[str, Any, dict[str, Any] | None]:
    """A delta's audio: the piece of its transcript (``""`` for none), of its data (base64,
    None for none), and the rest of it (None when there is none)."""
    audio = field(delta, "audio")
    if audio is None:
        return "", None, None
    transcript = field(audio, "transcript")
    data = field(audio, "data")
    rest = {key: value for key in _KEPT if (value := field(audio, key)) is not None}
    text = transcript if isinstance(transcript, str) else ""
    return text, data if isinstance(data, str) and data else None, rest or None


def audio_mime(rest: dict[str, Any] | None) -> str:
    """The type of a choice's audio: the format its pieces say (a gateway's), else OpenAI's
    streamed ``pcm16`` (a container in the bytes wins: the transcript reads their first
    bytes)."""
    fmt = (rest or {}).get("format")
    return f"audio/{fmt}" if isinstance(fmt, str) and fmt.isalnum() else OPENAI_PCM


def images_of(delta: Any) -> list[str]:
    """The URLs of the images a delta carries (``delta.images``), in order."""
    urls = []
    for image in list_or_empty(field(delta, "images")):
        url = field(field(image, "image_url"), "url")
        if isinstance(url, str) and url:
            urls.append(url)
    return urls
