"""Where a run lives: the IPython kernel, the cell being executed, the running loop.

Kept apart from ``run.py`` so that the run's logic reads without the plumbing
of ipykernel (parent headers, cell ids) and asyncio (re-entering a running loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from nbagent.core.threads import THREADLESS, threads_available
from nbagent.runtime import marimo

__all__ = [
    "CellMark",
    "again_in_a_cell",
    "at_cell_end",
    "block_until_done",
    "cell_mark",
    "current_cell_id",
    "current_kernel",
    "drive_loop_until",
    "follow_cells",
    "in_notebook",
    "kernel_loop",
    "on_cell_rerun",
    "on_kernel_shutdown",
    "running_loop",
    "same_cell",
    "show_handle",
]


def current_kernel() -> Any:
    """The ipykernel kernel of this process, or None (plain Python, terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def in_notebook() -> bool:
    """Whether a run started here has a page to show it: an IPython kernel's, or a marimo
    notebook's (``nbagent.runtime.marimo``); else nbagent prints to the terminal."""
    return current_kernel() is not None or marimo.running()


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
_next_cell_callbacks: list[Callable[[], None]] = []
_cell_end_callbacks: list[Callable[[], None]] = []
_hooked = False
_cells_lock = threading.Lock()
CellMark = tuple[bool, int]
"""(a cell is running, how many cells have ended): see ``cell_mark``."""
_cells: CellMark = (False, 0)


def _hook() -> bool:
    """Follow the cells of this IPython shell (once per process); False outside IPython."""
    global _cells, _hooked
    if _hooked:
        return True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.events.register("pre_run_cell", _pre_run_cell)
    shell.events.register("post_run_cell", _post_run_cell)
    _hooked = True
    if _in_cell(shell):
        # Hooked from inside a cell, which missed its pre_run_cell: its post_run_cell comes.
        with _cells_lock:
            _cells = (True, _cells[1])
    return True


def _in_cell(shell: Any) -> bool:
    """Whether this thread runs a cell now: the kernel's thread, handling an execute request."""
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        parent = shell.kernel.get_parent()
    except Exception:  # noqa: BLE001 - no kernel (terminal IPython), older kernels
        return False
    return bool((parent or {}).get("header", {}).get("msg_type") == "execute_request")


_shutdown_callbacks: list[Callable[[bool], None]] = []


def on_kernel_shutdown(callback: Callable[[bool], None]) -> bool:
    """Call ``callback(restart)`` as the kernel is asked to shut down or restart (a frontend's
    ``shutdown_request``, before it replies), once registered; whether there is a kernel.

    ipykernel has no event for it: its ``do_shutdown`` is wrapped on the kernel instance. The
    callbacks run on the thread handling the request (the control thread) and must be quick:
    the kernel exits right after."""
    kernel = current_kernel()
    if kernel is None:
        return False
    if callback not in _shutdown_callbacks:
        _shutdown_callbacks.append(callback)
    if getattr(kernel, "_nbagent_shutdown_hook", False):
        return True
    original = getattr(kernel, "do_shutdown", None)
    if original is None:  # JupyterLite's kernel: a tab closed has nothing to tell
        _shutdown_callbacks.remove(callback)
        return False

    def do_shutdown(restart: bool) -> Any:
        for cb in _shutdown_callbacks:
            _call_quietly(cb, bool(restart))
        return original(restart)

    kernel.do_shutdown = do_shutdown
    kernel._nbagent_shutdown_hook = True
    return True


def _call_quietly(callback: Callable[[bool], None], restart: bool) -> None:
    with contextlib.suppress(Exception):  # nothing may keep the kernel from shutting down
        callback(restart)


def follow_cells() -> bool:
    """Follow the cells from now on (``cell_mark``); False outside IPython."""
    return _hook()


def on_cell_rerun(callback: Callable[[str], None]) -> None:
    """Call ``callback(cell_id)`` before each cell runs (once registered, for the process)."""
    if callback not in _rerun_callbacks and _hook():
        _rerun_callbacks.append(callback)


def cell_mark() -> CellMark:
    """Where the kernel is in its cells now (compare two marks with ``same_cell``)."""
    with _cells_lock:
        return _cells


def same_cell(before: CellMark) -> bool:
    """Whether the cell running at ``before`` is still running: what another thread sent
    since went out tagged with that cell, before its end (`jupyter execute` keeps it)."""
    return before[0] and cell_mark() == before


def show_handle(shown_at: CellMark | None, text: str) -> None:
    """IPython's display of a handle (a Run, Lanes, a Chat) that is a cell's last expression.

    Nothing when the cell displayed the handle's widget already: IPython would otherwise add
    the handle's repr under it, made as the cell ends (a run still streaming, "running", under
    a widget that soon says "completed"). Elsewhere (a later cell, a terminal) the one line
    of ``repr``, true as it is printed."""
    if shown_at is not None and same_cell(shown_at):
        return
    from IPython.display import display

    display({"text/plain": text}, raw=True)  # type: ignore[no-untyped-call]


def again_in_a_cell(mark: CellMark, callback: Callable[[], None]) -> None:
    """Call ``callback()`` once in a cell begun after ``mark``, from any thread: at once if
    one has begun since (what goes out now is tagged with it), else as the next cell starts.
    For what went out since ``mark`` and may be lost; checked and registered at once, so a
    cell that begins meanwhile is not missed (waiting for the cell after it would wait
    forever after a notebook's last cell). Nothing happens outside IPython."""
    if not _hook():
        return
    with _cells_lock:
        begun = _cells[0] and _cells != mark
        if not begun:
            _next_cell_callbacks.append(callback)
    if begun:
        callback()


def sent_in_a_cell(send: Callable[[], None], again: Callable[[], None]) -> None:
    """Call ``send()``; if what it sent may have gone out between two cells (tagged with a
    cell that had ended: `jupyter execute` drops it), call ``again()`` in the next cell
    (``again_in_a_cell``). Outside IPython only ``send()``."""
    mark = cell_mark()
    send()
    if not same_cell(mark):
        again_in_a_cell(mark, again)


def at_cell_end(mark: CellMark, callback: Callable[[], None]) -> bool:
    """Call ``callback()`` once, as the cell running at ``mark`` ends (``post_run_cell``: what
    it sends is still tagged with that cell), if that cell still runs: whether it does.
    Checked and registered at once, so a cell ending meanwhile cannot miss the callback."""
    if not _hook():
        return False
    with _cells_lock:
        if not (mark[0] and _cells == mark):
            return False
        _cell_end_callbacks.append(callback)
        return True


def _pre_run_cell(info: Any) -> None:
    global _cells
    with _cells_lock:
        _cells = (True, _cells[1])
        due = list(_next_cell_callbacks)
        _next_cell_callbacks.clear()
    for callback in due:
        callback()
    cell = getattr(info, "cell_id", None) or current_cell_id()
    if cell:
        for rerun in _rerun_callbacks:
            rerun(cell)


def _post_run_cell(_result: Any) -> None:
    global _cells
    with _cells_lock:
        _cells = (False, _cells[1] + 1)
        due = list(_cell_end_callbacks)
        _cell_end_callbacks.clear()
    for callback in due:
        callback()


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


def block_until_done(
    task: asyncio.Task[Any] | None,
    loop: asyncio.AbstractEventLoop | None,
    done: threading.Event,
    timeout: float | None,
) -> None:
    """Block until ``done`` is set or ``timeout`` passes: by driving ``loop`` until ``task``
    ends when this thread runs that loop (a cell waiting on a task of its own loop), else by
    waiting on ``done`` in short waits, so that a kernel interrupt (KeyboardInterrupt) gets
    through. Without threads (``core.threads``) nothing can block for it: what it waits for
    goes on only once the cell has returned, so ``RuntimeError`` unless it has ended."""
    if not threads_available() and not done.is_set():
        raise RuntimeError(
            f"{THREADLESS}, and a run goes on only once its cell has returned: "
            "`await run` (in a cell of its own) waits for it, not .wait()"
        )
    if task is not None and loop is not None and not task.done() and running_loop() is loop:
        drive_loop_until(task, loop, timeout)
        return
    deadline = None if timeout is None else time.monotonic() + timeout
    while not done.wait(0.05):
        if deadline is not None and time.monotonic() >= deadline:
            return
