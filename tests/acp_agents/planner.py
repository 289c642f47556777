"""A scripted ACP agent sending the UNSTABLE plans (``plan_update``, ``plan_removed``),
written with the SDK (``acp.run_agent``), run over stdio: ``python planner.py [always]``.

As the protocol asks, it sends them only to a client whose ``initialize`` advertised
``clientCapabilities.plan`` (``always``: whatever the client said, to see whether the SDK
itself gates them). Its turn: plan ``steps`` as items (three pending), plan ``notes`` as
markdown (with HTML that must show as text), plan ``doc`` as a file, ``steps`` again with its
first entry completed, then ``steps`` removed; then the answer ``plans: sent`` (or ``plans:
not advertised``, with no plan at all).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import acp
from acp.helpers import update_agent_message_text
from acp.schema import (
    AgentCapabilities,
    AgentPlanContentUpdate,
    AgentPlanRemovedUpdate,
    InitializeResponse,
    NewSessionResponse,
    PlanEntry,
    PlanUpdateFile,
    PlanUpdateItems,
    PlanUpdateMarkdown,
    PromptResponse,
)

ALWAYS = sys.argv[1:] == ["always"]
STEPS = ["Read data.py", "Fix the rounding", "Run the tests"]
NOTES = "# Notes\n\nKeep **rounding** half-up. <img src=x onerror=alert(1)><script>x()</script>"
DOC = "file:///work/PLAN.md"


def steps(done: int) -> AgentPlanContentUpdate:
    """Plan ``steps`` with its first ``done`` entries completed."""
    entries = [
        PlanEntry(content=s, priority="medium", status="completed" if n < done else "pending")
        for n, s in enumerate(STEPS)
    ]
    plan = PlanUpdateItems(type="items", plan_id="steps", entries=entries)
    return AgentPlanContentUpdate(session_update="plan_update", plan=plan)


class Planner:
    def __init__(self) -> None:
        self.conn: Any = None
        self.advertised = False

    def on_connect(self, conn: Any) -> None:
        self.conn = conn

    async def initialize(
        self, protocol_version: int, client_capabilities: Any = None, **kwargs: Any
    ) -> InitializeResponse:
        self.advertised = getattr(client_capabilities, "plan", None) is not None
        return InitializeResponse(
            protocol_version=protocol_version, agent_capabilities=AgentCapabilities()
        )

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        return NewSessionResponse(session_id="sess-planner")

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        return None

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        send = self.conn.session_update
        if not (self.advertised or ALWAYS):
            await send(session_id, update_agent_message_text("plans: not advertised"))
            return PromptResponse(stop_reason="end_turn")
        notes = PlanUpdateMarkdown(type="markdown", plan_id="notes", content=NOTES)
        doc = PlanUpdateFile(type="file", plan_id="doc", uri=DOC)
        await send(session_id, steps(0))
        await send(session_id, AgentPlanContentUpdate(session_update="plan_update", plan=notes))
        await send(session_id, AgentPlanContentUpdate(session_update="plan_update", plan=doc))
        await send(session_id, steps(1))
        await send(
            session_id, AgentPlanRemovedUpdate(session_update="plan_removed", plan_id="steps")
        )
        await send(session_id, update_agent_message_text("plans: sent"))
        return PromptResponse(stop_reason="end_turn")


if __name__ == "__main__":
    asyncio.run(acp.run_agent(Planner()))
