"""What the ``load_trace`` tests share: the fixture files, a run loaded and waited for (with
no socket allowed meanwhile), its transcript's parts by name, the ids of its blocks."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbagent
from nbagent.transcript.transcript import ToolCall, Transcript

__all__ = [
    "FIXTURES",
    "by_name",
    "calls",
    "loaded",
    "ms",
    "no_sockets",
    "steps",
    "text_blocks",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "traces"


@contextmanager
def no_sockets() -> Iterator[list[str]]:
    """Fails every socket created meanwhile (``socket.socket``, ``socketpair``,
    ``create_connection``), and lists the attempts: nothing may be fetched."""
    tried: list[str] = []
    real = socket.socket.__init__

    def refused(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        tried.append(f"socket{args}")
        raise OSError("load_trace opened a socket")

    socket.socket.__init__ = refused  # type: ignore[method-assign]
    try:
        yield tried
    finally:
        socket.socket.__init__ = real  # type: ignore[method-assign]


def loaded(path: str | Path | Any, format: str = "auto") -> tuple[Any, Transcript]:  # noqa: A002
    """``load_trace(path)`` and its transcript, no socket opened on the way."""
    source = FIXTURES / path if isinstance(path, str) else path
    with no_sockets() as tried:
        run = nbagent.load_trace(source, format)
        transcript = run.wait(60)
    assert tried == [], tried
    return run, transcript


def calls(t: Transcript) -> list[ToolCall]:
    return list(t.tool_calls)


def by_name(t: Transcript) -> dict[str, ToolCall]:
    return {c.name: c for c in t.tool_calls}


def steps(t: Transcript) -> list[dict[str, Any]]:
    return list(t.to_dict()["steps"])


def text_blocks(t: Transcript) -> list[dict[str, Any]]:
    return [b for b in t.to_dict()["blocks"] if b["type"] == "text"]


def ms(seconds: float) -> int:
    """A duration to the millisecond (the files' times are finer)."""
    return round(seconds * 1000)
