"""``Run``: the handle of one run (its transcript, events, wait, cancel, save).

What a run does lives in the runtime beside it: ``RunSink`` folds and sends, ``Driver``
reads the source where it belongs and waits, ``registry`` knows which runs stream,
``views`` is where the ops go, ``PausedCalls`` (which ``Run`` extends) answers its paused
tool calls, ``ToolReruns`` (``reruns``; extended too) records its tools called again.
Producers above the runtime (the agent, replay) extend a Run through its public hooks:
``on_message``, ``on_events``, ``on_done``, ``push_late``.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TypeVar

from nbagent.core.events import Event
from nbagent.pipeline.stream import pipeline_for
from nbagent.runtime import registry
from nbagent.runtime.driver import Driver
from nbagent.runtime.kernel import CellMark, cell_mark, in_notebook, on_kernel_shutdown, show_handle
from nbagent.runtime.log import EventLog
from nbagent.runtime.pause import Pauses
from nbagent.runtime.paused_calls import PausedCalls
from nbagent.runtime.requests import PageRequests
from nbagent.runtime.reruns import Rerunner, ToolReruns
from nbagent.runtime.sink import Amend, EventsCallback, RunSink
from nbagent.runtime.views import CellOutput, OwnWidget, RunView, held
from nbagent.sources import check_source, resolve_source
from nbagent.transcript import prices as prices
from nbagent.transcript.transcript import Transcript
from nbagent.widget.messages import LanesRequest
from nbagent.widget.output import OutputRun, mimebundle
from nbagent.widget.terminal import Printer

__all__ = ["MessageHandler", "Run", "launch"]

MessageHandler = Callable[[Any], None]
"""Takes a page message of its kind (its TypedDict in ``nbagent.widget.messages``), as the
page sent it: it checks the fields it reads."""
_ids = itertools.count(1)


class Run(PausedCalls, PageRequests, ToolReruns):
    """One run of a source through the pipeline; ``show()``, ``agent.run()`` and ``replay()``
    return it at once. ``transcript``: the folded state (pure data); ``widget``: the view (None
    outside a notebook); ``events``: every normalized event. ``await run`` / ``wait()`` give the
    final Transcript; ``cancel()`` is Stop; ``save(path)``, ``rerun_tool(i)``; paused calls:
    ``until_paused()``, ``approve``, ``mock``, ``deny``, ``dismiss``; ``fork(step, edit)``."""

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
        source = resolve_source(source)
        check_source(source)
        self.source = source
        self.title = title
        self.number = next(_ids)
        self.transcript = Transcript()
        # The run starts now (show/launch/watch/a chat send), not at its source's first item.
        self.transcript.begin(started := time.time())  # its view's first state has its clock
        shown = in_notebook() if display is None else display
        if view is None and shown:
            view = OwnWidget(
                self.transcript.to_dict(),
                title=title,
                show_thinking=show_thinking,
                throttle_ms=throttle_ms,
            )
        self.view: RunView | None = view
        """Where the run's ops go: a widget of its own, or a lane; None outside a notebook."""
        self.widget: Any = None if view is None else view.widget
        """The widget showing the run (an ``AgentWidget``, or the lanes widget it is a lane of)."""
        self._handlers: dict[str, MessageHandler] = {}
        self.app_calls: object | None = None
        """The calls the run's MCP apps make (``nbagent.mcp_client``'s ``AppCalls``: ``pending``,
        ``answer``) when nbagent can make them (its Agent's runs, the MCP inspector's calls, a
        pydantic-ai run whose toolsets it reaches); None: an app's call is refused with why (a
        replayed run, another framework's)."""
        self._output: CellOutput | None = None
        lock = threading.RLock() if view is None else view.lock
        pipeline = pipeline_for(source, format, title=title, started_at=started)
        printer = Printer() if view is None else None
        self._sink = RunSink(pipeline, self.transcript, view=view, printer=printer, lock=lock)
        self._driver = Driver(source, self._sink, name=f"nbagent-run-{self.number}")
        if isinstance(view, OwnWidget):
            if self.cannot_fork is None:  # Fork here is offered: its forks show beside it
                view.widget.forks = []
            view.widget.add_handler(self.handle_message)
            self._output = CellOutput(view.widget, view.controller, lock, self._mimebundle)
            self._sink.on_ending(self._output.ended)
        self.pauses = Pauses()
        """Tool calls waiting, before they run, for an answer from the notebook (``pause``)."""
        self.on_message("pause_answer", self._pause_answer_from_view)
        self.reruns: Rerunner | None = None
        """What calls the run's tools again (``rerun_tool``, the Re-run button), where nbagent
        reaches them: set by the producer before the run starts; None: it does not."""
        self.no_rerun: str | None = None
        """Why nbagent cannot reach the run's tools, when it says (``cannot_rerun``)."""
        bind = getattr(source, "nbagent_bind_run", None)
        if callable(bind):  # a producer that pauses on this run's calls (nbagent.frameworks.resume)
            bind(self)
        self._sink.on_done(self._ended)
        self._shown_at: CellMark | None = None
        """The cell that displayed the run's widget (``display``): its last expression shows
        nothing more."""

    # -- the handle ----------------------------------------------------------------------

    @property
    def events(self) -> EventLog:
        """Every normalized event of the run so far, in order (what ``save()`` writes): a
        read-only sequence whose deltas' text is the transcript's, kept once."""
        return self._sink.events

    @property
    def format(self) -> str | None:
        """The source's format: the one given, or the one detected (None before the first item)."""
        return self._sink.pipeline.format

    @property
    def done(self) -> bool:
        """True once the run has ended (any status)."""
        return self._sink.done.is_set()

    @property
    def status(self) -> str:
        """``running``, ``completed``, ``error`` or ``cancelled``."""
        return self.transcript.status

    @property
    def end_mark(self) -> tuple[bool, int]:
        """Where the kernel was in its cells as the run began to end (``kernel.cell_mark``)."""
        return self._sink.end_mark

    @property
    def lock(self) -> threading.RLock:
        """Held while the run folds and sends: hold it to read a transcript that matches
        what was sent."""
        return self._sink.lock

    def cancel(self) -> None:
        """Stop the run: marked cancelled at once, the source closed at its next item."""
        stopped = self._sink.cancel("stopped by user")
        self.pauses.cancel_all()
        if stopped:
            self._driver.interrupt()

    def wait(self, timeout: float | None = None) -> Transcript:
        """Block until the run ends and return its transcript.

        Safe in a kernel cell (a run read on the kernel's loop is driven by re-entering
        it). A KeyboardInterrupt (the kernel's interrupt) cancels the run and re-raises.
        """
        try:
            self._driver.wait(timeout)
        except KeyboardInterrupt:
            self.cancel()
            self._sink.done.wait(1.0)
            raise
        if not self.done and timeout is not None:
            raise TimeoutError(f"run still streaming after {timeout} s")
        return self.transcript

    def __await__(self) -> Generator[Any, None, Transcript]:
        return self.wait_async().__await__()

    async def wait_async(self) -> Transcript:
        """``await run``: the transcript once the run ends; cancelling the await stops it."""
        try:
            await self._driver.wait_async()
        except asyncio.CancelledError:  # whoever awaited gave up on the run
            self.cancel()
            raise
        return self.transcript

    def save(self, path: str | Path) -> Path:
        """Write every event as nbagent's JSONL (``format="events"``)."""
        target = Path(path)
        with target.open("w", encoding="utf-8") as file:
            file.writelines(self.events.jsonl())
        return target

    # An agent's run (``nbagent.AgentRun``) has a conversation; others not.

    @property
    def session(self) -> Any:
        """An agent run's conversation (``nbagent.AgentSession``); None here."""
        return None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """An agent run's conversation so far (Chat Completions messages); [] here."""
        return []

    cannot_fork: str | None = "this run has no conversation to go on from"
    """Why ``fork`` raises, a clause; None: it forks (its widget's ``forks`` is a list)."""

    def fork(self, step: int | str, edit: Any = None, *, title: str | None = None) -> Run:
        """Run the conversation up to a step again: only a run of ``nbagent.Agent`` holds it."""
        raise RuntimeError(f"fork() needs a run of nbagent.Agent: {self.cannot_fork}")

    def _display_(self) -> Any:
        """What marimo shows for a Run that is a cell's last expression: its widget."""
        return self.widget if self.widget is not None else repr(self)

    def _ipython_display_(self) -> None:
        """What IPython shows for a Run that is a cell's last expression."""
        show_handle(self._shown_at, repr(self))

    def __repr__(self) -> str:
        t = self.transcript
        name = f" {self.title!r}" if self.title else ""
        tools = len(t.tool_calls)
        extra = f", {tools} tool call{'s' if tools != 1 else ''}" if tools else ""
        return f"<nbagent.Run #{self.number}{name} {t.status}, {len(t.text):,} chars{extra}>"

    # -- hooks for what builds on a run (lanes, chat, replay, the agent) -----------------

    def start(self) -> None:
        """Start reading the source (``launch`` displays the run first)."""
        registry.track(self)
        prices.warm_up()
        if self.widget is not None:
            on_kernel_shutdown(registry.end_pages)
        self._sink.announce()
        self._driver.start()

    def amend(self, fn: Amend) -> None:
        """Pass each normalized event through ``fn`` (the same event, or a changed copy)
        before it is observed, folded and logged: what the producer knows and the source
        does not (how to call a tool from the notebook)."""
        self._sink.amend(fn)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the run has ended (at once if it has), from the thread
        that ended it."""
        self._sink.on_done(callback)

    def on_events(self, callback: EventsCallback) -> None:
        """Call ``callback(events)`` with each batch of normalized events as it arrives,
        under the run's lock, before it is folded."""
        self._sink.on_events(callback)

    def handle_message(self, content: LanesRequest) -> None:
        """A message from the browser for this run (its widget's, or its lane's)."""
        kind = content.get("type")
        if kind == "stop":
            self.cancel()
        elif kind == "sync" and self.view is not None:
            with self.lock:
                self.view.sync(self.transcript)
        elif kind == "output" and self._output is not None:
            with self.lock:  # the state and the seq of the same moment
                if self.transcript.status != "running":  # the view asks again at the end
                    self._output.answer(held(content.get("have")))
        elif isinstance(kind, str) and kind in self._handlers:
            self._handlers[kind](content)
        elif kind == "app_call":
            why = "nbagent reaches no server of this run to make its app's call (it can for "
            why += "its Agent, the MCP inspector and pydantic-ai runs shown as they run)"
            self.refuse_app_call(content, why)

    def add_events(self, events: list[Event]) -> None:
        """Add events the source did not give (what the producer learned meanwhile: an MCP
        app read for a call), from any thread: as the source's while the run is live; after
        its end, an app and a call's ``meta`` still change its state (``RunSink.add``), saved
        with it."""
        self._sink.add(events)
        self.save_state()

    def push_late(self, ops: list[dict[str, Any]]) -> None:
        """Send ops that do not come from the source (a tool re-run), also after the end;
        the caller holds ``lock`` and has applied them to the transcript."""
        if self.view is not None:
            self.view.push_late(ops)

    def save_state(self) -> None:
        """Write the transcript into the widget's saved state again (after ``push_late``
        once the run has ended: a saved notebook shows it too)."""
        if self.view is not None and self.done:
            with self.lock:
                self.view.save_state(self.transcript)

    def _ended(self) -> None:
        registry.forget(self)
        self.pauses.cancel_all("the run has ended")

    def display(self) -> None:
        """Display the run's widget below the running cell (in a notebook)."""
        if self._output is not None:
            self._output.display()
            self._shown_at = cell_mark()

    def _mimebundle(self) -> dict[str, Any]:
        """The cell output's data now (``nbagent.widget.output``): the saved notebook's copy."""
        assert self.widget is not None
        runs = [OutputRun(self.transcript.to_dict(), self.title)]
        return mimebundle(runs, model_id=self.widget.model_id)


RunT = TypeVar("RunT", bound=Run)


def launch(run: RunT) -> RunT:
    """Display a new run below the cell (in a notebook) and start reading its source."""
    run.display()
    run.start()
    return run
