"""The client side nbagent plays to an ACP agent (the SDK's ``Client`` interface), on nbagent's
background loop. Every call names its session, and goes to that session's prompt turn in
progress (``turns``: several sessions may run a turn at once): session updates are shown in
its run (and the agent's own session's modes, commands and config are kept); permission
requests pause its run (``run.pauses``); the file methods serve the session's directories only
(``_files``); terminals only when the author turns them on (``_terminals``, a part the client
holds); the agent's questions pause the run (``_elicit``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbagent.acp_client._elicit import elicit
from nbagent.acp_client._files import FileRefused, inside, read_lines
from nbagent.acp_client._paths import relative_update
from nbagent.acp_client._raw import CANCEL, RAW, Raw
from nbagent.acp_client._sessions import ConfigOption, config_options
from nbagent.acp_client._terminals import Terminals, offered
from nbagent.acp_client._types import Command, Mode
from nbagent.acp_client._writes import Writes
from nbagent.runtime.pause import Answer, PauseRequest

if TYPE_CHECKING:
    from nbagent.acp_client._turn import Turn

__all__ = ["Chosen", "NbagentClient", "outcome_for"]


@dataclasses.dataclass(frozen=True)
class Chosen:
    """An ``Answer``'s ``result`` that names the agent's option to select (``choose``)."""

    option_id: str


class NbagentClient:
    """What the agent calls on nbagent (one per agent process): the SDK ``Client``'s methods,
    ``terminal/*`` handed to ``terminals``, ``elicitation/*`` to ``_elicit``."""

    def __init__(
        self,
        roots: Sequence[Path],
        auto_approve: frozenset[str],
        notebooks: bool,
        terminals: Terminals | None = None,
    ) -> None:
        self.roots = list(roots)
        self.auto_approve = auto_approve
        self.notebooks = notebooks
        self.terminals = terminals
        """The session's terminals (None: not offered, each ``terminal/*`` refused)."""
        self.turns: Mapping[str, Turn] = {}
        """Each session's prompt turn in progress (the process's ``turns``, set when they are
        paired); a session without one gets nothing shown and no permission granted."""
        self.main = ""
        """The agent's own session, whose modes, commands and config are kept (not those of
        the sessions opened for one turn); "" while it opens: any session's."""
        self.modes: list[Mode] = []
        self.mode: str | None = None
        self.commands: list[Command] = []
        self.config: list[ConfigOption] = []
        """The session's config options (``session/new``, ``config_option_update``)."""
        self.title: str | None = None
        """The session's title, as the agent last said it (``session_info_update``)."""
        self.writes = Writes()
        """What the turn's calls name: a write elsewhere gets a panel of its own."""
        self.raw = Raw()
        """What the SDK cannot read of the agent's messages (``_raw``: the process's stdout
        goes through its ``rewrite``)."""

    # -- session/update ------------------------------------------------------------------------

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        kind = getattr(update, "session_update", None)
        if session_id == self.main or not self.main:
            if kind == "current_mode_update":
                self.mode = update.current_mode_id
            elif kind == "available_commands_update":
                self.commands = [_command(c) for c in update.available_commands]
            elif kind == "config_option_update":
                self.config = config_options(update.config_options)
            elif kind == "session_info_update" and "title" in update.model_fields_set:
                self.title = update.title
        turn = self.turns.get(session_id)
        if turn is not None:
            self.writes.saw(turn, update)
            self._show(turn, session_id, update)

    def session_item(self) -> dict[str, Any]:
        """The agent's own session as a turn starts, for the run's status line (an
        ``_nbagent/session`` item: ``adapters/acp/session.py``): its title, mode (with the
        modes' names), config values and slash commands."""
        config = [
            {"id": o.id, "name": o.name, "currentValue": o.value}
            | {"options": [{"value": c.value, "name": c.name} for c in o.choices]}
            for o in self.config
        ]
        return {
            "sessionUpdate": "_nbagent/session",
            "title": self.title,
            "currentModeId": self.mode,
            "modes": [{"id": m.id, "name": m.name} for m in self.modes],
            "configOptions": config,
            "availableCommands": [{"name": c.name} for c in self.commands],
        }

    def _show(self, turn: Turn, session_id: str, update: Any) -> None:
        from acp.schema import SessionNotification

        shown = relative_update(update, self.roots[0])  # the view's paths: from cwd
        item: Any = SessionNotification(session_id=session_id, update=shown)
        call_id = getattr(update, "tool_call_id", None)
        name = self.raw.names.pop((session_id, call_id), None) if call_id else None
        if name is not None:  # the tool's name, which the SDK's model dropped (``_raw``)
            item = item.model_dump(by_alias=True, exclude_none=True, mode="json")
            item["update"]["name"] = name
        turn.put(item)

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        """What ``_raw`` passed on as nbagent's own notifications: an update the SDK does
        not model, to its session's turn as the wire dict; the agent's ``$/cancel_request``,
        which answers the permission request it withdrew cancelled."""
        session_id = str(params.get("sessionId"))
        if f"_{method}" == RAW:
            turn = self.turns.get(session_id)
            if turn is not None:
                turn.put(dict(params))
        elif f"_{method}" == CANCEL and (asked := self.raw.withdrawn(params)) is not None:
            turn = self.turns.get(asked[0])
            if turn is not None and turn.pauses is not None:
                turn.pauses.answer(asked[1], Answer("cancel", reason="the agent withdrew it"))

    # -- session/request_permission ------------------------------------------------------------

    async def request_permission(
        self, session_id: str, tool_call: Any, options: list[Any], **kwargs: Any
    ) -> Any:
        from acp.schema import RequestPermissionResponse

        turn = self.turns.get(session_id)
        call_id = str(tool_call.tool_call_id)
        notebook = _notebook_target(tool_call)
        if notebook is not None and not self.notebooks:
            answer = Answer("deny", reason=f"{notebook}: nbagent refuses notebook edits")
            meta = {"message": _NOTEBOOK_REFUSAL.format(path=notebook)}
            return RequestPermissionResponse(outcome=outcome_for(answer, options), field_meta=meta)
        if tool_call.kind in self.auto_approve and _option(options, "allow_once") is not None:
            return RequestPermissionResponse(outcome=outcome_for(Answer("run"), options))
        if turn is None or turn.pauses is None:  # nobody can answer: never granted unasked
            return RequestPermissionResponse(outcome=outcome_for(Answer("cancel"), options))
        request = PauseRequest(
            call_id,
            str(tool_call.title or tool_call.kind or "tool call"),
            _args(tool_call.raw_input),
            validate=_no_edits,
            actions=_actions(options),
        )
        turn.offered[call_id] = list(options)
        turn.put(_shown_request(session_id, tool_call, options))
        try:
            answer = await turn.pauses.before_tool(request)
        finally:
            turn.offered.pop(call_id, None)
        outcome = outcome_for(answer, options)
        turn.put(_shown_answer(session_id, call_id, outcome))
        return RequestPermissionResponse(outcome=outcome)

    # -- fs/* ----------------------------------------------------------------------------------

    async def read_text_file(
        self,
        session_id: str,
        path: str,
        line: int | None = None,
        limit: int | None = None,
        **kwargs: Any,
    ) -> Any:
        from acp.schema import ReadTextFileResponse

        try:
            content = read_lines(inside(path, self.roots), line, limit)
        except FileRefused as exc:
            raise _refused(str(exc)) from None
        return ReadTextFileResponse(content=content)

    async def write_text_file(self, session_id: str, path: str, content: str, **kwargs: Any) -> Any:
        from acp.schema import WriteTextFileResponse

        try:
            real = inside(path, self.roots, notebooks=self.notebooks)
            old = self.writes.before(real)
            real.write_text(content, encoding="utf-8")
        except FileRefused as exc:
            raise _refused(str(exc)) from None
        except OSError as exc:
            raise _refused(f"{path}: {exc}") from None
        turn = self.turns.get(session_id)
        if turn is not None:
            shown = self.writes.shown(turn, str(real), old, content)
            if shown is not None:
                self._show(turn, session_id, shown)
        return WriteTextFileResponse()

    # -- terminal/* (``_terminals``) ---------------------------------------------------------

    async def create_terminal(
        self,
        session_id: str,
        command: str,
        args: list[str] | None = None,
        env: list[Any] | None = None,
        cwd: str | None = None,
        output_byte_limit: int | None = None,
        **kwargs: Any,
    ) -> Any:
        terminals = offered(self.terminals)
        return await terminals.answer_create(session_id, command, args, env, cwd, output_byte_limit)

    async def terminal_output(self, session_id: str, terminal_id: str, **kwargs: Any) -> Any:
        return offered(self.terminals).answer_output(terminal_id)

    async def wait_for_terminal_exit(self, session_id: str, terminal_id: str, **kwargs: Any) -> Any:
        return await offered(self.terminals).answer_wait_for_exit(terminal_id)

    async def kill_terminal(self, session_id: str, terminal_id: str, **kwargs: Any) -> Any:
        return offered(self.terminals).answer_kill(terminal_id)

    async def release_terminal(self, session_id: str, terminal_id: str, **kwargs: Any) -> Any:
        return offered(self.terminals).answer_release(terminal_id)

    # -- elicitation/* (``_elicit``) ---------------------------------------------------------

    async def create_elicitation(self, message: str, mode: Any, **kwargs: Any) -> Any:
        return await elicit(self.turns, message, mode)

    async def complete_elicitation(self, elicitation_id: str, **kwargs: Any) -> None:
        """A URL elicitation done on the agent's side: its pause was answered already (the
        user's Accept said they went there)."""


_NOTEBOOK_REFUSAL = (
    "{path} is a Jupyter notebook: nbagent does not let agents edit notebooks behind the "
    "user's back (the author allows it with nbagent.acp(..., allow_notebook_edits=True))"
)


def _refused(message: str) -> Exception:
    from acp import RequestError

    return RequestError.invalid_params({"message": message})


def _command(command: Any) -> Command:
    hint = getattr(getattr(command, "input", None), "root", None)
    return Command(command.name, command.description, getattr(hint, "hint", None))


def _option(options: Sequence[Any], kind: str) -> Any:
    return next((o for o in options if o.kind == kind), None)


def _actions(options: Sequence[Any]) -> tuple[str, ...]:
    """``run`` only where the agent offers to allow once; ``deny`` where it offers a reject."""
    kinds = {o.kind for o in options}
    actions = ("run",) if "allow_once" in kinds else ()
    return actions + (("deny",) if kinds & {"reject_once", "reject_always"} else ())


def outcome_for(answer: Answer, options: Sequence[Any]) -> Any:
    """The ``RequestPermissionResponse.outcome`` for an answer: ``run`` → the allow_once option
    (never upgraded to allow_always), ``deny`` → reject_once (else reject_always), a ``Chosen``
    option as it is, ``cancel`` (a Stop) → cancelled."""
    from acp.schema import AllowedOutcome, DeniedOutcome

    option = None
    if isinstance(answer.result, Chosen):
        option = next((o for o in options if o.option_id == answer.result.option_id), None)
    elif answer.action == "run":
        option = _option(options, "allow_once")
    elif answer.action == "deny":
        option = _option(options, "reject_once") or _option(options, "reject_always")
    if option is None:
        return DeniedOutcome(outcome="cancelled")
    return AllowedOutcome(outcome="selected", option_id=option.option_id)


# -- what the run shows of a request (``adapters/acp/permission.py``) --------------------------


def _shown_request(session_id: str, tool_call: Any, options: list[Any]) -> Any:
    """The request as the run's item: its call's panel pauses, the options its buttons."""
    from acp.schema import RequestPermissionRequest

    return RequestPermissionRequest(session_id=session_id, tool_call=tool_call, options=options)


def _shown_answer(session_id: str, call_id: str, outcome: Any) -> dict[str, Any]:
    """How the request was answered, as the run's item (the response names no call)."""
    wire = outcome.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"sessionId": session_id, "toolCallId": call_id, "outcome": wire}


def _no_edits(args: dict[str, Any]) -> None:
    """``approve(i, **overrides)``: a TypeError (not the ValueError of arguments that do not
    fit), since no arguments could: the agent runs the call it asked about."""
    raise TypeError("ACP cannot carry edited arguments: approve(i) without overrides")


def _args(raw: Any) -> dict[str, Any] | None:
    return dict(raw) if isinstance(raw, dict) else None


def _notebook_target(tool_call: Any) -> str | None:
    """The ``.ipynb`` file a permission request is aimed at (its locations, its raw input's
    string values), if any."""
    paths = [str(loc.path) for loc in tool_call.locations or []]
    raw = tool_call.raw_input
    if isinstance(raw, dict):
        paths += [v for v in raw.values() if isinstance(v, str)]
    return next((p for p in paths if p.strip().lower().endswith(".ipynb")), None)
