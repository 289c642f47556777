"""``evaluate(..., executor="ray")``: each case a Ray task, its run folded in the kernel.

What runs where. On a Ray worker, ``case_events`` runs the case with the very performer the
kernel uses (``tasks.performer``: an ``nbagent.Agent``'s run, a framework's stream, a
function), its view ``Hidden``, and collects the run's normalized events (``Run.on_events``);
it is a Ray streaming generator that yields them in batches, one per throttle window
(``THROTTLE_S``), the last ending with an ``Ended`` that carries the case's output. In the
kernel, ``RayPerformer`` makes the case's run from those events (an async source,
``format="events"``), so the live table, the opened row, the scores (run in the kernel, on the
folded transcript) and the saved results are those of an in-kernel case.

Faults. A worker that dies mid-case ends that case's run as an error, with the events that
had arrived; a Stop ends the kernel's run, whose source then cancels its Ray task
(``ray.cancel``). A task never ends on its own: after its last item it waits for that cancel,
which the kernel sends as it reads the item. Ray 2.60's driver aborts (``Check failed: ...
Tried to complete task that was not pending``) when a cancel lands between a task's reply and
its bookkeeping (the submitter has let go of the task, the task manager still holds it, so the
cancel fails it as queued and the reply then completes a task no longer there): a task that
only ends by its cancel has no such moment. Ray is imported only here, when an evaluation asks
for it.
"""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from nbagent.core import threads
from nbagent.core.errors import first_line
from nbagent.core.events import Event
from nbagent.evaluation.ray_send import ClientSpec, portable, sendable, sendable_error, unpacked
from nbagent.evaluation.tasks import Hidden, MakeView, OnRun, Outcome, performer
from nbagent.runtime.run import Run

__all__ = [
    "CASE_OPTIONS",
    "THROTTLE_S",
    "ClientSpec",
    "Ended",
    "Failed",
    "RayPerformer",
    "case_events",
    "connect",
    "sendable",
]

THROTTLE_S = 0.05
"""A worker's batch window: a run's view sends its changes as often (``throttle_ms=50``)."""

CONNECT_S = 10.0
"""How long a Ray address may take to accept a connection before it counts as unreachable."""

LINGER_S = 3600.0
"""How long a worker whose case ended waits for the kernel's cancel before it ends the task
itself (the kernel cancels it as it reads the last item: this bounds a lost kernel's)."""

CANCEL_POLL_S = 0.005
"""How often a worker whose case ended looks for the kernel's cancel (it comes within ms)."""

CASE_OPTIONS: dict[str, Any] = {"num_cpus": 0}
"""Each case's Ray task options unless ``evaluate(ray_options=...)`` says otherwise: no CPU
reserved, as a case mostly waits on its model, so ``concurrency`` cases are in flight however
few CPUs the cluster has (the default ``num_cpus=1`` let a 2-CPU node run 2)."""

_NEEDS_RAY = "evaluate(executor='ray') needs Ray: pip install 'jupyter-nbagent[ray]'"


@dataclass(frozen=True)
class Ended:
    """A case's last item from its worker: the task's output."""

    output: Any = None


@dataclass(frozen=True)
class Failed:
    """A case's last item from its worker when the task raised: its error."""

    error: Exception


def connect(address: str) -> Any:
    """The ``ray`` module, initialised: the Ray already running in this process, else
    ``ray.init()`` (``"ray"``: a local Ray, or the cluster ``RAY_ADDRESS`` names) or
    ``ray.init(address)``. ``RuntimeError`` in one line where Ray is missing or cannot start."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError(_NEEDS_RAY) from exc
    if not ray.is_initialized():
        _check_reachable(address)
        try:
            ray.init(address=None if address == "ray" else address, include_dashboard=False)
        except Exception as exc:  # noqa: BLE001 - whatever Ray says, in one line
            where = "a local Ray" if address == "ray" else f"Ray at {address!r}"
            why = first_line(exc)
            raise RuntimeError(f"evaluate(executor=...) could not start {where}: {why}") from None
    return ray


def _check_reachable(address: str) -> None:
    """A ``host:port`` (or ``ray://host:port``) that nothing answers at: ``RuntimeError`` at
    once (``ray.init`` would retry for minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address in ("ray", "auto", "local") or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_S).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise RuntimeError(
            f"evaluate(executor=...) could not start Ray at {address!r}: nothing answers "
            f"there ({why})"
        ) from None


def case_events(task: Any, value: Any, title: str, throttle_s: float) -> Iterator[Any]:
    """On a worker: run one case as the kernel would, yielding its events in batches (a list
    per ``throttle_s``), the last one ending with ``Ended`` (or ``Failed``: the task raised);
    then wait for the kernel's cancel. Ray drives it with ``send``: plain yields only."""
    from nbagent.runtime.loops import background_loop

    arrived: queue.SimpleQueue[tuple[int, list[Event]] | None] = queue.SimpleQueue()
    runs: list[Run] = []
    pool: Any = None
    future: Future[Outcome] | None = None
    batch: list[Any] = []
    ends: list[Event] = []  # the current run's end, held: a later run may take its place

    def on_run(run: Run) -> None:
        n = len(runs)
        runs.append(run)
        run.on_events(lambda events: arrived.put((n, list(events))))

    try:
        try:
            task = unpacked(task)
            pool = threads.executor(1, "nbagent-ray-case")
            coro = performer(task, pool)(value, title, on_run, Hidden)
            future = asyncio.run_coroutine_threadsafe(_outcome(coro), background_loop())
            future.add_done_callback(lambda _f: arrived.put(None))
            due = 0.0
            current = 0  # the run whose events are sent: the case's run (the latest on_run)
            while True:
                wait = max(0.0, due - time.monotonic()) if batch else None
                try:
                    item = arrived.get(timeout=wait)
                except queue.Empty:
                    yield batch
                    batch = []
                    continue
                if item is None:
                    break
                n, events = item
                if n > current:  # a function's result took its watch block's place: one run
                    current, ends = n, []
                    events = [ev for ev in events if ev.kind != "run_start"]
                if not batch:
                    due = time.monotonic() + throttle_s
                batch.extend(ev for ev in events if ev.kind != "run_end")
                ends.extend(ev for ev in events if ev.kind == "run_end")
            batch.extend(ends)  # the run's end goes with the output, in the last item
            last: Ended | Failed = Ended(future.result().output)
        except Exception as exc:  # noqa: BLE001 - sent as an item: the task must not end here
            last = Failed(sendable_error(exc))
        # One last item, the run's end and the output together: the kernel's run ends as it
        # reads the end, and its source is closed then, before a next item could be read.
        batch.append(last)
        yield batch
        # Then wait for the kernel's ray.cancel, the only way this task ends: one that ended
        # on its own could race a Stop's cancel, which aborts Ray 2.60's driver (the kernel).
        # Polled: a cancel that lands while Ray reports an item only sets the task's flag
        # (Ray interrupts the task's Python code, and stops a generator at its next yield).
        import ray

        context = ray.get_runtime_context()
        deadline = time.monotonic() + LINGER_S
        while not context.is_canceled() and time.monotonic() < deadline:
            time.sleep(CANCEL_POLL_S)
    finally:  # cancelled (ray.cancel): the case's run ends here too
        if future is not None and not future.done():
            for run in runs:
                run.cancel()
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


async def _outcome(awaitable: Awaitable[Outcome]) -> Outcome:
    return await awaitable


class RayPerformer:
    """The kernel's side: a ``Performer`` whose cases run as Ray tasks (``case_events``), each
    with ``options`` (``CASE_OPTIONS`` for None: Ray's ``.options()``, e.g. ``num_cpus``,
    ``num_gpus``, ``resources``, ``memory``, ``runtime_env``)."""

    def __init__(self, task: Any, address: str, options: dict[str, Any] | None = None) -> None:
        ray = connect(address)
        from ray import cloudpickle

        performer(task, threads.InPlaceExecutor())  # TypeError for what cannot be a task
        sent = portable(task)
        sendable(sent, cloudpickle.dumps)
        self.ray = ray
        self.task_ref = ray.put(sent)
        chosen = CASE_OPTIONS if options is None else options
        self.remote = ray.remote(num_returns="streaming", max_retries=0)(case_events).options(
            **chosen
        )

    async def __call__(self, value: Any, title: str, on_run: OnRun, view: MakeView) -> Outcome:
        ended: list[Ended] = []
        run = Run(self._events(value, title, ended), format="events", title=title, view=view())
        on_run(run)
        if not run.done:  # a cancel as it was told may have ended it already
            run.start()
        transcript = await run.wait_async()
        return Outcome(run, ended[0].output if ended else transcript.text)

    async def _events(self, value: Any, title: str, ended: list[Ended]) -> AsyncIterator[Event]:
        """The case's events as its worker sends them, a worker's death raised as one line;
        its task cancelled once, here, whichever way the run ends (its last item read, Stop):
        the task never ends on its own (``case_events``), so no cancel races its end."""
        ray = self.ray
        refs = self.remote.remote(self.task_ref, value, title, THROTTLE_S)
        cancelled = False
        try:
            async for ref in refs:
                item = await ref
                last = item.pop() if item and isinstance(item[-1], (Ended, Failed)) else None
                if last is not None:  # now, not as the source is closed: it may never be
                    cancelled = True
                    ray.cancel(refs)
                if isinstance(last, Ended):
                    ended.append(last)
                for ev in item:
                    yield ev
                if isinstance(last, Failed):
                    raise last.error
                if last is not None:
                    return
        except ray.exceptions.RayTaskError as exc:  # the task raised on its worker: its error
            cause = getattr(exc, "cause", None)
            raise (cause if isinstance(cause, Exception) else exc) from None
        except ray.exceptions.RayError as exc:  # its worker died, or Ray could not run it
            why = first_line(exc, typed=True)
            raise RuntimeError(f"the case's Ray worker failed: {why}") from None
        finally:
            if not cancelled:  # Stop, or the run ended here first: the task ends too
                ray.cancel(refs)
