"""A plain answer is read exactly: ``''.join(pieces) == transcript.text`` for any stream of
text pieces with no think tag, whether the pieces come as ``format="text"``, as a stream whose
format is detected (its first pieces may look like keep-alives: blank lines, ``{}``, ``: …``)
or as the content deltas of a Chat Completions stream."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given

import nbagent
from nbagent.adapters.base import is_keepalive
from tests.strategies import plain_text_streams


def text_of(items: Any, **kw: Any) -> str:
    return nbagent.Transcript.from_events(nbagent.iter_events(iter(items), **kw)).text


def chat(pieces: list[str]) -> list[dict[str, Any]]:
    """The pieces as the content deltas of one choice, then its finish."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}

    return [*(chunk({"content": p}) for p in pieces), chunk({}, "stop")]


@given(plain_text_streams())
def test_text_format(pieces: list[str]) -> None:
    assert text_of(pieces, format="text") == "".join(pieces)


@given(plain_text_streams(objects=False))
def test_text_detected(pieces: list[str]) -> None:
    # A stream of keep-alives only (``: ping``, with no text piece nor only blank ones) says
    # nothing of its format: it is left out, as a server's keep-alives before it closes.
    assume(not all(map(is_keepalive, pieces)) or not "".join(pieces).strip())
    assert text_of(pieces) == "".join(pieces)


@given(plain_text_streams())
def test_chat_content_deltas(pieces: list[str]) -> None:
    assert text_of(chat(pieces)) == "".join(pieces)


def test_a_first_blank_piece_is_kept() -> None:
    assert text_of(["\n\n", "Hello"]) == "\n\nHello"
    assert text_of(["\n\n"]) == "\n\n"
    assert text_of(chat(["\n\n"])) == "\n\n"
