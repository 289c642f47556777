"""Which runs of this process are still streaming, and which cell started each.

Re-running a cell stops the runs its previous execution started (JupyterLab sends the
cell's id with each execute request; marimo disposes of the cell); ``stop_all()`` stops
every one. A task that starts runs long after its cell ended (an evaluation's cases) pins
them to the cell that started it (``pin_cell``): the kernel's current cell is then another.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from typing import Protocol

from nbagent.runtime import marimo
from nbagent.runtime.kernel import current_cell_id, on_cell_rerun
from nbagent.widget.messages import KernelEnd

__all__ = [
    "Stoppable",
    "end_pages",
    "forget",
    "live",
    "pin_cell",
    "stop_all",
    "stop_cell_runs",
    "track",
]


class Stoppable(Protocol):
    def cancel(self) -> None: ...


# In the order they started (dicts, not sets): what started others (an evaluation, before its
# cases' runs) is stopped first, so that it starts nothing more while they end.
_live: dict[Stoppable, None] = {}
_by_cell: dict[str, weakref.WeakKeyDictionary[Stoppable, None]] = {}
_lock = threading.Lock()
# The cell that what starts in this context belongs to, when pinned (a 1-tuple: None is "no
# cell"); unpinned, the cell the kernel is running. ipykernel answers a context with no parent
# of its own (a task made in an empty context) with the cell it ran last: not the one that
# started the task.
_pinned: contextvars.ContextVar[tuple[str | None] | None] = contextvars.ContextVar(
    "nbagent_pinned_cell", default=None
)


def pin_cell(cell: str | None) -> None:
    """What starts from the current context on belongs to ``cell`` (None: to no cell), so
    that re-running ``cell`` stops it and re-running another does not."""
    _pinned.set((cell,))


def track(run: Stoppable) -> None:
    """``run`` starts streaming, from the cell being executed (if any)."""
    on_cell_rerun(stop_cell_runs)
    with _lock:
        _live[run] = None
        pinned = _pinned.get()
        cell = current_cell_id() if pinned is None else pinned[0]
        if cell is not None:
            _by_cell.setdefault(cell, weakref.WeakKeyDictionary())[run] = None
    # marimo closes a cell's widgets when it runs again: its runs stop with them.
    marimo.at_cell_dispose(marimo.weak_call(run.cancel))


def forget(run: Stoppable) -> None:
    """``run`` has ended."""
    with _lock:
        _live.pop(run, None)


def stop_cell_runs(cell: str) -> None:
    """Stop the runs that the previous execution of ``cell`` started."""
    with _lock:
        runs = list(_by_cell.pop(cell, ()))
    for run in runs:
        run.cancel()


def live() -> list[Stoppable]:
    """The runs of this process still streaming."""
    with _lock:
        return list(_live)


def stop_all() -> int:
    """Stop every run of this process that is still streaming (as Stop does: each ends
    ``cancelled``), evaluations included; return how many. Re-running a cell already stops the
    runs that cell started."""
    with _lock:
        runs = list(_live)
    for run in runs:
        run.cancel()
    return len(runs)


def end_pages(restart: bool) -> None:
    """The kernel is about to restart or shut down: tell the page showing each run still
    streaming, which ends it there at once (js/src/widget/index.js, ``kernel_end``), rather than
    when the page notices the kernel gone (a restart asked by another client: when the new
    kernel starts). The runs themselves end with the process."""
    reason = "kernel_restarted" if restart else "kernel_shutdown"
    widgets = {id(w): w for r in live() if (w := getattr(r, "widget", None)) is not None}
    for widget in widgets.values():
        message: KernelEnd = {"type": "kernel_end", "reason": reason}
        widget.send(message)
