"""Which runs of this process are still streaming, and which cell started each.

Re-running a cell stops the runs its previous execution started (JupyterLab sends the
cell's id with each execute request; marimo disposes of the cell); ``stop_all()`` stops
every one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Protocol

from nbagent.runtime import marimo
from nbagent.runtime.kernel import current_cell_id, on_cell_rerun

__all__ = ["Stoppable", "forget", "live", "stop_all", "stop_cell_runs", "track"]


class Stoppable(Protocol):
    def cancel(self) -> None: ...


# In the order they started (dicts, not sets): what started others (an evaluation, before its
# cases' runs) is stopped first, so that it starts nothing more while they end.
_live: dict[Stoppable, None] = {}
_by_cell: dict[str, weakref.WeakKeyDictionary[Stoppable, None]] = {}
_lock = threading.Lock()


def track(run: Stoppable) -> None:
    """``run`` starts streaming, from the cell being executed (if any)."""
    on_cell_rerun(stop_cell_runs)
    with _lock:
        _live[run] = None
        cell = current_cell_id()
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
    """Stop every run of this process that is still streaming; return how many."""
    with _lock:
        runs = list(_live)
    for run in runs:
        run.cancel()
    return len(runs)
