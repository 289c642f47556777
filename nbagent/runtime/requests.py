"""``PageRequests``: what a ``Run`` does with its page's requests beyond its own (``stop``,
``sync``, ``output``): a handler per ``type``, each typed with its message's TypedDict
(``nbagent.widget.messages``), so that a handler of another kind is a type error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, overload

from nbagent.widget.messages import (
    AppCallAnswer,
    AppCallRequest,
    ChooseRequest,
    ForkRequest,
    PauseAnswer,
    RerunRequest,
    StepRequest,
)

__all__ = ["PageRequests"]


class PageRequests:
    """The handlers of a run's page requests, by ``type`` (``Run`` sets ``_handlers``)."""

    _handlers: dict[str, Callable[[Any], None]]

    @overload
    def on_message(
        self, kind: Literal["pause_answer"], handler: Callable[[PauseAnswer], None]
    ) -> None: ...
    @overload
    def on_message(
        self, kind: Literal["choose"], handler: Callable[[ChooseRequest], None]
    ) -> None: ...
    @overload
    def on_message(self, kind: Literal["fork"], handler: Callable[[ForkRequest], None]) -> None: ...
    @overload
    def on_message(
        self, kind: Literal["rerun"], handler: Callable[[RerunRequest], None]
    ) -> None: ...
    @overload
    def on_message(
        self, kind: Literal["app_call"], handler: Callable[[AppCallRequest], None]
    ) -> None: ...
    @overload
    def on_message(
        self, kind: Literal["app_call_answer"], handler: Callable[[AppCallAnswer], None]
    ) -> None: ...
    @overload
    def on_message(self, kind: Literal["step"], handler: Callable[[StepRequest], None]) -> None: ...
    def on_message(self, kind: str, handler: Callable[[Any], None]) -> None:
        """Call ``handler(content)`` for the browser's messages of ``type`` ``kind``
        (``stop``, ``sync`` and ``output`` are the run's own), as the page sent them: the
        handler checks the fields it reads."""
        self._handlers[kind] = handler
