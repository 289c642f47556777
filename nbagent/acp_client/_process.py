"""``AgentProcess``: one ACP agent process and its sessions, on nbagent's background loop: started
in a process group of its own (``initialize``, ``authenticate`` when asked, ``session/new``:
``_handshake``; within a timeout), prompted one turn at a time per session (sessions are
independent in ACP: several run at once, each turn getting its own session's updates), a
session's turn cancelled alone, and the process killed with its whole group when a turn does
not end after its cancel."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from nbagent.acp_client._client import NbagentClient
from nbagent.acp_client._group import kill_group, stderr_file
from nbagent.acp_client._handshake import Handshake
from nbagent.acp_client._sessions import SessionPlan
from nbagent.acp_client._stdout import filtered
from nbagent.acp_client._turn import Turn, warning
from nbagent.acp_client._types import AcpError
from nbagent.core.paths import shown_command
from nbagent.core.stderr import describe, with_tail

__all__ = ["AgentProcess"]

PIPE_DRAIN_S = 2.0
"""Seconds the agent's output is still read after it exited (a child may hold the pipe)."""
STRAY_REPORTED = 20
"""Stray lines on the agent's stdout reported as warnings (the first ones; the last says so)."""
LINE_LIMIT = 50 * 2**20
"""Bytes of the agent's output read in one piece at most (an update may carry a whole file)."""
CLOSE_S = 5.0
"""Seconds ``session/close`` of a turn's own session may take before its turn ends without."""


class AgentProcess(Handshake):
    """The agent's process and its sessions (every method runs on the background loop)."""

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path,
        env: dict[str, str],
        client: NbagentClient,
        plan: SessionPlan | None = None,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.plan = plan
        """The session to open (``_sessions``): new or loaded, its directories, MCP servers
        (None: a new one with the roots ``start`` is given)."""
        self.capabilities: Any = None
        """The agent's ``AgentCapabilities`` (``initialize``): what prompts and sessions carry."""
        self.env = env
        self.client = client
        self.label = shown_command(self.argv)  # said in errors a notebook may save
        self.errlog: IO[bytes] = stderr_file()
        self.process: asyncio.subprocess.Process | None = None
        self.conn: Any = None
        self.exited: asyncio.Future[int] | None = None
        self.session_id = ""
        self.auth_methods: list[Any] = []
        self.turns: dict[str, Turn] = {}
        """The turn in progress of each session (``session_id`` → turn): where the client
        routes what the agent sends about that session."""
        self.prompting: dict[str, asyncio.Future[Any]] = {}
        """Each session's ``session/prompt`` request in flight."""
        self.killed = ""
        """Why nbagent killed the process (a turn that outlived its cancel); "" otherwise."""
        self.doomed = False
        """Set by ``kill``: the process is no use, even before its exit has been reaped."""
        self.pump: asyncio.Task[None] | None = None
        """Hands the agent's stdout to the SDK, stray lines taken out (``_stdout``)."""
        self.strays = 0
        """Stray lines seen on the agent's stdout."""
        self.held: list[dict[str, Any]] = []
        """Warnings that came while no turn ran, for the next turn."""

    @property
    def alive(self) -> bool:
        """Started, and neither exited nor killed. Its exit reaches the loop a moment after
        the system saw it (later on a loaded machine), so the system is asked, leaving the
        process to be reaped by the loop (``WNOWAIT``); reaped already: gone."""
        if self.exited is None or self.exited.done() or self.doomed or self.process is None:
            return False
        try:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            return os.waitid(os.P_PID, self.process.pid, flags) is None
        except ChildProcessError:
            return False

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
                limit=LINE_LIMIT,
            )
        except OSError as exc:
            self.errlog.close()
            raise AcpError(f"ACP agent {self.label}: could not start: {exc}") from None
        self.exited = asyncio.ensure_future(self.process.wait())
        client: Any = self.client  # the SDK's Client protocol, by its methods
        assert self.process.stdout is not None
        stdout, self.pump = filtered(
            self.process.stdout, self.stray, LINE_LIMIT, self.client.raw.rewrite
        )
        # Unstable in ACP: elicitation (the SDK routes elicitation/* only with it).
        self.conn = connect_to_agent(client, self.process.stdin, stdout, use_unstable_protocol=True)
        try:
            await self._until_exit(asyncio.wait_for(self._handshake(roots, auth), timeout))
        except Exception as exc:  # noqa: BLE001 - said with the command and its stderr
            if isinstance(exc, asyncio.TimeoutError):
                error = self.error(f"did not start within {timeout} s (initialize, session/new)")
            elif isinstance(exc, AcpError):
                error = exc
            else:
                error = self.error(f"could not start: {describe(exc, data=True)}")
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

    # -- turns -------------------------------------------------------------------------------

    async def prompt(
        self,
        turn: Turn,
        text: str | list[Any],
        session_id: str | None = None,
        *,
        close: bool = False,
    ) -> None:
        """Run one prompt turn (``text``, or its content blocks, the user's words first): its
        updates and response into ``turn`` (the client routes the session's updates there
        while it is the session's in ``turns``), in ``session_id`` (None: ``self.session_id``).
        The turn begins with the user's words as a ``user_message_chunk``. ``close``: the
        session was opened for this turn: ``session/close`` once it ended, where the agent
        advertises it (``session_capabilities.close``), before the turn's end is told."""
        from acp import text_block
        from acp.helpers import update_user_message_text
        from acp.schema import SessionNotification

        assert self.exited is not None
        sid = turn.session_id = session_id or self.session_id
        if turn.closed:  # stopped before its prompt was sent: nothing to cancel
            if close:
                await self._close_session(turn, sid)
            turn.finished.set()
            return
        self.turns[sid] = turn
        content = [text_block(text)] if isinstance(text, str) else list(text)
        said = update_user_message_text(str(getattr(content[0], "text", "") or ""))
        turn.put(SessionNotification(session_id=sid, update=said))
        if sid == self.session_id:  # the agent's own session: what it is set to, shown quietly
            turn.put({"sessionId": sid, "update": self.client.session_item()})
        for item in self.held:
            turn.put({"sessionId": sid, "update": item})
        self.held.clear()
        self.prompting[sid] = task = asyncio.ensure_future(
            self.conn.prompt(session_id=sid, prompt=content)
        )
        try:
            await asyncio.wait({task, self.exited}, return_when=asyncio.FIRST_COMPLETED)
            # Exited: what it wrote before is still in the pipe, read till its end (bounded: a
            # child it left may hold the pipe open).
            await asyncio.wait({task}, timeout=PIPE_DRAIN_S)
            failure = task.exception() if task.done() and not task.cancelled() else None
            answered = task.done() and not task.cancelled() and failure is None
            # An answered turn is whole, whether or not the agent exits right after it.
            if not answered and (
                not task.done() or self.exited.done() or isinstance(failure, ConnectionError)
            ):
                task.cancel()
                turn.fail(await self._gone())
                self.kill()  # no use without its pipe: the next prompt starts it afresh
                return
            if close and self.alive:
                await self._close_session(turn, sid)
            if answered:
                turn.end(task.result())
            else:
                why = "cancelled" if failure is None else describe(failure, data=True)
                turn.fail(self.error(f"the prompt failed: {why}"))
        except BaseException as exc:  # noqa: BLE001 - the run ends, never the loop
            task.cancel()
            turn.fail(self.error(f"the turn failed: {describe(exc, data=True)}"))
        finally:
            if self.turns.get(sid) is turn:
                del self.turns[sid]
                self.prompting.pop(sid, None)
            turn.finished.set()

    async def _gone(self) -> AcpError:
        """What ends a turn whose agent exited, was killed, or closed its pipe mid-turn."""
        assert self.exited is not None
        await asyncio.wait({self.exited}, timeout=PIPE_DRAIN_S)
        if self.killed:
            return self.error(f"the agent was killed mid-turn: {self.killed}")
        code = f"exited (code {self.exited.result()})" if self.exited.done() else ""
        return self.error(f"the agent {code or 'closed its pipe'} mid-turn")

    async def _close_session(self, turn: Turn, session_id: str) -> None:
        """``session/close`` where the agent advertises it; a failure is the turn's warning."""
        sessions = getattr(self.capabilities, "session_capabilities", None)
        if getattr(sessions, "close", None) is None:
            return  # left open: the agent offers no way to close it
        try:
            await asyncio.wait_for(self.conn.close_session(session_id=session_id), CLOSE_S)
        except Exception as exc:  # noqa: BLE001 - said in the run, which ends all the same
            why = "no answer" if isinstance(exc, asyncio.TimeoutError) else describe(exc, data=True)
            message = f"session/close of {session_id} failed: {why}"
            turn.warn(message, "session_close_failed")

    async def stop(self, turn: Turn, grace: float) -> None:
        """``session/cancel`` for ``turn``'s session, its terminals killed (the other sessions'
        go on); the agent is killed if it has not ended the turn within ``grace`` seconds
        (``alive`` is then False, every running turn ends saying so: the next prompt starts
        the agent afresh)."""
        sid = turn.session_id
        # Not a later turn's terminals (the session may have gone on since this stop was sent).
        if self.client.terminals is not None and self.turns.get(sid) in (turn, None):
            self.client.terminals.kill_session(sid)
        task = self.prompting.get(sid)
        if turn.finished.is_set() or self.turns.get(sid) is not turn or task is None:
            return
        assert self.exited is not None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.conn.cancel(session_id=sid), grace)
        await asyncio.wait({task, self.exited}, timeout=grace)
        if not task.done() and not self.exited.done():
            self.killed = f"session {sid} did not end its turn within {grace} s of its cancel"
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

    def emit(self, session_id: str, update: dict[str, Any]) -> None:
        """An nbagent item (a ``session/update``'s ``update``) into the turn in progress of
        ``session_id``; dropped when none runs there (a terminal's output between turns)."""
        turn = self.turns.get(session_id)
        if turn is not None:
            turn.put({"sessionId": session_id, "update": update})

    def stray(self, line: str) -> None:
        """A line on the agent's stdout that is not JSON-RPC: a warning in every running turn,
        or held for the next one while none runs. Every turn, not one: the line names no
        session, and whichever turn the user looks at, the process it came from is theirs."""
        self.strays += 1
        if self.strays > STRAY_REPORTED:
            return
        message = f"the agent wrote a line on stdout that is not JSON-RPC: {line}"
        if self.strays == STRAY_REPORTED:
            message += f" (further stray lines are not reported: {STRAY_REPORTED} so far)"
        turns = list(self.turns.values())
        for turn in turns:
            turn.warn(message, "stray_output")
        if not turns:
            self.held.append(warning(message, "stray_output"))

    def kill(self) -> None:
        """Kill the agent's process group and every terminal's (from any thread)."""
        self.doomed = True
        if self.client.terminals is not None:
            self.client.terminals.kill_all()
        if self.process is not None:
            kill_group(self.process.pid)

    async def close(self) -> None:
        self.kill()
        if self.client.terminals is not None:
            await self.client.terminals.close(5)
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.close(), 5)
        if self.exited is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), 5)
        self.errlog.close()

    def error(self, what: str) -> AcpError:
        return AcpError(with_tail(f"ACP agent {self.label}: {what}", self.errlog, "the agent's"))
