"""Calling a tool (``call_tool``, ``call_tool_sync``): arguments validated, an async tool run
in a task and a sync one in a daemon thread of its own (without threads, in place), within
the tool's timeout, what it
prints captured by stream proxies that route by context; a sync tool that overruns is counted
by ``abandoned_threads``."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import inspect
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from contextvars import ContextVar, copy_context
from typing import Any, TextIO, cast

from nbagent.core.paths import private_paths
from nbagent.core.threads import run_now, threads_available
from nbagent.runtime.loops import run_fresh
from nbagent.tools.results import ToolOutcome, _result
from nbagent.tools.schema import Tool, ToolArgumentsError

__all__ = ["abandoned_threads", "call_tool", "call_tool_sync"]


async def call_tool(tool: Tool, args: Any) -> ToolOutcome:
    """Validate ``args`` and run the tool (async: in a task, sync: in a daemon thread) within
    ``tool.timeout_s``; its failures come back as an error outcome. Cancelling this cancels an
    async tool; a sync one cannot be stopped, its thread is counted by ``abandoned_threads``."""
    started = time.monotonic()
    outcome = ToolOutcome()
    try:
        kwargs = tool.validate(args)
    except ToolArgumentsError as exc:
        outcome.error_type, outcome.error_message = "ToolArgumentsError", str(exc)
        outcome.duration_s = time.monotonic() - started
        return outcome
    positional = [kwargs.pop(n) for n in tool._positional if n in kwargs]
    invoke = functools.partial(tool.fn, *positional, **kwargs)
    buf: list[str] = []
    try:
        run = _run_in_task if _is_async(tool.fn) else _run_sync
        # The tool's own exceptions come back in error: a TimeoutError raised here is ours.
        value, error = await run(invoke, buf, tool.timeout_s)
    except asyncio.TimeoutError:
        outcome.error_type, outcome.abandoned = "TimeoutError", run is _run_sync
        outcome.error_message = f"{tool.name} did not finish within {tool.timeout_s:g} s"
    else:
        if error is None:
            outcome.result, outcome.display = _result(value)
        else:
            outcome.error_type, outcome.error_message = type(error).__name__, str(error)
            outcome.traceback = _format_traceback(error)
    outcome.output, outcome.duration_s = "".join(buf), time.monotonic() - started
    return outcome


def call_tool_sync(tool: Tool, args: Any) -> ToolOutcome:
    """``call_tool`` from synchronous code, a notebook cell included (its thread runs a loop:
    the call then gets a loop of its own on another thread, and this thread waits)."""
    # The call is made outside the ``except``: a failing tool's traceback would show this
    # RuntimeError as the context it was raised in.
    if not threads_available():  # a sync tool runs here; an async one would need the loop
        return run_now(call_tool(tool, args), f"the async tool {tool.name}")
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nbagent-call") as pool:
            return pool.submit(run_fresh, call_tool(tool, args)).result()
    return run_fresh(call_tool(tool, args))


def abandoned_threads() -> int:
    """How many sync tool threads are still running after their caller gave up on them."""
    global _abandoned
    with _lock:
        _abandoned = {t for t in _abandoned if t.is_alive()}
        return len(_abandoned)


async def _run_in_task(make: Callable[[], Any], buf: list[str], timeout: float | None) -> _Result:
    async def body() -> _Result:
        # The task runs in its own copy of the context: only its writes land in buf.
        _capture.set(buf)
        try:
            return await make(), None
        except Exception as exc:  # noqa: BLE001 — the tool's failure is reported, not raised
            return None, exc

    _use_streams(+1)
    try:
        return await asyncio.wait_for(asyncio.get_running_loop().create_task(body()), timeout)
    finally:
        _use_streams(-1)


async def _run_sync(call: Callable[[], Any], buf: list[str], timeout: float | None) -> _Result:
    """A sync tool: on a thread of its own, or where threads cannot start in this frame
    (its ``timeout_s`` cannot apply: nothing can interrupt it)."""
    if threads_available():
        return await _run_in_thread(call, buf, timeout)
    ctx = copy_context()
    ctx.run(_capture.set, buf)  # only the tool's writes land in buf
    _use_streams(+1)
    try:
        value = ctx.run(call)
        return (await value if inspect.iscoroutine(value) else value), None
    except Exception as exc:  # noqa: BLE001 — the tool's failure is reported, not raised
        return None, exc
    finally:
        _use_streams(-1)


async def _run_in_thread(call: Callable[[], Any], buf: list[str], timeout: float | None) -> _Result:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[_Result] = loop.create_future()
    ctx = copy_context()
    ctx.run(_capture.set, buf)  # the thread runs in this copy: only its writes land in buf

    def deliver(result: _Result) -> None:
        if not done.done():  # else cancelled, by a timeout or by our caller
            done.set_result(result)

    def body() -> None:
        result: _Result
        _use_streams(+1)
        try:
            value = ctx.run(call)
            # A sync wrapper around an async function (a decorator without inspect's marker).
            result = ctx.run(run_fresh, value) if inspect.iscoroutine(value) else value, None
        except BaseException as exc:  # noqa: BLE001 — whatever happens, the loop must hear of it
            result = None, exc
        _use_streams(-1)
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(deliver, result)

    # Not the default executor: a tool that overruns cannot be stopped and must not starve the
    # pool others rely on. The thread holds the proxies till it ends: late prints stay captured.
    thread = threading.Thread(target=body, name="nbagent-tool", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(done, timeout)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        with _lock:
            _abandoned.add(thread)  # until abandoned_threads() sees it has ended
        raise


def _is_async(fn: Callable[..., Any]) -> bool:
    call = getattr(type(fn), "__call__", None)  # noqa: B004 — the class's method, not callable()
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call)


def _format_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # the user needs the tool's frames, not this module's plumbing
    # Shown in the call's panel and saved with the notebook: no path of this machine's.
    return private_paths("".join(traceback.format_exception(type(exc), exc, tb)))


_Result = tuple[Any, BaseException | None]
_lock = threading.Lock()
_abandoned: set[threading.Thread] = set()
_capture: ContextVar[list[str] | None] = ContextVar("nbagent_tool_output", default=None)
_users = 0  # calls holding the stream proxies installed
_swapped: dict[str, tuple[TextIO, TextIO]] = {}  # "stdout"/"stderr" -> (original, proxy)


class _StreamProxy:
    """Stands in for sys.stdout/sys.stderr while tools run: routes by the writer's context."""

    def __init__(self, original: TextIO | None) -> None:
        self._original = original

    def write(self, s: str) -> int:
        if (buf := _capture.get()) is not None:
            buf.append(s)
            return len(s)
        return len(s) if self._original is None else self._original.write(s)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def _use_streams(delta: int) -> None:
    """+1 as a tool starts, -1 as it ends: the proxies stand in while any tool runs."""
    global _users
    with _lock:
        _users += delta
        if delta > 0 and _users == 1:
            for stream in ("stdout", "stderr"):
                original = getattr(sys, stream)
                _swapped[stream] = (original, cast(TextIO, _StreamProxy(original)))
                setattr(sys, stream, _swapped[stream][1])
        elif _users == 0:
            for stream, (original, proxy) in _swapped.items():
                if getattr(sys, stream) is proxy:  # who replaced our proxy since keeps theirs
                    setattr(sys, stream, original)
            _swapped.clear()
