"""Several runs in one widget: lanes side by side, or the turns of a chat.

    lanes = nbagent.show({"gpt-4.1": stream_a, "local-qwen": stream_b})
    lanes = nbagent.compare(agent_a, agent_b, "Weather in Oslo?")
    await lanes                      # {"gpt-4.1": Transcript, "local-qwen": Transcript}

Each lane is a :class:`Run` of its own (its transcript, status line and Stop) shown by one
``LanesWidget``. One controller serves every lane, so one message per ``throttle_ms`` carries
all of them; every lane's producer pushes under one lock, so a snapshot of all lanes matches
exactly the ops sent so far. ``nbagent.Chat`` shows its turns as lanes of ``layout="chat"``.
Where each lane is saved (the widget's state, the cell output): ``LaneSaves``, which ``Lanes``
extends.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

from nbagent.apps.lane import Lane
from nbagent.apps.lane_saves import LaneSaves
from nbagent.frameworks.rerun import attach
from nbagent.runtime.controller import Controller
from nbagent.runtime.kernel import CellMark, cell_mark, in_notebook, show_handle
from nbagent.runtime.run import Run
from nbagent.runtime.views import CellOutput, held
from nbagent.sources.recording import Player
from nbagent.transcript.transcript import Transcript
from nbagent.widget.lane_state import LANE_START
from nbagent.widget.messages import KernelMessage, LanesRequest, Notice
from nbagent.widget.output import Head, Layout, RunOutput
from nbagent.widget.terminal import print_block
from nbagent.widget.widget import LanesWidget
from nbagent.widget.wire import compact_state

__all__ = ["Lanes", "is_agent"]


def _discard(_message: KernelMessage) -> None:
    """Where a lanes controller sends outside a notebook: lanes are printed when they end."""


class Lanes(LaneSaves):
    """Several runs shown in one widget, each in its own lane.

    ``layout="lanes"``: side by side when there is room, stacked otherwise (what
    ``show({...})`` and ``compare()`` make); ``layout="chat"``: turns one under the other,
    each under its prompt, with an input box (what ``nbagent.Chat`` makes). Index it by
    lane name or number; ``wait()``/``await`` return every lane's transcript by name.
    Outside a notebook each lane is printed when it ends.
    """

    def __init__(
        self,
        *,
        layout: str = "lanes",
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        display: bool | None = None,
    ) -> None:
        if layout not in ("lanes", "chat"):
            raise ValueError(f"layout must be 'lanes' or 'chat', got {layout!r}")
        self.layout = layout
        self.title = title
        self.show_thinking = show_thinking
        self.lock = threading.RLock()
        """Held by every lane's producer while it folds and pushes."""
        self.runs: list[Run] = []
        self._metas: list[dict[str, Any]] = []
        self.on_prompt: Callable[[str], None] | None = None
        """Called (on the kernel's thread) with the text typed into a chat's input box."""
        shown = in_notebook() if display is None else display
        self.widget: LanesWidget | None = None
        send: Callable[[KernelMessage], None] = _discard
        if shown:
            self.widget = LanesWidget(
                arrangement=layout, title=title or "", show_thinking=show_thinking
            )
            self.widget.add_handler(self._on_message)
            send = self._send
        self.controller = Controller(send, throttle_ms=throttle_ms, lanes=True)
        # Each ended lane's output (its final state, its static copies made once), by lane.
        self._ended: dict[int, RunOutput] = {}
        # Lanes whose state went out between two cells: sent again in a cell begun since.
        self._unsaved: set[int] = set()
        # Whether a page said it follows the ops, and whether ops were held back from none.
        self._listening = False
        self._held = False
        self._output: CellOutput | None = None
        self.shown_at: CellMark | None = None
        """The cell that displayed the widget (``display``)."""
        if self.widget is not None:
            self._output = CellOutput(
                self.widget, self.controller, self.lock, parts=self._parts, state_trait=None
            )

    # -- building ---------------------------------------------------------------------

    def add(
        self,
        source: Any,
        *,
        name: str | None = None,
        prompt: str | None = None,
        format: str = "auto",  # noqa: A002 - the public API's name
        start: bool = True,
    ) -> Run:
        """Add a lane showing ``source``; its :class:`Run` (started unless ``start=False``)."""

        def make(lane: Lane) -> Run:
            run = Run(
                source, format=format, title=name, show_thinking=self.show_thinking, view=lane
            )
            attach(run, run.source)  # Re-run where the source reaches its tools (as show())
            if isinstance(run.source, Player):  # a replay: the page's clock of it is its own
                self.controller.lane_clock(lane.index, run.source.clock)
            return run

        return self._open(make, name=name, prompt=prompt, start=start)

    def add_agent(
        self,
        agent: Any,
        prompt: str,
        *,
        name: str | None = None,
        history: Any = None,
        show_prompt: bool = True,
        start: bool = True,
    ) -> Run:
        """Add a lane running ``agent`` (an ``nbagent.Agent``) on ``prompt``; its tools can
        be re-run from the widget. ``show_prompt``: the prompt above the lane (chat turns)."""

        def make(lane: Lane) -> Run:
            run: Run = agent.prepare(
                prompt, history=history, title=name, show_thinking=self.show_thinking, view=lane
            )
            return run

        return self._open(make, name=name, prompt=prompt if show_prompt else None, start=start)

    def _open(
        self,
        make: Callable[[Lane], Run],
        *,
        name: str | None,
        prompt: str | None,
        start: bool,
    ) -> Run:
        """A new lane for the run ``make(lane)`` builds: opened in the widget, then started."""
        with self.lock:
            index = len(self.runs)
            lane = Lane(self, index)
            run = make(lane)
            meta = {"title": name, "prompt": prompt, "can_rerun": lane.can_rerun}
            self.runs.append(run)
            self._metas.append(meta)
            initial = compact_state(run.transcript.to_dict())
            # The page starts a lane from LANE_START, with no blocks: what it has stays unsaid.
            fields = {
                k: v
                for k, v in initial.items()
                if k != "blocks" and (k not in LANE_START or LANE_START[k] != v)
            }
            said = {k: v for k, v in meta.items() if v is not None}
            self.controller.open_lane(index, said, [{"op": "run", "set": fields}])
            self._open_state(index, initial)
        run.on_done(functools.partial(self._lane_done, index))
        if start:
            run.start()
        return run

    def set_meta(self, index: int, **changes: Any) -> None:
        """Change a lane's metadata (``title``, ``prompt``, ``can_rerun``) in the widget."""
        with self.lock:
            self._metas[index].update(changes)
            self.controller.set_meta(index, changes)
            ended = self._ended.get(index)
            if ended is not None:  # its saved state has the metadata too
                self._write(index, ended.state)

    # -- the widget ---------------------------------------------------------------------

    def sync(self) -> None:
        """Send every lane's state: the reply to the browser's ``sync``."""
        with self.lock:
            self.controller.send_lanes_snapshot(self._lanes_state())

    def notice(self, text: str) -> None:
        """A one-off message for the widget (a chat prompt that could not start)."""
        if self.widget is not None:
            notice: Notice = {"type": "notice", "text": text}
            self.widget.send(notice)

    def _lanes_state(self) -> list[dict[str, Any]]:
        lanes = [self._lane_output(i) for i in range(len(self.runs))]
        return [
            {"meta": dict(m), "state": compact_state(r.state)}
            for m, r in zip(self._metas, lanes, strict=True)
        ]

    def _on_message(self, content: LanesRequest) -> None:
        kind = content.get("type")
        if kind in ("sync", "listen"):
            if self.listen() or kind == "sync":
                self.sync()
        elif kind == "output" and self._output is not None:
            with self.lock:
                if self.done:  # the view asks again once every lane has ended
                    self._output.answer(held(content.get("have")))
        elif kind == "prompt":
            text = content.get("text")
            if self.on_prompt is not None and isinstance(text, str) and text.strip():
                self.on_prompt(text)
        else:
            lane = content.get("lane")
            if type(lane) is int and 0 <= lane < len(self.runs):
                self.runs[lane].handle_message(content)

    def display(self) -> None:
        """Display the widget below the running cell (``show()`` and ``Chat`` do it)."""
        if self._output is not None:
            self._output.display()
            self.shown_at = cell_mark()

    def _parts(self) -> tuple[Head, list[RunOutput]]:
        """The cell output's head and lanes now (``nbagent.widget.output``): what a saved notebook
        keeps. Ended lanes give what they saved: their copies are made once."""
        layout: Layout = "chat" if self.layout == "chat" else "lanes"
        model_id = self.widget.model_id if self.widget is not None else None
        head = Head(layout, model_id, self.title)
        return head, [self._lane_output(i) for i in range(len(self.runs))]

    def _lane_done(self, index: int) -> None:
        if self.widget is None:
            meta = self._metas[index]
            print_block(meta.get("title") or meta.get("prompt") or "", self.runs[index].events)
            return
        if self.done and self._output is not None:
            # The mark from before this lane's run wrote the final state (Run._finish).
            self._output.ended(self.runs[index].end_mark)

    # -- the handle ---------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once every lane has ended."""
        return all(run.done for run in self.runs)

    @property
    def transcripts(self) -> dict[str, Transcript]:
        """Each lane's transcript, by lane name (``lane N`` for unnamed lanes)."""
        return {self._key(i): run.transcript for i, run in enumerate(self.runs)}

    def _key(self, index: int) -> str:
        return self._metas[index].get("title") or f"lane {index + 1}"

    def wait(self, timeout: float | None = None) -> dict[str, Transcript]:
        """Block until every lane has ended; each lane's transcript by name."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for run in list(self.runs):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            run.wait(left)
        return self.transcripts

    def __await__(self) -> Generator[Any, None, dict[str, Transcript]]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> dict[str, Transcript]:
        await asyncio.gather(*(run.wait_async() for run in list(self.runs)))
        return self.transcripts

    def cancel(self) -> None:
        """Stop every lane still streaming."""
        for run in list(self.runs):
            run.cancel()

    def __getitem__(self, key: int | str) -> Run:
        if isinstance(key, int):
            return self.runs[key]
        for i, run in enumerate(self.runs):
            if self._key(i) == key:
                return run
        raise KeyError(key)

    def __iter__(self) -> Iterator[Run]:
        return iter(list(self.runs))

    def __len__(self) -> int:
        return len(self.runs)

    def _display_(self) -> Any:
        """What marimo shows for Lanes that are a cell's last expression: the widget."""
        return self.widget if self.widget is not None else repr(self)

    def _ipython_display_(self) -> None:
        """What IPython shows for Lanes that are a cell's last expression."""
        show_handle(self.shown_at, repr(self))

    def __repr__(self) -> str:
        lanes = ", ".join(f"{self._key(i)}: {run.status}" for i, run in enumerate(self.runs))
        return f"<nbagent.Lanes {self.layout} [{lanes}]>"


def is_agent(obj: Any) -> bool:
    """Whether ``obj`` runs like an ``nbagent.Agent`` (``prepare()`` makes its runs): checked
    by shape, so that importing ``nbagent.agent.agent`` (pydantic, openai) is not needed here."""
    return callable(getattr(obj, "prepare", None)) and hasattr(obj, "raw_events")
