"""Where a run lives: the IPython kernel, the cell being executed, the running loop.

Kept apart from ``run.py`` so that the run's logic reads without the plumbing
of ipykernel (parent headers, cell ids) and asyncio (re-entering a running loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = [
    "current_cell_id",
    "current_kernel",
    "drive_loop_until",
    "kernel_loop",
    "on_cell_rerun",
    "running_loop",
]


def current_kernel() -> Any:
    """The ipykernel kernel of this process, or None (plain Python, terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def current_cell_id() -> str | None:
    """The id JupyterLab sends in the metadata of the execute request being run."""
    kernel = current_kernel()
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent()
    except Exception:  # noqa: BLE001 - older kernels: no cell tracking
        return None
    cell = (parent or {}).get("metadata", {}).get("cellId")
    return cell if isinstance(cell, str) else None


_rerun_callbacks: list[Callable[[str], None]] = []


def on_cell_rerun(callback: Callable[[str], None]) -> None:
    """Call ``callback(cell_id)`` before each cell runs (once registered, for the process)."""
    if callback in _rerun_callbacks:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return
    if not _rerun_callbacks:
        shell.events.register("pre_run_cell", _pre_run_cell)
    _rerun_callbacks.append(callback)


def _pre_run_cell(info: Any) -> None:
    cell = getattr(info, "cell_id", None) or current_cell_id()
    if cell:
        for callback in _rerun_callbacks:
            callback(cell)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any (the kernel's, inside a cell)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The loop of the kernel's main thread, whichever thread asks (None outside a kernel).

    ipykernel 7 may handle a comm message on a subshell's thread, which runs a loop of its
    own: a run started there belongs on the kernel's loop, like one started from a cell.
    """
    io_loop = getattr(current_kernel(), "io_loop", None)
    loop = getattr(io_loop, "asyncio_loop", None)
    return loop if isinstance(loop, asyncio.AbstractEventLoop) else None


def drive_loop_until(
    task: asyncio.Task[Any], loop: asyncio.AbstractEventLoop, timeout: float | None
) -> None:
    """Run the already running loop re-entrantly until ``task`` ends or ``timeout`` passes.

    A synchronous wait inside a cell would otherwise deadlock: the task needs the
    very loop the cell is blocking.
    """
    import nest_asyncio

    nest_asyncio.apply(loop)
    loop.run_until_complete(asyncio.wait({task}, timeout=timeout))
