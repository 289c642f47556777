"""The client's elicitation (``elicitation/create``: the agent asks the user for input, a form
of a flat schema's fields or a URL to open; unstable in ACP, enabled in the SDK with
``use_unstable_protocol``). It is shown and answered as an MCP server's elicitation is
(``nbagent._agent_mcp.ask_user``): the tool call the question names pauses with the form, or a
call of the question's own (``elicitation-N``) when it names none; ``run.approve(i,
**fields)`` accepts (checked against the schema's required fields), ``run.deny(i)`` declines,
``run.dismiss(i)`` and Stop cancel. With no run to pause (between prompts) it is cancelled."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbagent._agent_mcp import ask_user
from nbagent._agent_tools import CallScope
from nbagent._events import Event, Status
from nbagent._mcp import McpRequest
from nbagent._values import plain

if TYPE_CHECKING:
    from nbagent._acp._turn import Turn

__all__ = ["ElicitationMethods"]

_IDS = itertools.count(1)


class ElicitationMethods:
    """The SDK ``Client``'s ``elicitation/*`` methods, for the turn ``self.turn()`` names."""

    turn: Callable[[], Turn | None]

    async def create_elicitation(self, message: str, mode: Any, **kwargs: Any) -> Any:
        from acp.schema import (
            AcceptElicitationResponse,
            CancelElicitationResponse,
            DeclineElicitationResponse,
        )

        turn = self.turn()
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

    async def complete_elicitation(self, elicitation_id: str, **kwargs: Any) -> None:
        """A URL elicitation done on the agent's side: its pause was answered already (the
        user's Accept said they went there)."""


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
