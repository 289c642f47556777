"""The client's terminals (``terminal/create``, ``terminal/output``, ``terminal/wait_for_exit``,
``terminal/kill``, ``terminal/release``), offered only when the author passes
``nbagent.acp(..., terminals=True)``; otherwise each request gets an error saying so.

A command runs in the session's directory (or a ``cwd`` inside its roots) with the agent's
environment plus the request's ``env``, in a process group of its own: killing it kills what it
started. Its stdout and stderr are kept together, up to the agent's ``outputByteLimit`` and at
most ``OUTPUT_CAP`` bytes, truncated from the start at a character boundary. While it runs, the
tail of its output goes to the turn as an nbagent item (``terminal_item``) at most every
``PANEL_INTERVAL_S`` seconds, and once more when it exits: the adapter shows it in the panel of
every tool call whose content names the terminal. It is the terminal's session's: its items go
to that session's turn, and Stop of that turn kills it (``Terminals.kill_session``), not the
terminals of the agent's other sessions; ``agent.close()`` and killing the agent kill every
terminal (``Terminals.kill_all``); ``release`` kills one and forgets it."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import itertools
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nbagent.acp_client._files import FileRefused, inside

__all__ = ["OUTPUT_CAP", "PANEL_BYTES", "PANEL_INTERVAL_S", "Terminals", "offered"]

OUTPUT_CAP = 1 << 20
"""Bytes of a terminal's output kept for the agent at most, whatever ``outputByteLimit`` says."""
PANEL_BYTES = 16 * 1024
"""Bytes of a terminal's output (its end) an item for the panel carries at most."""
PANEL_INTERVAL_S = 0.25
"""Seconds between two items for the panel of one running terminal, at least."""
DRAIN_S = 2.0
"""Seconds a command's output is still read after it exited (a child may hold the pipe)."""
NOT_OFFERED = (
    "terminals are not offered by this client: the notebook's author turns them on with "
    "nbagent.acp(..., terminals=True)"
)


def _text(data: bytes | bytearray, final: bool) -> str:
    """UTF-8 text of ``data`` from its first character boundary; a character not complete at
    the end is left out until ``final`` (then replaced)."""
    start = 0
    while start < len(data) and start < 4 and (data[start] & 0xC0) == 0x80:
        start += 1
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    return decoder.decode(bytes(data[start:]), final=final)


class Terminal:
    """One command of a session: its process, output and exit."""

    def __init__(
        self, terminal_id: str, session_id: str, process: asyncio.subprocess.Process, limit: int
    ) -> None:
        self.id = terminal_id
        self.session_id = session_id
        self.process = process
        self.limit = limit
        self.buffer = bytearray()
        self.truncated = False
        self.exit: tuple[int | None, str | None] | None = None
        self.exited = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.flush: asyncio.TimerHandle | None = None
        self.last_item = 0.0

    def add(self, chunk: bytes) -> None:
        self.buffer += chunk
        over = len(self.buffer) - self.limit
        if over > 0:
            del self.buffer[:over]
            self.truncated = True

    def output(self) -> str:
        return _text(self.buffer, final=self.exit is not None)

    def exit_status(self) -> dict[str, Any] | None:
        if self.exit is None:
            return None
        return {"exitCode": self.exit[0], "signal": self.exit[1]}

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def terminal_item(terminal: Terminal) -> dict[str, Any]:
    """The nbagent item the acp adapter shows in the panels naming ``terminal``: the end of
    its output (``PANEL_BYTES`` at most, ``truncated`` when that is not all it wrote) and its
    exit status once it exited (see ``nbagent.adapters.acp``)."""
    tail = terminal.buffer[-PANEL_BYTES:]
    return {
        "sessionUpdate": "_nbagent/terminal",
        "terminalId": terminal.id,
        "output": _text(tail, final=terminal.exit is not None),
        "truncated": terminal.truncated or len(tail) < len(terminal.buffer),
        "exitStatus": terminal.exit_status(),
    }


class Terminals:
    """The terminals of one agent process (on nbagent's background loop; ``kill_all`` and
    ``kill_session`` from any thread): the core (``create``, ``get``, ``release``), then the
    answers to the agent's ``terminal/*`` requests the client hands over (``answer_*``).
    ``emit(session_id, item)`` hands an item to that session's prompt turn in progress."""

    def __init__(
        self,
        roots: Sequence[Path],
        env: Mapping[str, str],
        emit: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.roots = list(roots)
        self.env = dict(env)
        self.emit = emit
        self.by_id: dict[str, Terminal] = {}
        self._ids = itertools.count(1)

    async def create(
        self,
        session_id: str,
        command: str,
        args: Sequence[str] | None,
        env: Mapping[str, str],
        cwd: str | None,
        limit: int | None,
    ) -> str:
        """Start ``command`` for ``session_id`` (with ``args``: run as it is; without: a shell
        command line)."""
        where = self.roots[0] if cwd is None else inside(cwd, self.roots)
        if not where.is_dir():
            raise FileRefused(f"{cwd}: not a directory")
        argv = [command, *args] if args else ["/bin/sh", "-c", command]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                cwd=where,
                env=self.env | dict(env),
                start_new_session=True,  # its own group: killed with what it starts
            )
        except OSError as exc:
            raise FileRefused(f"{command}: could not start: {exc}") from None
        cap = OUTPUT_CAP if limit is None else max(0, min(limit, OUTPUT_CAP))
        terminal = Terminal(f"term-{next(self._ids)}", session_id, process, cap)
        self.by_id[terminal.id] = terminal
        reader = asyncio.ensure_future(self._read(terminal))
        terminal.tasks = [reader, asyncio.ensure_future(self._wait(terminal, reader))]
        return terminal.id

    def get(self, terminal_id: str) -> Terminal:
        terminal = self.by_id.get(terminal_id)
        if terminal is None:
            raise FileRefused(f"no terminal {terminal_id!r} (released, or never created)")
        return terminal

    async def _read(self, terminal: Terminal) -> None:
        stream = terminal.process.stdout
        assert stream is not None
        while chunk := await stream.read(65536):
            terminal.add(chunk)
            self._later(terminal)

    async def _wait(self, terminal: Terminal, reader: asyncio.Task[None]) -> None:
        code = await terminal.process.wait()
        # What it wrote before it exited is still in the pipe (bounded: a child it left may
        # hold the pipe open).
        await asyncio.wait({reader}, timeout=DRAIN_S)
        terminal.exit = (code, None) if code >= 0 else (None, _signal_name(-code))
        if terminal.flush is not None:
            terminal.flush.cancel()
        self._send(terminal)  # before wait_for_exit answers: the panel is complete first
        terminal.exited.set()

    def _later(self, terminal: Terminal) -> None:
        """An item for the panel now, or when ``PANEL_INTERVAL_S`` has passed since the last."""
        if terminal.flush is not None:
            return
        loop = asyncio.get_running_loop()
        due = terminal.last_item + PANEL_INTERVAL_S - loop.time()
        terminal.flush = loop.call_later(max(due, 0.0), self._send, terminal)

    def _send(self, terminal: Terminal) -> None:
        terminal.flush = None
        terminal.last_item = asyncio.get_running_loop().time()
        if terminal.id in self.by_id:
            self.emit(terminal.session_id, terminal_item(terminal))

    def release(self, terminal_id: str) -> None:
        terminal = self.get(terminal_id)
        terminal.kill()
        del self.by_id[terminal_id]
        if terminal.flush is not None:
            terminal.flush.cancel()

    def kill_all(self) -> None:
        """Kill every terminal's process group (from any thread: signals only)."""
        for terminal in list(self.by_id.values()):
            terminal.kill()

    def kill_session(self, session_id: str) -> None:
        """Kill the process group of every terminal of ``session_id`` (from any thread)."""
        for terminal in list(self.by_id.values()):
            if terminal.session_id == session_id:
                terminal.kill()

    async def close(self, timeout: float) -> None:
        """Kill every terminal and wait (``timeout``) for their processes to be reaped."""
        self.kill_all()
        tasks = [t for terminal in list(self.by_id.values()) for t in terminal.tasks]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        self.by_id.clear()

    # -- the agent's terminal/* requests ---------------------------------------------------------

    async def answer_create(
        self,
        session_id: str,
        command: str,
        args: list[str] | None,
        env: list[Any] | None,
        cwd: str | None,
        limit: int | None,
    ) -> Any:
        from acp.schema import CreateTerminalResponse

        variables = {v.name: v.value for v in env or []}
        with _refusals():
            terminal_id = await self.create(session_id, command, args, variables, cwd, limit)
        return CreateTerminalResponse(terminal_id=terminal_id)

    def answer_output(self, terminal_id: str) -> Any:
        from acp.schema import TerminalExitStatus, TerminalOutputResponse

        with _refusals():
            terminal = self.get(terminal_id)
        status = terminal.exit_status()
        return TerminalOutputResponse(
            output=terminal.output(),
            truncated=terminal.truncated,
            exit_status=None if status is None else TerminalExitStatus.model_validate(status),
        )

    async def answer_wait_for_exit(self, terminal_id: str) -> Any:
        from acp.schema import WaitForTerminalExitResponse

        with _refusals():
            terminal = self.get(terminal_id)
        await terminal.exited.wait()
        assert terminal.exit is not None
        return WaitForTerminalExitResponse(exit_code=terminal.exit[0], signal=terminal.exit[1])

    def answer_kill(self, terminal_id: str) -> Any:
        from acp.schema import KillTerminalResponse

        with _refusals():
            self.get(terminal_id).kill()
        return KillTerminalResponse()

    def answer_release(self, terminal_id: str) -> Any:
        from acp.schema import ReleaseTerminalResponse

        with _refusals():
            self.release(terminal_id)
        return ReleaseTerminalResponse()


def offered(terminals: Terminals | None) -> Terminals:
    """``terminals``, or the error every ``terminal/*`` request gets when the author did not
    turn terminals on (``terminals`` is None)."""
    if terminals is None:
        from acp import RequestError

        raise RequestError(-32601, "Method not found", {"message": NOT_OFFERED})
    return terminals


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


@contextlib.contextmanager
def _refusals() -> Any:
    """A ``FileRefused`` as the JSON-RPC error the agent reads."""
    try:
        yield
    except FileRefused as exc:
        from acp import RequestError

        raise RequestError.invalid_params({"message": str(exc)}) from None
