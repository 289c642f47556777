"""What every adapter shares: the protocol, the errors, a field getter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from nbagent.events import Event, NbagentError

__all__ = ["Adapter", "BadItemError", "UnknownFormatError", "field", "short_repr"]


class Adapter(Protocol):
    """One wire format → normalized events. Pure: no I/O, no clock, no globals.

    Adapters leave ``seq``, ``ts`` and ``run_id`` empty; the normalizer stamps them.
    """

    name: ClassVar[str]
    """The ``format=`` name, e.g. ``"openai-chat"``."""

    def __init__(self) -> None: ...

    @staticmethod
    def detect(item: Any) -> bool:
        """True when ``item`` (the first item of a source) is in this adapter's format."""
        ...

    def feed(self, item: Any) -> list[Event]:
        """One wire item → 0..n events, in order."""
        ...

    def end(self) -> list[Event]:
        """Input exhausted normally; may emit ``RunEnd`` (e.g. ``incomplete``)."""
        ...


class UnknownFormatError(NbagentError, ValueError):
    """The format of a source could not be detected, or ``format=`` names no adapter."""


class BadItemError(NbagentError, ValueError):
    """An adapter got an item it cannot read (wrong type, invalid JSON)."""


def field(obj: Any, key: str) -> Any:
    """``obj[key]`` for mappings, ``obj.key`` for objects (SDK models); None when absent.

    Works for pydantic models with extra fields (``delta.reasoning_content``) without
    ``model_dump()``.
    """
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    values = getattr(obj, "__dict__", None)
    if values is not None and key in values:  # a pydantic field, a plain attribute
        return values[key]
    extra = getattr(obj, "__pydantic_extra__", None)
    if extra is not None:  # a pydantic model: an extra field or nothing (no slow __getattr__)
        return extra.get(key)
    return getattr(obj, key, None)


def short_repr(item: Any, limit: int = 80) -> str:
    """``repr(item)`` cut to ``limit`` characters, for error messages."""
    try:
        text = repr(item)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(item).__name__} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
