"""``nbagent.watch()``: show the calls a block of code makes, or every call of an object,
live, through the hooks the libraries already have (callbacks, spans, trace processors).

    with nbagent.watch(title="Weather") as run:   # one run: every call inside the block
        result = agent.run_sync("Weather in Oslo?")

    watcher = nbagent.watch(agent)                # a run per call of this object, from now on
    watcher.stop()                                # (or use it as a context manager)

The hooks (``nbagent/sources/hooks/``) only record what the library reports; a ``Feed``
carries the records to the run's own thread, where the ``hooks`` adapter makes events of
them. Nothing stays installed after the block (or ``stop()``), also when the code raises.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from nbagent.adapters.hooks import HookRecord
from nbagent.apps.watch_run import WatchRun
from nbagent.core.errors import error_message
from nbagent.frameworks.rerun import attach
from nbagent.runtime.run import launch
from nbagent.runtime.views import RunView
from nbagent.sources.hooks import HOOKS, Hook, HookError

__all__ = ["Watch", "WatchRun", "watch"]

_ACTIVE: contextvars.ContextVar[Watch | None] = contextvars.ContextVar(
    "nbagent_watch", default=None
)
"""The ``with nbagent.watch()`` block the current code runs in: a hook called in another
block's context leaves the record to that block. A library's thread that does not carry
the context (a callback pool) reports to every block open."""

BLOCK = "watched in a block: nbagent.watch(agent) reaches an agent's tools"
"""Why a block's calls offer no Re-run: the hooks report calls, not the objects that made them."""
NO_TOOLS = "the watched object holds no tools nbagent can call"
SETTLE_S = 10.0
"""How long leaving a block waits at most for calls whose end a library reports later. Only
while such calls are open (usually milliseconds); on a loaded machine LiteLLM's logging threads
report a call seconds after it returned, and what comes after the run ended is dropped."""


class Watch:
    """The hooks of one ``nbagent.watch()`` call and the runs they feed.

    Without targets it is a block (``with`` / ``async with``): one run, displayed on entry,
    ``as`` gives it. With targets every top-level call of those objects is a run of its
    own, displayed below the cell it starts in, until ``stop()`` (or the ``with`` block's
    end).
    """

    def __init__(
        self,
        targets: tuple[Any, ...] = (),
        *,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        view: Callable[[], RunView] | None = None,
    ) -> None:
        self.targets = targets
        self.title = title
        self.runs: list[WatchRun] = []
        """Every run so far, in the order they began."""
        self.run: WatchRun | None = None
        """A block's run (None for a watch of objects until it has one: then the latest)."""
        self._options = {"show_thinking": show_thinking, "throttle_ms": throttle_ms}
        # Where each run's ops go (None: a widget of its own below the cell); an evaluation's
        # cases give a view of their own, so that a thousand cases make no thousand widgets.
        self._view = view
        self._hooks: list[Hook] = []
        self._lock = threading.Lock()
        self._open: dict[str, WatchRun] = {}  # a watched object's calls still going, by root
        self._ended_roots: deque[str] = deque(maxlen=256)
        self._token: contextvars.Token[Watch | None] | None = None
        self._started = False
        self._stopped = False
        self._notes: list[tuple[str, str]] = []  # (family, note): said as the block ends
        self._heard: set[str] = set()  # the families that reported something to the block
        if targets:
            self._start_targets()

    # -- a block --------------------------------------------------------------------------

    def __enter__(self) -> Any:
        if self.targets:
            return self
        return self._enter()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close(exc)
        for run in list(self.runs):
            run.wait(timeout=10)

    async def __aenter__(self) -> Any:
        if self.targets:
            return self
        run = self._enter()
        run.follow_task()
        return run

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if not _interrupted(exc):
            await self._settle_async()
        self._close(exc, settled=True)
        for each in list(self.runs):
            await asyncio.wait_for(each.wait_async(), 10)
        run = self.run
        if self.targets or run is None:
            return False
        if isinstance(exc, asyncio.CancelledError) and run.stop_requested:
            task = asyncio.current_task()
            if task is not None and sys.version_info >= (3, 11):
                task.uncancel()
            return True  # the Stop button's cancellation ends here, shown in the run
        return False

    def _enter(self) -> WatchRun:
        if self._started:
            raise RuntimeError("this nbagent.watch() block has already run: call watch() again")
        self._started = True
        run = self.run = self._new_run(self.title)
        self._token = _ACTIVE.set(self)
        for cls in HOOKS:
            if cls.applies():
                self._install(cls(self._receive), run)
        return run

    # -- objects --------------------------------------------------------------------------

    def _start_targets(self) -> None:
        self._started = True
        hooks = []
        for obj in self.targets:
            cls = next((c for c in HOOKS if c.can_watch(obj)), None)
            if cls is None:
                raise TypeError(
                    f"nbagent.watch() cannot watch a {type(obj).__module__}."
                    f"{type(obj).__qualname__}; it watches {watchable()}. To show every "
                    "call a block of code makes, use `with nbagent.watch():`"
                )
            hooks.append(cls(self._receive, obj))
        try:
            for hook in hooks:
                self._install(hook, None)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Remove every hook this watch added and end its runs (``with`` does this); returns
        once they have ended, so each run's transcript is final."""
        self._close(None)
        for run in list(self.runs):
            run.wait(timeout=10)

    # -- records --------------------------------------------------------------------------

    def _receive(self, record: HookRecord) -> None:
        """From a hook, on the library's thread: pass the record to its run."""
        if self._stopped:
            return
        if self.targets:
            self._route(record)
            return
        owner = _ACTIVE.get()
        if (owner is None or owner is self) and self.run is not None:
            self._heard.add(record.family)
            self.run.feed.put(record)

    def _route(self, record: HookRecord) -> None:
        """A watched object's record: to the run of its root call, opened at its first."""
        with self._lock:
            run = self._open.get(record.root)
            if run is None:
                if record.root in self._ended_roots:
                    return  # a late record of a call whose run has ended
                run = self._new_run(self.title or describe(self.targets))
                run.feed.put(HookRecord("watch", "mode", {"per_root": True}, record.ts))
                run.follow_task()
                self._open[record.root] = run
            run.feed.put(record)
            if record.last:
                del self._open[record.root]
                self._ended_roots.append(record.root)
                run.feed.finish()

    # -- life -----------------------------------------------------------------------------

    def _new_run(self, title: str | None) -> WatchRun:
        view = None if self._view is None else self._view()
        run = WatchRun(title=title, view=view, **self._options)  # type: ignore[arg-type]
        # A watched agent's (graph's) tools are re-run through it; a block's cannot be.
        attach(run, *self.targets, why=NO_TOOLS if self.targets else BLOCK)
        self.runs.append(run)
        self.run = run
        return launch(run)

    def _install(self, hook: Hook, run: WatchRun | None) -> None:
        """Install one hook; in a block a hook that cannot is a warning in the run."""
        try:
            hook.install()
        except Exception as exc:
            if run is None:
                raise
            # A block runs the user's code whatever a hook can do: a hook that cannot
            # install (a missing extra, a library version it does not know) is a warning.
            known = isinstance(exc, HookError)
            detail = str(exc) if known else f"could not install its hook: {exc!r}"
            self._warn(run, f"{hook.family}: {detail}")
            return
        self._hooks.append(hook)
        note = hook.note()
        if note and run is None:
            warnings.warn(note, stacklevel=4)
        elif note:
            self._notes.append((hook.family, note))

    @staticmethod
    def _warn(run: WatchRun, message: str) -> None:
        run.feed.put(HookRecord("watch", "warning", {"message": message}, time.time()))

    async def _settle_async(self) -> None:
        """``_close``'s wait for late ends, without blocking the loop: a library may report
        them from this very loop (LiteLLM's async success callbacks run on a worker task)."""
        deadline = time.monotonic() + SETTLE_S
        while self._busy(deadline):
            await asyncio.sleep(0.01)

    def _busy(self, deadline: float) -> bool:
        """A hook still has calls whose end the library reports later, and there is time."""
        return any(h.busy() for h in self._hooks) and time.monotonic() < deadline

    def _close(self, exc: BaseException | None, *, settled: bool = False) -> None:
        if self._stopped:
            return
        deadline = time.monotonic() + SETTLE_S
        # (after a Stop or an interrupt the calls cut will not end: no wait)
        while not settled and not _interrupted(exc) and self._busy(deadline):
            time.sleep(0.01)
        self._stopped = True
        for hook in self._hooks:
            _uninstall(hook)
        self._hooks.clear()
        self._reset_context()
        if self.targets:
            with self._lock:
                for run in self._open.values():
                    run.feed.finish()
                self._open.clear()
            return
        if self.run is None:
            return
        now = time.time()
        for family, note in self._notes:
            # A note about a library the block did not use (imported, its tracing off) is
            # no news to a block that shows other calls: said when its family reported
            # something, or when nothing showed at all.
            if family in self._heard or not self._heard:
                self._warn(self.run, note)
        if isinstance(exc, KeyboardInterrupt):
            message = "interrupted (KeyboardInterrupt)"
            self.run.feed.put(HookRecord("watch", "interrupted", {"message": message}, now))
        elif exc is not None and not isinstance(exc, (GeneratorExit, asyncio.CancelledError)):
            data = {"message": error_message(exc), "error_type": type(exc).__name__}
            self.run.feed.put(HookRecord("watch", "error", data, now))
        self.run.feed.finish()

    def _reset_context(self) -> None:
        token, self._token = self._token, None
        if token is None:
            return
        try:
            _ACTIVE.reset(token)
        except ValueError:  # left in another context than the one entered (a generator)
            _ACTIVE.set(None)

    def __repr__(self) -> str:
        what = describe(self.targets) if self.targets else "a block"
        state = "stopped" if self._stopped else "watching"
        return f"<nbagent.Watch {what}: {state}, {len(self.runs)} run(s)>"


def _interrupted(exc: BaseException | None) -> bool:
    """The block ends by a Stop (its task cancelled) or a kernel interrupt."""
    return isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError))


def _uninstall(hook: Hook) -> None:
    """Remove one hook; a failure is a warning, and the other hooks are still removed."""
    try:
        hook.uninstall()
    except Exception as err:  # noqa: BLE001 - every other hook must still be removed
        warnings.warn(
            f"nbagent.watch(): removing the {hook.family} hook failed: {err}", stacklevel=4
        )


def describe(targets: tuple[Any, ...]) -> str:
    """``Agent 'weather'``-style names of watched objects, for a run's title."""
    names = []
    for obj in targets:
        name = getattr(obj, "name", None)
        kind = type(obj).__name__
        names.append(f"{kind} {name!r}" if isinstance(name, str) and name else kind)
    return ", ".join(names)


def watchable() -> str:
    """What ``nbagent.watch(obj)`` takes, as the hooks say (``Hook.watches``)."""
    kinds = [cls.watches for cls in HOOKS]
    return "; ".join(k for k in kinds if k) or "no objects (no hook can watch one)"


def watch(
    *targets: Any,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
) -> Watch:
    """Show, live below the cell, what LLM calls do without a stream.

    ``with nbagent.watch(title=...) as run:`` shows every call the block makes through the
    libraries in use (OpenAI Agents SDK, pydantic-ai, LangChain / LangGraph, LlamaIndex,
    LiteLLM, the ``openai`` client, any OpenTelemetry GenAI instrumentation) in one run;
    ``run.transcript`` is what they did, in order. ``nbagent.watch(agent)`` (a graph, a
    client, ...) shows each call of that object as a run of its own until ``.stop()``.
    """
    return Watch(targets, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms)
