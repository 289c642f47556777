"""``AgentProcess``: one ACP agent process and its session, on nbagent's background loop: started
in a process group of its own (``initialize``, ``authenticate`` when asked, ``session/new``,
within a timeout), prompted one turn at a time, cancelled, and killed with its whole group."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from nbagent._acp._client import NbagentClient
from nbagent._acp._turn import Turn
from nbagent._acp._types import AcpError, Mode

__all__ = ["AgentProcess", "kill_group"]

STDERR_TAIL = 2000
"""Characters of the agent's stderr that an error message ends with."""
PIPE_DRAIN_S = 2.0
"""Seconds the agent's output is still read after it exited (a child may hold the pipe)."""
AUTH_REQUIRED = -32000
"""The JSON-RPC error code of ACP's ``auth_required``."""


def kill_group(pid: int) -> None:
    """Kill the process group ``pid`` leads (the agent and every process it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class AgentProcess:
    """The agent's process and session (every method runs on the background loop)."""

    def __init__(
        self, argv: Sequence[str], cwd: Path, env: dict[str, str], client: NbagentClient
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = env
        self.client = client
        self.label = " ".join(self.argv)
        self.errlog: IO[bytes] = _append_only_tempfile()
        self.process: asyncio.subprocess.Process | None = None
        self.conn: Any = None
        self.exited: asyncio.Future[int] | None = None
        self.session_id = ""
        self.auth_methods: list[Any] = []
        self.turn: Turn | None = None
        self.prompting: asyncio.Future[Any] | None = None
        self.prompted = ""
        """The session of the turn in progress (``session_id``, or one ``new_session`` opened)."""

    @property
    def alive(self) -> bool:
        return self.exited is not None and not self.exited.done()

    # -- start-up ----------------------------------------------------------------------------

    async def start(self, roots: Sequence[Path], auth: str | None, timeout: float) -> None:
        """Spawn and connect (``AcpError`` saying why not, the process then killed)."""
        from acp import connect_to_agent

        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=self.errlog,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,  # its own group: killed whole, not by the kernel's signals
                limit=50 * 2**20,  # an update may carry a whole file
            )
        except OSError as exc:
            self.errlog.close()
            raise AcpError(f"ACP agent {self.label}: could not start: {exc}") from None
        self.exited = asyncio.ensure_future(self.process.wait())
        client: Any = self.client  # the SDK's Client protocol, by its methods
        self.conn = connect_to_agent(client, self.process.stdin, self.process.stdout)
        try:
            await self._until_exit(asyncio.wait_for(self._handshake(roots, auth), timeout))
        except Exception as exc:  # noqa: BLE001 - said with the command and its stderr
            if isinstance(exc, asyncio.TimeoutError):
                error = self.error(f"did not start within {timeout} s (initialize, session/new)")
            elif isinstance(exc, AcpError):
                error = exc
            else:
                error = self.error(f"could not start: {_describe(exc)}")
            await self.close()  # said before: the error ends with its stderr
            raise error from None

    async def _until_exit(self, work: Any) -> Any:
        """``work``, unless the process exits first (then ``AcpError``)."""
        task = asyncio.ensure_future(work)
        assert self.exited is not None
        await asyncio.wait({task, self.exited}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        raise self.error(f"exited (code {self.exited.result()}) while starting")

    async def _handshake(self, roots: Sequence[Path], auth: str | None) -> None:
        from acp import PROTOCOL_VERSION, RequestError
        from acp.schema import ClientCapabilities, FileSystemCapabilities, Implementation

        capabilities = ClientCapabilities(
            fs=FileSystemCapabilities(read_text_file=True, write_text_file=True), terminal=False
        )
        init = await self.conn.initialize(
            protocol_version=PROTOCOL_VERSION,
            client_capabilities=capabilities,
            client_info=Implementation(name="nbagent", version=_version()),
        )
        self.auth_methods = list(init.auth_methods or [])
        if auth is not None:
            if auth not in [m.id for m in self.auth_methods]:
                raise AcpError(f"{self.label}: no auth method {auth!r}; {self.auth_list()}")
            await self.conn.authenticate(method_id=auth)
        try:
            session = await self.conn.new_session(
                cwd=str(self.cwd), additional_directories=[str(r) for r in roots[1:]] or None
            )
        except RequestError as exc:
            if exc.code != AUTH_REQUIRED:
                raise
            hint = "name one with nbagent.acp(..., auth=<id>)"
            needs = f"{self.label}: the agent requires authentication"
            raise AcpError(f"{needs}; {self.auth_list()}; {hint}") from None
        self.session_id = session.session_id
        modes = session.modes
        if modes is not None:
            self.client.modes = [Mode(m.id, m.name, m.description) for m in modes.available_modes]
            self.client.mode = modes.current_mode_id

    def auth_list(self) -> str:
        if not self.auth_methods:
            return "it offers no auth methods"
        lines = []
        for m in self.auth_methods:
            fields = m.model_dump(exclude_none=True).items()
            about = {k: v for k, v in fields if k not in ("id", "name")}
            lines.append(f"{m.id} ({m.name})" + (f": {about}" if about else ""))
        return "its auth methods: " + "; ".join(lines)

    # -- turns -------------------------------------------------------------------------------

    async def prompt(self, turn: Turn, text: str, session_id: str | None = None) -> None:
        """Run one prompt turn: its updates and response into ``turn`` (the client routes the
        updates there while it is ``self.turn``), in ``session_id`` (None: ``self.session_id``).
        The turn begins with the user's own: ``text`` as a ``user_message_chunk``."""
        from acp import text_block
        from acp.helpers import update_user_message_text
        from acp.schema import SessionNotification

        assert self.exited is not None
        self.turn = turn
        self.prompted = session_id or self.session_id
        said = update_user_message_text(text)
        turn.put(SessionNotification(session_id=self.prompted, update=said))
        self.prompting = task = asyncio.ensure_future(
            self.conn.prompt(session_id=self.prompted, prompt=[text_block(text)])
        )
        try:
            await asyncio.wait({task, self.exited}, return_when=asyncio.FIRST_COMPLETED)
            # Exited: what it wrote before is still in the pipe, read till its end (bounded: a
            # child it left may hold the pipe open).
            await asyncio.wait({task}, timeout=PIPE_DRAIN_S)
            failure = task.exception() if task.done() and not task.cancelled() else None
            if task.done() and not task.cancelled() and failure is None:
                turn.end(task.result())
                return
            if not task.done() or self.exited.done() or isinstance(failure, ConnectionError):
                task.cancel()
                await asyncio.wait({self.exited}, timeout=PIPE_DRAIN_S)
                code = f"exited (code {self.exited.result()})" if self.exited.done() else ""
                turn.fail(self.error(f"the agent {code or 'closed its pipe'} mid-turn"))
                self.kill()  # no use without its pipe: the next prompt starts it afresh
            else:
                why = "cancelled" if failure is None else _describe(failure)
                turn.fail(self.error(f"the prompt failed: {why}"))
        except BaseException as exc:  # noqa: BLE001 - the run ends, never the loop
            task.cancel()
            turn.fail(self.error(f"the turn failed: {_describe(exc)}"))
        finally:
            self.turn = None
            turn.finished.set()

    async def stop(self, turn: Turn, grace: float) -> None:
        """``session/cancel`` for ``turn``; the agent is killed if it has not ended the turn
        within ``grace`` seconds (``alive`` is then False: the next prompt starts afresh)."""
        task = self.prompting
        if turn.finished.is_set() or task is None or self.exited is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.conn.cancel(session_id=self.prompted), grace)
        await asyncio.wait({task, self.exited}, timeout=grace)
        if not task.done() and not self.exited.done():
            self.kill()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), grace)

    async def new_session(self, roots: Sequence[Path]) -> str:
        """Open another session (the same directories) and return its id; ``session_id``, the
        one prompts go to by default, stays."""
        extra = [str(r) for r in roots[1:]] or None
        session = await self.conn.new_session(cwd=str(self.cwd), additional_directories=extra)
        return str(session.session_id)

    async def set_mode(self, mode_id: str) -> None:
        await self.conn.set_session_mode(mode_id=mode_id, session_id=self.session_id)
        self.client.mode = mode_id

    # -- the end -----------------------------------------------------------------------------

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process.pid)

    async def close(self) -> None:
        self.kill()
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 5)
        if self.exited is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), 5)
        self.errlog.close()

    def error(self, what: str) -> AcpError:
        text = f"ACP agent {self.label}: {what}"
        tail = self.stderr_tail()
        if tail:
            text += f"\n--- the agent's stderr (end) ---\n{tail}"
        return AcpError(text)

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            size = self.errlog.seek(0, os.SEEK_END)
            self.errlog.seek(max(0, size - STDERR_TAIL * 4))
            return self.errlog.read().decode("utf-8", "replace")[-STDERR_TAIL:].strip()
        return ""


def _append_only_tempfile() -> IO[bytes]:
    """An unnamed file for the agent's stderr, opened to append: the agent's writes land at
    the end whatever offset reading its tail leaves (the two share the open file)."""
    fd, path = tempfile.mkstemp(prefix="nbagent-acp-", suffix=".stderr")
    os.close(fd)
    try:
        return open(path, "ab+")
    finally:
        os.unlink(path)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nbagent")
    except PackageNotFoundError:
        return "0"


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    data = getattr(exc, "data", None)
    if data:
        text += f" ({data})"
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"
