"""Answering a permission request with one of the agent's own options: from code
(``AcpAgent.choose``) and from the widget's buttons (its ``choose`` message, one button per
option the agent offered: ``{"type": "choose", "id": tool_call_id, "option": option_id}``).
A viewer's page never gets here: the kernel refuses its messages (``nbagent.widget.audience``)."""

from __future__ import annotations

import logging

from nbagent.acp_client._client import Chosen
from nbagent.acp_client._turn import Turn
from nbagent.runtime.answers import find_paused
from nbagent.runtime.pause import Answer
from nbagent.widget.messages import ChooseRequest

__all__ = ["choose", "choose_from_view"]

_LOG = logging.getLogger("nbagent")


def choose(turn: Turn | None, i: int | str, option_id: str) -> None:
    """Answer ``turn``'s paused call ``i`` (a position in ``run.pending`` or a tool call id)
    with ``option_id``, one of the options the agent offered for it."""
    if turn is None or turn.pauses is None or not turn.pauses.pending:
        raise RuntimeError("no permission request is waiting for an answer")
    pending = turn.pauses.pending
    request = find_paused(pending, i)
    if request is None:
        raise IndexError(f"no paused call {i!r}; waiting: {[p.tool_call_id for p in pending]}")
    offered = [o.option_id for o in turn.offered.get(request.tool_call_id, [])]
    if option_id not in offered:
        raise ValueError(f"{option_id!r} is not an option offered; the agent offers {offered}")
    if not turn.pauses.answer(request.tool_call_id, Answer("run", result=Chosen(option_id))):
        raise RuntimeError(f"tool call {request.tool_call_id!r} is no longer paused")


def choose_from_view(turn: Turn, content: ChooseRequest) -> None:
    """The widget's ``choose`` message (JSON data, never code). An answer that no longer
    fits (answered meanwhile from code, or the run ended) is logged, not raised: it came
    from a button, on the comm's thread."""
    call_id, option_id = content.get("id"), content.get("option")
    try:
        if not isinstance(call_id, str) or not isinstance(option_id, str):
            raise ValueError(f"not an answer to a permission request: {content!r}")
        choose(turn, call_id, option_id)
    except (ValueError, LookupError, RuntimeError) as exc:
        _LOG.warning("nbagent: the widget's answer was not taken: %s", exc)
