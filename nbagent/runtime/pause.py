"""Where a run can pause before a tool call and go on with an answer from the notebook.

A producer (an agent loop, a framework's approval request) asks before a tool runs::

    answer = await run.pauses.before_tool(PauseRequest("call_1", "delete_file", {"path": p}))
    if answer.action == "run": ...        # answer.args: the arguments to run it with
    elif answer.action == "mock": ...     # answer.result: what the model gets instead
    elif answer.action == "deny": ...     # answer.reason: the refusal the model gets
    elif answer.action == "dismiss": ...  # a question left unanswered (only where offered)
    else: ...                             # "cancel": the run was stopped; give up

and the notebook answers from any thread (a cell, the widget's comm handler):
``run.pauses.pending``, ``run.pauses.answer(tool_call_id, Answer("run"))``. A Stop answers
every waiting call with ``cancel``. Parallel calls wait together, each for its own answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from typing import Any, Literal

from nbagent.runtime.loops import settle_threadsafe

__all__ = ["Answer", "PauseRequest", "Pauses"]

Action = Literal["run", "mock", "deny", "dismiss", "cancel"]


@dataclasses.dataclass(frozen=True)
class PauseRequest:
    """A tool call waiting for an answer before it runs: what ``run.pauses.pending`` (and
    ``await run.until_paused()``) list, and what a producer hands ``Pauses.before_tool``."""

    tool_call_id: str
    name: str
    args: dict[str, Any] | None = None
    """The parsed arguments the model asked for (None: they did not parse)."""
    schema: dict[str, Any] | None = None
    """The JSON schema of the tool's arguments, when known (the view's Edit arguments)."""
    validate: Callable[[dict[str, Any]], Any] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )
    """Checks edited arguments before the answer is taken: raises ``ValueError`` naming the
    field that does not fit (the agent passes its tool's pydantic validation)."""
    actions: tuple[str, ...] | None = None
    """The answers the producer can carry out (``run``, ``edit``: run with other arguments,
    ``mock``, ``deny``, ``dismiss``: leave a server's question unanswered), as its widget
    offers them; None: every one but ``dismiss``, which only a question offers."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """What to do with a paused tool call: ``action`` is ``"run"`` (with ``args``, None: as
    asked), ``"mock"`` (the model gets ``result``), ``"deny"`` (the model gets ``reason``),
    ``"dismiss"`` (a question left unanswered) or ``"cancel"`` (the run was stopped).
    ``run.approve`` / ``mock`` / ``deny`` / ``dismiss`` make one for you."""

    action: Action
    args: dict[str, Any] | None = None
    """``run``: the arguments to run the tool with (None: as asked)."""
    result: Any = None
    """``mock``: the result the model gets instead of running the tool."""
    reason: str | None = None
    """``deny``: why, for the model to react to."""


class _Waiter:
    """One paused call: woken once, on the thread or loop that waits."""

    def __init__(self, request: PauseRequest) -> None:
        self.request = request
        self.answer: Answer | None = None
        self.event = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.future: asyncio.Future[Answer] | None = None

    def wake(self, answer: Answer) -> None:
        self.answer = answer
        self.event.set()
        loop, future = self.loop, self.future
        if loop is not None and future is not None:
            settle_threadsafe(loop, future, answer)


class Pauses:
    """A run's paused tool calls (``run.pauses``): ``pending`` lists them, ``answer(id,
    Answer(...))`` answers one, a Stop answers every one with ``cancel``. Thread-safe:
    producers wait on their own loop or thread, answers come from any thread. Pass one to
    ``agent.stream(prompt, pause_before=..., pauses=nbagent.Pauses())`` to answer from code
    when there is no display."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, _Waiter] = {}
        self._closed = False
        self._listeners: list[Callable[[], None]] = []

    @property
    def pending(self) -> list[PauseRequest]:
        """The calls waiting for an answer, in the order they paused."""
        with self._lock:
            return [w.request for w in self._waiting.values()]

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` whenever a call pauses or is answered (a view shows them)."""
        self._listeners.append(listener)

    async def before_tool(self, request: PauseRequest) -> Answer:
        """Wait, on this loop, for the answer to ``request``."""
        waiter = self._add(request)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        with self._lock:
            waiter.loop, waiter.future = loop, future
            answered = waiter.answer
        if answered is not None:  # answered between _add and here (or the run had ended)
            return answered
        try:
            return await future
        finally:
            self._forget(request.tool_call_id, waiter)

    def wait_before_tool(self, request: PauseRequest, timeout: float | None = None) -> Answer:
        """``before_tool`` for a producer on a thread; ``cancel`` once ``timeout`` passes."""
        waiter = self._add(request)
        try:
            if not waiter.event.wait(timeout):
                return Answer("cancel", reason=f"no answer within {timeout} s")
            assert waiter.answer is not None
            return waiter.answer
        finally:
            self._forget(request.tool_call_id, waiter)

    def answer(self, tool_call_id: str, answer: Answer) -> bool:
        """Answer a paused call; False when no call of that id is waiting."""
        with self._lock:
            waiter = self._waiting.pop(tool_call_id, None)
        if waiter is None:
            return False
        waiter.wake(answer)
        self._changed()
        return True

    def cancel_all(self, reason: str = "stopped by user") -> None:
        """The run stopped: every waiting call, and any that pauses later, gets ``cancel``."""
        with self._lock:
            self._closed = True
            waiters, self._waiting = list(self._waiting.values()), {}
        for waiter in waiters:
            waiter.wake(Answer("cancel", reason=reason))
        if waiters:
            self._changed()

    def _add(self, request: PauseRequest) -> _Waiter:
        waiter = _Waiter(request)
        with self._lock:
            if self._closed:
                waiter.answer = Answer("cancel", reason="the run has ended")
                waiter.event.set()
                return waiter
            if request.tool_call_id in self._waiting:
                raise ValueError(f"tool call {request.tool_call_id!r} is paused already")
            self._waiting[request.tool_call_id] = waiter
        self._changed()
        return waiter

    def _forget(self, tool_call_id: str, waiter: _Waiter) -> None:
        """The waiter gave up (cancelled, timed out): no answer is expected any more."""
        with self._lock:
            if self._waiting.get(tool_call_id) is waiter:
                del self._waiting[tool_call_id]
            else:
                return
        self._changed()

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
