"""A choice's spoken answer (``modalities=["text", "audio"]``): ``delta.audio``
(``ChoiceDeltaAudio``) brings the answer's transcript in pieces, the audio as base64 pieces, its
id and, last, when the copy the server keeps expires. The transcript is the answer's text (the
``content`` stays empty); the rest of each piece is kept as it came, on a ``Custom`` named
``AUDIO`` (``{"id", "data", "expires_at", ...}``), in order, for what plays the audio."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field

__all__ = ["AUDIO", "audio_of"]

AUDIO = "openai.audio"
"""The ``Custom`` name of a piece of a choice's audio."""

_KEPT = ("id", "data", "expires_at", "format")


def audio_of(delta: Any) -> tuple[str, dict[str, Any] | None]:
    """A delta's audio: the piece of its transcript (``""`` for none) and the rest of the
    piece (None when there is none)."""
    audio = field(delta, "audio")
    if audio is None:
        return "", None
    transcript = field(audio, "transcript")
    rest = {key: value for key in _KEPT if (value := field(audio, key)) is not None}
    return (transcript if isinstance(transcript, str) else ""), rest or None
