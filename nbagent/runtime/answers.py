"""Answering a run's paused tool calls from the notebook: ``run.pending``, ``run.approve(i)``,
``run.mock(i, result)``, ``run.deny(i, reason=...)``, ``run.dismiss(i)`` (a server's question only)
and the widget's ``pause_answer`` message.

``i`` is a position in ``run.pending`` or a tool call id. Edited arguments are checked by the
request's ``validate`` before the answer is given: a ``ValueError`` naming the field leaves the
call paused (from the widget, the error is shown on the call's block: ``pause.error``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Any

from nbagent.runtime.pause import Action, Answer, PauseRequest, Pauses
from nbagent.widget.messages import PauseAnswer

__all__ = [
    "AnswerNotTaken",
    "PendingCall",
    "answer_call",
    "answer_from_view",
    "choose_option",
    "find_paused",
    "pending_calls",
    "wait_until_paused",
]


class AnswerNotTaken(ValueError, TypeError):
    """A paused call asked for an answer its producer cannot carry out (an ACP permission
    given a mock result): a ``TypeError`` for the kind of answer, and the ``ValueError`` it has
    always been. The call stays paused."""


@dataclasses.dataclass(frozen=True)
class PendingCall:
    """A tool call waiting for an answer, as ``run.pending`` lists it."""

    index: int
    """Its position in ``run.pending`` (what ``approve``/``mock``/``deny`` take)."""
    tool_call_id: str
    name: str
    args: dict[str, Any] | None


def pending_calls(pauses: Pauses) -> list[PendingCall]:
    return [
        PendingCall(k, p.tool_call_id, p.name, None if p.args is None else dict(p.args))
        for k, p in enumerate(pauses.pending)
    ]


def find_paused(pending: list[PauseRequest], i: int | str) -> PauseRequest | None:
    """The call ``i`` of ``pending`` (``Pauses.pending``): a ``str`` is a tool call id, an
    ``int`` a position (negative: from the end; a bool is neither); None when there is none.
    Each caller words its own error: ``approve``'s names the run, ``choose``'s the agent."""
    if isinstance(i, str):
        return next((p for p in pending if p.tool_call_id == i), None)
    if isinstance(i, bool) or not isinstance(i, int) or not -len(pending) <= i < len(pending):
        return None
    return pending[i]


def _find(pauses: Pauses, i: int | str) -> PauseRequest:
    pending = pauses.pending
    if not pending:
        raise RuntimeError("the run is not paused: no tool call is waiting for an answer")
    request = find_paused(pending, i)
    if request is None:
        waiting = ", ".join(f"{k}: {p.name} ({p.tool_call_id})" for k, p in enumerate(pending))
        by = "with id " if isinstance(i, str) else ""
        raise IndexError(f"no paused tool call {by}{i!r}; waiting: {waiting}")
    return request


def _checked(request: PauseRequest, args: dict[str, Any]) -> dict[str, Any]:
    """``args`` if the tool takes them, else ``ValueError`` naming the field."""
    if request.validate is not None:
        try:
            request.validate(dict(args))
        except ValueError as exc:
            raise ValueError(f"arguments of {request.name}: {exc}") from exc
    return args


def answer_call(
    pauses: Pauses,
    i: int | str,
    action: Action,
    *,
    args: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    result: Any = None,
    reason: str | None = None,
) -> PauseRequest:
    """Answer paused call ``i``; ``args`` (``run``): the arguments to run it with (None: as
    asked), or ``overrides`` of the asked ones; checked first. Returns the request answered."""
    request = _find(pauses, i)
    if overrides:
        args = dict(request.args or {}) | overrides
    offered = request.actions
    # A producer that cannot carry an answer out would take it for another (a framework's
    # approval given a mock result): refused, the call stays paused. A dismissal only where
    # offered: a breakpoint (None: every other answer) would take it for a Stop.
    if (offered is None and action == "dismiss") or (offered is not None and action not in offered):
        takes = ", ".join(offered if offered is not None else ("run", "edit", "mock", "deny"))
        raise AnswerNotTaken(
            f"{request.name} cannot be answered {action!r} here (it takes {takes})"
        )
    if action == "run" and args is not None:
        args = _checked(request, args)
    answer = Answer(action, args=args, result=result, reason=reason)
    if not pauses.answer(request.tool_call_id, answer):  # answered meanwhile (another thread)
        raise RuntimeError(f"tool call {request.tool_call_id!r} is no longer paused")
    return request


def answer_from_view(pauses: Pauses, content: PauseAnswer) -> None:
    """The widget's ``pause_answer`` message (JSON data, never code): ``{id, action, args?,
    result?, reason?}`` (``action``: run, mock, deny, dismiss); ``ValueError`` for an answer
    the call does not take or arguments that do not fit."""
    call_id, action = content.get("id"), content.get("action")
    if not isinstance(call_id, str) or action not in ("run", "mock", "deny", "dismiss"):
        raise ValueError(f"not an answer to a paused call: {content!r}")
    args = content.get("args")
    if args is not None and not isinstance(args, dict):
        raise ValueError("the arguments must be a JSON object")
    reason = content.get("reason")
    answer_call(
        pauses,
        call_id,
        action,
        args=args,
        result=str(content.get("result") or ""),
        reason=str(reason) if reason else None,
    )


async def wait_until_paused(
    pending: Callable[[], list[PendingCall]], done: Callable[[], bool], timeout: float | None
) -> list[PendingCall]:
    """``run.until_paused``: ``pending()`` once it lists a call, or ``[]`` once ``done()``;
    ``TimeoutError`` after ``timeout`` seconds (None: no limit)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    # Polled: the run's loop may be this one (a cell's), and answers come from any thread.
    while not (calls := pending()) and not done():
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"no tool call paused within {timeout} s")
        await asyncio.sleep(0.02)
    return calls


def choose_option(source: Any, i: int | str, option_id: str) -> None:
    """``run.choose``: the source's own options (``nbagent_choose``, an ACP turn's), else a
    ``TypeError`` (a framework's approval or a breakpoint offers no options)."""
    chooser = getattr(source, "nbagent_choose", None)
    if chooser is None:
        raise TypeError(
            "this run's paused calls offer no options to choose from (an ACP agent's do)"
        )
    chooser(i, option_id)
