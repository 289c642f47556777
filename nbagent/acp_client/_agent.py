"""``AcpAgent``: the notebook's handle on an ACP agent (``nbagent.acp(...)``). Its process and
sessions live on nbagent's background loop (``AgentProcess``); this side waits on it from any
thread, starts each prompt turn as a ``Run`` (one at a time per session, sessions side by
side), and makes sure no process is left behind."""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from nbagent.acp_client._choices import choose, choose_from_view
from nbagent.acp_client._client import NbagentClient
from nbagent.acp_client._context import prompt_content
from nbagent.acp_client._process import AgentProcess
from nbagent.acp_client._sessions import (
    ConfigOption,
    SessionInfo,
    SessionPlan,
    check_config,
    list_sessions,
    set_config,
)
from nbagent.acp_client._terminals import Terminals
from nbagent.acp_client._turn import Turn
from nbagent.acp_client._types import AcpError, Command, Mode
from nbagent.core.paths import shown_command
from nbagent.runtime.loops import background_loop
from nbagent.runtime.run import Run, launch

__all__ = ["GRACE_S", "AcpAgent"]

T = TypeVar("T")

GRACE_S = 3.0
"""Seconds a stopped agent has to end its turn before it is killed with its process group."""


class AcpAgent:
    """An ACP coding agent run by nbagent as its client (``nbagent.acp(...)`` makes one):
    ``prompt(text, context=[...])`` → a live ``Run``; ``modes``/``mode``/``set_mode``,
    ``config``/``set_config``, ``commands``; ``sessions()`` and a loaded session's ``history``;
    ``close()`` (also ``with``, garbage collection and the interpreter's exit)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._loop = background_loop()
        self._lock = threading.Lock()
        self._started: list[AgentProcess] = []
        """Every process started (the finalizer's: it holds no reference to this handle)."""
        self._finalizer = weakref.finalize(self, _kill_all, self._loop, self._started)
        self._process: AgentProcess | None = None
        self._turns: dict[str, Turn] = {}
        """The last turn prepared in each session (``session_id`` → turn)."""
        self._closed = False
        self._history: Run | None = None
        self._start(load=config.get("session"))

    # -- what the agent offers -----------------------------------------------------------------

    @property
    def command(self) -> list[str]:
        """The agent's command line."""
        return list(self._config["argv"])

    @property
    def pid(self) -> int:
        """The agent's process id (its process group's: the agent started it there)."""
        process = self._live().process
        assert process is not None
        return process.pid

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (the agent's processes are gone)."""
        return self._closed

    @property
    def session_id(self) -> str:
        """The ACP session the prompts go to (a new one after the agent was restarted)."""
        return self._live().session_id

    @property
    def modes(self) -> list[Mode]:
        """The session modes the agent offers ([] when it has none)."""
        return list(self._live().client.modes)

    @property
    def mode(self) -> str | None:
        """The session's current mode id (None when the agent has no modes)."""
        return self._live().client.mode

    @property
    def commands(self) -> list[Command]:
        """The slash commands the agent announced (``available_commands_update``)."""
        return list(self._live().client.commands)

    @property
    def cwd(self) -> str:
        """The session's directory (absolute): ``cwd=``, by default the notebook's."""
        return str(self._config["roots"][0])

    @property
    def config(self) -> list[ConfigOption]:
        """The session's config options (model, thinking level, ...) and their current values,
        as the agent last said them ([] when it has none); ``set_config`` changes one."""
        return list(self._live().client.config)

    def set_config(self, config_id: str, value: str | bool) -> None:
        """Set the session's config option ``config_id`` to ``value`` (one of its choices;
        True/False for a boolean) with ``session/set_config_option``. ``ValueError`` for an id
        the agent did not offer or a value the option does not."""
        process = self._live()
        check_config(process.client.config, config_id, value)
        done = set_config(process.conn, process.session_id, process.client, config_id, value)
        self._call(done, self._config["startup_timeout"])

    def sessions(self, *, everywhere: bool = False) -> list[SessionInfo]:
        """The sessions the agent keeps for this ``cwd`` (``everywhere``: for every directory),
        with ``session/list``; load one with ``nbagent.acp(command, session=info.id)``.
        ``AcpError`` when the agent does not advertise listing sessions."""
        process = self._live()
        where = None if everywhere else self.cwd
        listed = list_sessions(process.conn, process.capabilities, where, process.label)
        return self._call(listed, self._config["startup_timeout"])

    @property
    def history(self) -> Run | None:
        """The loaded session's history (``nbagent.acp(..., session=id)``) as a run: the
        updates the agent replayed (the user's and the agent's messages, tool calls), ended
        when ``session/load`` returned. None for a new session."""
        return self._history

    def set_mode(self, mode_id: str) -> None:
        """Switch the session's mode; ``ValueError`` for an id the agent did not offer."""
        process = self._live()
        offered = [m.id for m in process.client.modes]
        if mode_id not in offered:
            raise ValueError(f"{mode_id!r} is not a mode of this agent; it offers {offered}")
        self._call(process.set_mode(mode_id), self._config["startup_timeout"])

    # -- prompts -------------------------------------------------------------------------------

    def prompt(self, text: str, context: Any = ()) -> Run:
        """Send ``text`` to the session (the same one as the last prompt: a conversation) and
        return its turn as a live ``Run``: shown below the cell in a notebook, printed outside
        one. One prompt at a time in the session: ``RuntimeError`` while one runs.

        ``context``: items sent after the text, as far as the agent takes them (its prompt
        capabilities): a path (str or Path) as a link to the file, or its text embedded where
        the agent takes embedded context; an image (a matplotlib Figure, a PIL image, PNG or
        JPEG bytes) where it takes images; a pandas DataFrame as a sample in text (shape,
        dtypes, first rows). What the agent cannot take raises ``ValueError`` before anything
        is sent."""
        run = self.prepare(text, context=context)
        launch(run)
        return run

    def prepare(
        self,
        text: str,
        make_run: Callable[[Turn], Run] | None = None,
        *,
        new_session: bool = False,
        context: Any = (),
    ) -> Run:
        """``text``'s turn as a Run not started yet (the caller starts it): what ``Chat`` and
        ``evaluate`` build on. ``make_run(turn)`` makes the run of the turn, a source read with
        ``format="acp"`` (a chat's lane, an evaluation case's view; default: a ``Run`` of its
        own). ``new_session``: in a session opened for it on the same process (an evaluation's
        case), closed when the turn ends where the agent can close sessions (``session/close``),
        else in ``session_id``. ``context``: as ``prompt``'s. One turn at a time per session:
        ``RuntimeError`` while one runs in ``session_id``; turns in sessions of their own run
        alongside it and each other. Blocks while the agent (re)starts or opens the session."""
        with self._lock:
            if not new_session:
                self._last_ended(self._process.session_id if self._process else "")
            if self._process is None or not self._process.alive:
                self._start()
            process = self._process
            assert process is not None
            content = prompt_content(text, context, process.capabilities)  # refused: nothing sent
            session = process.session_id
            if new_session:
                session = self._call(
                    process.new_session(self._config["roots"]), self._config["startup_timeout"]
                )
            turn = Turn(self._stop)
            turn.session_id = session
            turn.nbagent_choose = functools.partial(choose, turn)
            run = make_run(turn) if make_run is not None else Run(turn, format="acp")
            run.on_message("choose", functools.partial(choose_from_view, turn))
            self._turns = {s: t for s, t in self._turns.items() if not _over(t)}
            self._turns[session] = turn
            prompted = process.prompt(turn, content, session, close=new_session)
            asyncio.run_coroutine_threadsafe(prompted, self._loop)
            return run

    def _last_ended(self, session_id: str) -> None:
        """The session's last turn is over: ``RuntimeError`` naming its run while it runs; a
        run stopped whose agent has not ended the turn yet is waited for (killed at worst)."""
        last = self._turns.get(session_id)
        if last is None:
            return
        if last.run is not None and not last.run.done:
            raise RuntimeError(
                f"a prompt is running in this agent's session {session_id}: {last.run!r}; "
                "wait for it (run.wait()) or stop it (run.cancel())"
            )
        if not last.finished.is_set():
            self._stop(last)
            last.finished.wait(GRACE_S * 3 + 5)

    def choose(self, i: int | str, option_id: str) -> None:
        """Answer the paused call ``i`` (a position in ``run.pending`` or a tool call id) of
        the prompt running in ``session_id`` with any option the agent offered
        (``option_id``)."""
        process = self._process
        choose(self._turns.get(process.session_id) if process else None, i, option_id)

    # -- the end -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the running prompts (of every session) and kill the agent's process group."""
        with self._lock:
            self._closed = True
            turns, process, self._process = list(self._turns.values()), self._process, None
        for turn in turns:
            if turn.run is not None:
                turn.run.cancel()
        if process is not None:
            self._call(process.close(), 15)
            self._started.clear()

    def __enter__(self) -> AcpAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"session {getattr(self._process, 'session_id', '')}"
        return f"<nbagent.AcpAgent {' '.join(self.command)!r} {state}>"

    # -- inside --------------------------------------------------------------------------------

    def _live(self) -> AgentProcess:
        if self._closed or self._process is None:
            raise AcpError(f"ACP agent {shown_command(self.command)}: closed")
        return self._process

    def _start(self, load: str | None = None) -> None:
        """Start (or restart) the agent's process and a new session, or load session ``load``
        (its replayed history then launched as ``history``'s run)."""
        if self._closed:
            raise AcpError(f"ACP agent {shown_command(self.command)}: closed")
        c = self._config
        old = self._process
        if old is not None:
            self._call(old.close(), 15)
        client = NbagentClient(c["roots"], c["auto_approve"], c["notebooks"])
        history = Turn(self._stop) if load is not None else None
        plan = SessionPlan(c["roots"][0], c["roots"][1:], c.get("mcp_servers", []), load, history)
        process = AgentProcess(c["argv"], c["roots"][0], c["env"], client, plan)
        client.turns = process.turns  # the client routes each call to its session's turn
        if c.get("terminals"):
            client.terminals = Terminals(c["roots"], c["env"], process.emit)
        self._process = process
        self._call(process.start(c["roots"], c["auth"], c["startup_timeout"]), None)
        self._started[:] = [process]
        if history is not None:
            self._history = Run(history, format="acp")
            launch(self._history)

    def _stop(self, turn: Turn) -> None:
        """The turn's run was stopped: cancel it on the agent, in its session only (the agent
        killed after ``GRACE_S``, and with it every session's turn)."""
        process = self._process
        if process is not None:
            asyncio.run_coroutine_threadsafe(process.stop(turn, GRACE_S), self._loop)

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)


def _over(turn: Turn) -> bool:
    """Whether ``turn`` is over on both sides: the agent's and its run's."""
    return turn.finished.is_set() and (turn.run is None or turn.run.done)


def _kill_all(loop: asyncio.AbstractEventLoop, started: list[AgentProcess]) -> None:
    """The handle was garbage collected, or the interpreter exits: no agent process is left
    (killed here, from whatever thread this runs on), and its connection is closed."""
    for process in started:
        process.kill()
        if not loop.is_closed():
            asyncio.run_coroutine_threadsafe(process.close(), loop)
