"""The live handle of one run: drives the source, feeds the widget, answers wait/await.

Sync sources are read on a thread nbagent owns; async sources run as a task on
the kernel's loop, created with an empty context (a task that inherits the
cell's context tags its messages with that cell, and ``jupyter execute`` drops
them once the cell returns). See ARCHITECTURE.md, "Threads, loops and cells".
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from nbagent import terminal
from nbagent.events import Event
from nbagent.output import OutputRun, mimebundle
from nbagent.runtime.kernel import (
    CellMark,
    cell_mark,
    current_cell_id,
    current_kernel,
    drive_loop_until,
    kernel_loop,
    on_cell_rerun,
    running_loop,
)
from nbagent.runtime.log import EventLog
from nbagent.runtime.loops import background_loop
from nbagent.runtime.views import CellOutput, OwnWidget, RunView
from nbagent.sources import (
    aclose_source,
    check_source,
    close_source,
    is_async_source,
    source_format,
)
from nbagent.stream import Pipeline
from nbagent.transcript import Transcript

if TYPE_CHECKING:
    from nbagent.lanes import Lanes

__all__ = ["Run", "launch", "show", "stop_all"]

_ids = itertools.count(1)
_live: set[Run] = set()
_by_cell: dict[str, weakref.WeakSet[Run]] = {}
_live_lock = threading.Lock()


class Run:
    """One run of a source through the pipeline; ``show()`` returns it at once.

    ``transcript`` is the folded state (pure data); ``widget`` the view (None
    outside a notebook); ``events`` every normalized event, in order (an ``EventLog``: a
    read-only sequence that keeps the deltas' text in the transcript's buffers).
    """

    def __init__(
        self,
        source: Any,
        *,
        format: str = "auto",  # noqa: A002 - the public API's name
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        display: bool | None = None,
        view: RunView | None = None,
    ) -> None:
        check_source(source)
        self.source = source
        self.title = title
        self.transcript = Transcript()
        self._session: Any = None
        self.number = next(_ids)
        self._pipe = Pipeline(source_format(source, format), title=title)
        self._lock = threading.RLock()
        self._done = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._first_token_sent = False
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._printer: terminal.Printer | None = None
        self._view: RunView | None = view
        in_notebook = current_kernel() is not None if display is None else display
        if view is None and in_notebook:
            self._view = OwnWidget(
                self.transcript.to_dict(),
                title=title,
                show_thinking=show_thinking,
                throttle_ms=throttle_ms,
                on_message=self._on_message,
            )
        elif view is None:
            self._printer = terminal.Printer()
        if self._view is not None:
            self._lock = self._view.lock
        self.events = EventLog(self.transcript, self._lock)
        self.end_mark: CellMark = (False, 0)
        """Where the kernel was in its cells as the run began to end (``kernel.cell_mark``)."""
        self._output: CellOutput | None = None
        if isinstance(self._view, OwnWidget):
            view = self._view
            self._output = CellOutput(view.widget, view.controller, view.lock, self._mimebundle)
        self.widget: Any = None if self._view is None else self._view.widget
        """The widget showing the run (an ``AgentWidget``, or the lanes widget it is a lane of)."""

    # -- public -------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once the run has ended (any status)."""
        return self._done.is_set()

    @property
    def status(self) -> str:
        """``running``, ``completed``, ``error`` or ``cancelled``."""
        return self.transcript.status

    def cancel(self) -> None:
        """Stop the run: marked cancelled at once, the source closed at its next item."""
        with self._lock:
            if self._pipe.ended:
                return
            self._ingest(self._pipe.cancel("stopped by user"))
        self._interrupt_source()

    def wait(self, timeout: float | None = None) -> Transcript:
        """Block until the run ends and return its transcript.

        Safe in a kernel cell: a loop-driven run is driven by re-entering the
        loop. A KeyboardInterrupt (kernel interrupt) cancels the run and re-raises.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            task, loop = self._task, self._loop
            if task is not None and loop is not None and not task.done() and running_loop() is loop:
                drive_loop_until(task, loop, timeout)
            else:
                # Short waits, so that a kernel interrupt (KeyboardInterrupt) gets through.
                while not self._done.wait(0.05):
                    if deadline is not None and time.monotonic() >= deadline:
                        break
        except KeyboardInterrupt:
            self.cancel()
            self._done.wait(1.0)
            raise
        if not self._done.is_set() and timeout is not None:
            raise TimeoutError(f"run still streaming after {timeout} s")
        return self.transcript

    def __await__(self) -> Generator[Any, None, Transcript]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> Transcript:
        if self._done.is_set():
            return self.transcript
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(_resolve, future)

        self._on_done(wake)
        try:
            await future
        except asyncio.CancelledError:
            self.cancel()
            raise
        return self.transcript

    @property
    def session(self) -> Any:
        """An ``Agent.run``'s conversation (``nbagent.agent.AgentSession``); None otherwise."""
        return self._session

    @session.setter
    def session(self, session: Any) -> None:
        self._session = session
        if self._view is not None:
            self._view.set_can_rerun(session is not None)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """An agent run's conversation so far (Chat Completions messages); [] otherwise."""
        return [] if self.session is None else list(self.session.messages)

    def rerun_tool(self, i: int, **overrides: Any) -> Any:
        """Call the Python tool of ``transcript.tool_calls[i]`` again, ``overrides`` replacing
        arguments; returns its result (raises ``nbagent.agent.ToolCallError`` if it fails)."""
        if self._session is None:
            raise RuntimeError("rerun_tool() needs a run of nbagent.Agent: this run has no tools")
        call = self.transcript.tool_calls[i]
        args = dict(call.args) if isinstance(call.args, dict) else {}
        outcome = self._rerun(call.id, call.name, args | overrides)
        if outcome.is_error:
            from nbagent.agent import ToolCallError

            raise ToolCallError(outcome)
        return outcome.result

    def _rerun(self, tool_call_id: str, name: str, args: dict[str, Any]) -> Any:
        """Run a tool again and show it under the original call; its ``ToolOutcome``."""
        with self._lock:
            k, ops = self.transcript.start_rerun(tool_call_id, args)
            self._show_late(ops)
        outcome = self._session.run_tool(name, args)
        fields = {
            "state": "error" if outcome.is_error else "done",
            "result": outcome.shown,
            "is_error": outcome.is_error,
            "duration_s": outcome.duration_s,
        }
        fields |= outcome.extras()
        with self._lock:
            self._show_late(self.transcript.end_rerun(tool_call_id, k, fields))
            if self._view is not None and self._done.is_set():  # saved state shows it too
                self._view.save_state(self.transcript)
        return outcome

    def _show_late(self, ops: list[dict[str, Any]]) -> None:
        if self._view is not None:
            self._view.push_late(ops)

    def save(self, path: str | Path) -> Path:
        """Write every event as nbagent's JSONL (``format="events"``)."""
        target = Path(path)
        with target.open("w", encoding="utf-8") as file:
            file.writelines(self.events.jsonl())
        return target

    def __repr__(self) -> str:
        t = self.transcript
        name = f" {self.title!r}" if self.title else ""
        tools = len(t.tool_calls)
        extra = f", {tools} tool call{'s' if tools != 1 else ''}" if tools else ""
        return f"<nbagent.Run #{self.number}{name} {t.status}, {len(t.text):,} chars{extra}>"

    # -- driving ------------------------------------------------------------

    def _start(self) -> None:
        with _live_lock:
            _live.add(self)
            cell = current_cell_id()
            if cell is not None:
                _by_cell.setdefault(cell, weakref.WeakSet()).add(self)
        if is_async_source(self.source):
            here, home = running_loop(), kernel_loop()
            if here is not None and (home is None or here is home):
                self._loop = here
                # An empty context: see the module docstring.
                self._task = here.create_task(self._drive_async(), context=contextvars.Context())
            else:
                # Not on the kernel's thread (a comm handler on a subshell), or no loop here:
                # the kernel's loop, else nbagent's own long-lived one. One loop for every run,
                # because what a source keeps across runs (an AsyncOpenAI client) is bound
                # to the loop that first used it.
                self._loop = home or background_loop()
                self._loop.call_soon_threadsafe(self._create_task, context=contextvars.Context())
            return
        self._thread = threading.Thread(
            target=self._drive_sync, name=f"nbagent-run-{self.number}", daemon=True
        )
        self._thread.start()

    def _cancel_task(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _create_task(self) -> None:
        """On ``self._loop``: start driving the run there (stopped already: at once)."""
        assert self._loop is not None
        self._task = self._loop.create_task(self._drive_async())
        if self._pipe.ended:
            self._task.cancel()

    def _drive_sync(self) -> None:
        iterator: Any = None
        try:
            iterator = iter(self.source)
            for item in iterator:
                with self._lock:
                    if self._pipe.ended:
                        break
                    self._ingest(self._pipe.feed(item))
            else:
                with self._lock:
                    self._ingest(self._pipe.finish())
        except BaseException as exc:  # noqa: BLE001 - any failure ends the run, never the kernel
            self._fail(exc)
        finally:
            close_source(self.source)
            if iterator is not None and iterator is not self.source:
                close_source(iterator)

    async def _drive_async(self) -> None:
        iterator: Any = None
        try:
            iterator = aiter(self.source)
            async for item in iterator:
                with self._lock:
                    if self._pipe.ended:
                        break
                    self._ingest(self._pipe.feed(item))
            else:
                with self._lock:
                    self._ingest(self._pipe.finish())
        except asyncio.CancelledError:
            with self._lock:
                self._ingest(self._pipe.cancel("stopped by user"))
        except BaseException as exc:  # noqa: BLE001 - any failure ends the run, never the kernel
            self._fail(exc)
        finally:
            # Close the iterator here, on its loop: an async generator left to the garbage
            # collector is finalized after its loop has gone and cannot run its cleanup.
            if iterator is not None and iterator is not self.source:
                await aclose_source(iterator)
            await aclose_source(self.source)

    def _interrupt_source(self) -> None:
        task, loop = self._task, self._loop
        if loop is not None and (task is None or not task.done()):
            # After _create_task, which was queued on the loop first.
            loop.call_soon_threadsafe(self._cancel_task)
        elif not inspect.isgenerator(self.source) and not is_async_source(self.source):
            # A stream object (e.g. openai.Stream) closes its connection from any
            # thread, which unblocks a read; a generator can only be closed by its
            # own thread, at its next yield.
            threading.Thread(target=close_source, args=(self.source,), daemon=True).start()

    def _fail(self, exc: BaseException) -> None:
        """End the run with ``exc``. The failure may be the widget's own (a send that
        raised): the transcript has the error then, and the run ends all the same."""
        with self._lock, contextlib.suppress(Exception):
            self._ingest(self._pipe.fail(exc))

    # -- folding and sending -------------------------------------------------

    def _ingest(self, events: list[Event]) -> None:
        """Fold events into the transcript and hand the ops to the controller.

        Called with ``self._lock`` held, from whichever thread drives the run.
        """
        if not events:
            return
        transcript = self.transcript
        ops: list[dict[str, Any]] = []
        for ev in events:
            ops.extend(transcript.apply(ev))
            self.events.append(ev)  # after apply: its text is in the transcript's buffers
        if self._printer is not None:
            self._printer.feed(events)
        ended = self._pipe.ended
        try:
            if self._view is not None:
                urgent = ended
                if not self._first_token_sent and transcript.first_token_at is not None:
                    self._first_token_sent = urgent = True
                self._view.push(ops, urgent=urgent)
        finally:  # a widget that cannot be updated must not leave the run unfinished
            if ended and not self._done.is_set():
                self._finish()

    def _finish(self) -> None:
        try:
            self.end_mark = mark = cell_mark()
            if self._view is not None:
                self._view.close()
                self._view.save_state(self.transcript)
            if self._output is not None:
                self._output.ended(mark)
        finally:  # wait() and await return, whatever the widget did
            with _live_lock:
                _live.discard(self)
            self._done.set()
            for callback in self._callbacks:
                callback()
            self._callbacks.clear()

    def _on_done(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def _on_message(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        if kind == "stop":
            self.cancel()
        elif kind == "rerun" and self._session is not None:
            self._rerun_from_view(content)
        elif kind == "sync" and self._view is not None:
            with self._lock:
                self._view.sync(self.transcript)
        elif kind == "output" and self._output is not None:
            with self._lock:  # the state and the seq of the same moment
                if self.transcript.status != "running":  # the view asks again at the end
                    self._output.answer()

    def _rerun_from_view(self, content: dict[str, Any]) -> None:
        """The Re-run button: the arguments came as a JSON object (never as code to run)."""
        args = content.get("args")
        call = next((c for c in self.transcript.tool_calls if c.id == content.get("id")), None)
        if call is None or not isinstance(args, dict):
            return
        # Off the kernel's main thread: the comm handler must not wait for a slow tool.
        threading.Thread(
            target=self._rerun, args=(call.id, call.name, args), name="nbagent-rerun", daemon=True
        ).start()

    def _mimebundle(self) -> dict[str, Any]:
        """The cell output's data now (``nbagent.output``): the saved notebook's copy."""
        assert self.widget is not None
        runs = [OutputRun(self.transcript.to_dict(), self.title)]
        return mimebundle(runs, model_id=self.widget.model_id)

    def _display(self) -> None:
        if self._output is not None:
            self._output.display()


@overload
def show(
    source: Mapping[str, Any],
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",
) -> Lanes: ...


@overload
def show(
    source: Any,
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",
) -> Run: ...


def show(
    source: Any,
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",  # noqa: A002 - the public API's name
) -> Run | Lanes:
    """Render a stream live below the cell and return its :class:`Run` at once.

    ``source``: an iterable or async iterable of ``str`` (text deltas), of
    :class:`nbagent.Event`, or of wire items of a known ``format`` (an OpenAI
    ``Stream`` of ``ChatCompletionChunk``, ...); anything else raises
    :class:`nbagent.sources.SourceTypeError` at once. Outside a notebook the text
    is printed as it streams.

    A mapping ``{"name": source, ...}`` shows each source in its own lane of one
    widget, side by side, and returns the :class:`nbagent.lanes.Lanes`.
    """
    if isinstance(source, Mapping):
        from nbagent.lanes import show_lanes

        return show_lanes(
            source, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms, format=format
        )
    run = Run(
        source, format=format, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms
    )
    return launch(run)


RunT = TypeVar("RunT", bound=Run)


def launch(run: RunT) -> RunT:
    """Display a new run below the cell (in a notebook) and start reading its source."""
    on_cell_rerun(_stop_runs_of_cell)
    if run.widget is not None:
        run._display()
    run._start()
    return run


def _stop_runs_of_cell(cell: str) -> None:
    """Re-running a cell stops the runs its previous execution started."""
    with _live_lock:
        runs = list(_by_cell.pop(cell, ()))
    for run in runs:
        run.cancel()


def stop_all() -> int:
    """Stop every run of this process that is still streaming; return how many."""
    with _live_lock:
        runs = list(_live)
    for run in runs:
        run.cancel()
    return len(runs)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
