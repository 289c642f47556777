"""``Hook``: one hook family's way into a library, and how it is undone.

A hook registers something with a library (a callback handler, a span processor, a trace
processor, an event handler) and, each time the library calls it, hands a ``HookRecord`` to
``emit`` and returns at once: the library's thread does nothing else. ``uninstall`` removes
exactly what ``install`` added, whatever happened in between.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar

from nbagent.adapters.hooks import HookRecord

__all__ = ["Emit", "Hook", "HookError"]

Emit = Callable[[HookRecord], None]


class HookError(RuntimeError):
    """A hook cannot be installed (a library version it does not know, a missing extra)."""


class Hook:
    """One family's hook, for a ``with nbagent.watch():`` block (``target`` None: every call
    the library makes while the block runs) or for one object (``nbagent.watch(obj)``)."""

    family: ClassVar[str] = ""
    """The family name, also its adapter's (``nbagent.adapters.hooks.FAMILIES``)."""
    modules: ClassVar[tuple[str, ...]] = ()
    """Top-level modules: when one is imported, ``with nbagent.watch():`` installs the hook."""
    watches: ClassVar[str] = ""
    """What ``nbagent.watch(obj)`` takes with this hook, for the error about other objects
    (e.g. ``"a LangChain chat model or runnable"``); empty: none."""

    def __init__(self, emit: Emit, target: Any = None) -> None:
        self.emit = emit
        self.target = target

    @classmethod
    def applies(cls) -> bool:
        """Whether the library is in use (imported): nothing is installed for the others."""
        return any(name in sys.modules for name in cls.modules)

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        """Whether ``nbagent.watch(obj)`` can attach this hook to ``obj`` alone."""
        return False

    def install(self) -> None:
        """Register with the library (raises ``HookError`` when it cannot)."""
        raise NotImplementedError

    def uninstall(self) -> None:
        """Remove what ``install`` added; never raises."""
        raise NotImplementedError

    def busy(self) -> bool:
        """Calls whose end the library reports later, on another thread (LiteLLM's success
        callbacks): the watch waits a moment for them before it uninstalls."""
        return False

    def note(self) -> str | None:
        """What the user should know about this hook once installed (shown as a warning),
        e.g. that a library reports through OpenTelemetry and the SDK is missing."""
        return None

    def record(
        self,
        kind: str,
        data: Any,
        *,
        root: str = "",
        last: bool = False,
        ts: float | None = None,
    ) -> None:
        """Hand one callback to the watch, stamped with the time now (or ``ts``)."""
        self.emit(
            HookRecord(self.family, kind, data, time.time() if ts is None else ts, root, last)
        )
