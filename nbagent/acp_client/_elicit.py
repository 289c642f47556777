"""The client's elicitation (``elicitation/create``: the agent asks the user for input, a form
of a flat schema's fields or a URL to open; unstable in ACP, enabled in the SDK with
``use_unstable_protocol``). It is shown and answered as an MCP server's elicitation is
(``nbagent.agent.mcp.ask_user``): the tool call the question names pauses with the form, or a
call of the question's own (``elicitation-N``) when it names none; ``run.approve(i,
**fields)`` accepts (checked against the schema's required fields), ``run.deny(i)`` declines,
``run.dismiss(i)`` and Stop cancel. It pauses the turn of the session it names; one that names
none (tied to a request) the turn in progress when only one runs. With no run to pause (between
prompts, or several running and none named: a warning in each of those) it is cancelled."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nbagent.agent.mcp import ask_user
from nbagent.agent.tool_runner import CallScope
from nbagent.core.events import Event, Status
from nbagent.core.values import plain
from nbagent.mcp_client import McpRequest

if TYPE_CHECKING:
    from nbagent.acp_client._turn import Turn

__all__ = ["elicit"]

_IDS = itertools.count(1)


async def elicit(turns: Mapping[str, Turn], message: str, mode: Any) -> Any:
    """The answer to ``elicitation/create`` (``message``, its ``mode``: a form or a URL) from
    the user, through the paused run of the turn it belongs to among ``turns`` (each
    session's turn in progress)."""
    from acp.schema import (
        AcceptElicitationResponse,
        CancelElicitationResponse,
        DeclineElicitationResponse,
    )

    turn = _asked(turns, mode)
    if turn is None and getattr(mode, "session_id", None) is None and len(turns) > 1:
        # Shown where the user looks, whichever run that is: unanswered, it would go unseen.
        said = (
            f"the agent asked “{message}” for no session while {len(turns)} turns ran: "
            "answered cancel, since none of them can be told to be its"
        )
        for running in list(turns.values()):
            running.warn(said, "unanswered_question")
    if turn is None or turn.pauses is None:  # nobody to answer
        return CancelElicitationResponse(action="cancel")
    schema = getattr(mode, "requested_schema", None)
    url = getattr(mode, "url", None)
    request = McpRequest(
        f"elicitation-{next(_IDS)}",
        "elicitation",
        message,
        schema=None if schema is None else schema.model_dump(mode="json", exclude_none=True),
        url=None if url is None else str(url),
    )
    call_id = getattr(mode, "tool_call_id", None) or request.id
    if call_id == request.id:  # a call of its own, for its panel
        title = message if len(message) <= 80 else message[:79] + "…"
        turn.put(_update("tool_call", call_id, title=title, kind="other"))
    scope = CallScope(call_id, _emitter(turn), turn.pauses)
    action, content = await ask_user(scope, "question", request, asker="agent")
    if call_id == request.id:
        output = {"action": action, "content": content}
        turn.put(_update("tool_call_update", call_id, status="completed", rawOutput=output))
    if action == "accept":
        return AcceptElicitationResponse(action="accept", content=content)
    if action == "decline":
        return DeclineElicitationResponse(action="decline")
    return CancelElicitationResponse(action="cancel")


def _asked(turns: Mapping[str, Turn], mode: Any) -> Turn | None:
    """The turn a question is for: its session's; for one tied to a request (no session), the
    only turn running, since no other can be told to be its."""
    session_id = getattr(mode, "session_id", None)
    if session_id is not None:
        return turns.get(session_id)
    running = list(turns.values())
    return running[0] if len(running) == 1 else None


def _update(update: str, call_id: str, **fields: Any) -> dict[str, Any]:
    return {"update": {"sessionUpdate": update, "toolCallId": call_id, **fields}}


def _emitter(turn: Turn) -> Callable[[Event], None]:
    """``ask_user``'s pause statuses as nbagent items for the turn (the adapter maps
    ``_nbagent/status`` back to the ``Status``)."""

    def emit(event: Event) -> None:
        if isinstance(event, Status) and event.tool_call_id is not None:
            fields = {"state": event.state, "detail": plain(event.detail)}
            turn.put(_update("_nbagent/status", event.tool_call_id, **fields))

    return emit
