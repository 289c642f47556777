"""marimo as a host: a cell of a marimo notebook (``marimo edit``, ``marimo run``).

marimo runs no IPython kernel. It gives every ipywidgets widget a comm of its own
(``MarimoComm``) bound to the session that made it, so that what nbagent's threads send
reaches the page; a widget shown in a cell's output (``mo.output.append``, or as the cell's
last expression through ``_display_``) renders with anywidget's frontend. A cell runs on the
session's event loop, which keeps running between cells: a run's task outlives its cell.

marimo is never imported here unless it is already (the marimo kernel imported it): a
plain Python process pays nothing and sees no marimo.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from nbagent.widget.shared import marimo_context

__all__ = ["at_cell_dispose", "output", "running", "weak_call"]


def _context() -> Any:
    """marimo's runtime context of this thread (a notebook's kernel), or None."""
    context = marimo_context()
    if context is None:
        return None
    try:
        from marimo._runtime.context.kernel_context import KernelRuntimeContext
    except ImportError:  # another marimo than the one this was written against
        return None
    # A script's context (`python notebook.py`) has no page: nbagent prints there.
    return context if isinstance(context, KernelRuntimeContext) else None


def running() -> bool:
    """Whether this thread runs marimo notebook code (a cell, or a widget's message)."""
    return _context() is not None


def output(widget: Any) -> bool:
    """Append ``widget`` to the output of the cell being run: whether a cell was running
    (a run started from a widget's message has no cell to show it in)."""
    context = _context()
    if context is None or context.execution_context is None:
        return False
    import marimo

    marimo.output.append(widget)
    return True


def at_cell_dispose(callback: Callable[[], None]) -> bool:
    """Call ``callback()`` once, when the cell being run is run again or deleted (marimo
    closes that cell's widgets then): whether a cell was running."""
    context = _context()
    if context is None or context.cell_id is None:
        return False
    from marimo._runtime.cell_lifecycle_item import CellLifecycleItem

    class _Dispose(CellLifecycleItem):
        def create(self, context: Any) -> None:
            pass

        def dispose(self, context: Any, deletion: bool) -> bool:
            callback()
            return True

    context.cell_lifecycle_registry.add(_Dispose())
    return True


def weak_call(method: Callable[[], None]) -> Callable[[], None]:
    """``method()`` while its object lives: what marimo keeps until a cell runs again
    holds no run alive."""
    ref = weakref.WeakMethod(method)

    def call() -> None:
        bound = ref()
        if bound is not None:
            bound()

    return call
