"""An ACP agent (``nbagent.acp(...)``) as an evaluation's task: each case is a prompt turn in a
session of its own, opened for it on the agent's one process, so that no case sees another's
conversation (nor the notebook's, which stays in ``agent.session_id``), and closed when the
case ends where the agent can close sessions (``session/close``; left open otherwise).

Sessions are independent in ACP, and the client routes what the agent sends to the turn of the
session it names: up to ``concurrency`` cases run at once, side by side with the notebook's
own prompts. Nobody is there to answer a permission request during an evaluation: each is
rejected once in its case's run (the agent's ``reject_once`` option, else ``reject_always``;
never an allow), and the call's panel says so (``REJECTED``). The tool kinds the author passed
as ``auto_approve`` are still allowed, as they would be in a cell.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from nbagent.evaluation.tasks import MakeView, OnRun, Outcome, Performer
from nbagent.frameworks.kit.tasks import prompt_of
from nbagent.runtime.pause import Answer
from nbagent.runtime.run import Run

if TYPE_CHECKING:
    from nbagent.acp_client._agent import AcpAgent
    from nbagent.acp_client._turn import Turn

__all__ = ["REJECTED", "acp_performer", "is_acp_agent"]

REJECTED = "rejected: nobody to answer during evaluate"
"""What a rejected permission request's panel says (the ``deny`` answer's reason; the agent
gets its reject option only: ACP's answer carries no reason)."""


def is_acp_agent(task: Any) -> bool:
    """Whether ``task`` is an ``nbagent.acp(...)`` agent (imported here only: no SDK needed)."""
    from nbagent.acp_client._agent import AcpAgent

    return isinstance(task, AcpAgent)


def acp_performer(agent: AcpAgent, executor: Executor) -> Performer:
    """How ``agent`` runs one case: ``prompt_of(input)`` in a new session (``executor``: where
    the blocking part, opening the session, waits)."""

    async def perform(value: Any, title: str, on_run: OnRun, view: MakeView) -> Outcome:
        make = functools.partial(_case_run, title=title, view=view)
        begin = functools.partial(agent.prepare, prompt_of(value), make, new_session=True)
        # Off the engine's loop: opening a session waits on nbagent's background loop, which
        # may be this very loop (an evaluation started in plain Python).
        loop = asyncio.get_running_loop()
        run = await loop.run_in_executor(executor, begin)
        on_run(run)
        if not run.done:  # a cancel as it was told may have ended it already
            run.start()
        transcript = await run.wait_async()
        return Outcome(run, transcript.text)

    return perform


def _case_run(turn: Turn, *, title: str, view: MakeView) -> Run:
    """A case's run of ``turn``: its permission requests are rejected as they come."""
    run = Run(turn, format="acp", title=title, view=view())
    run.pauses.on_change(functools.partial(_reject_waiting, run, turn))
    return run


def _reject_waiting(run: Run, turn: Turn) -> None:
    """Reject every paused call of ``run`` once, and put on its panel that nobody could answer
    (an update of the call, as the agent's own updates arrive: through the turn)."""
    from acp.helpers import text_block, tool_content, update_tool_call

    for request in run.pauses.pending:
        if run.pauses.answer(request.tool_call_id, Answer("deny", reason=REJECTED)):
            said = update_tool_call(
                request.tool_call_id, content=[tool_content(text_block(REJECTED))]
            )
            turn.put(said)
