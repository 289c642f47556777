"""A scripted ACP agent for the view (issue 36, "What the view shows"), written with the SDK
(``acp.run_agent``) and run over stdio: ``python showcase.py``.

Its turn: a plan sent three times (each entry's status moving on), a tool call editing a file
with a diff (``cwd``/data.py, one line changed, two added), a ``usage_update`` (1,200 of
200,000 tokens, $0.25), then a permission request for a command with the four usual options;
it answers with the option it was given (``"always"`` when the user clicks "Allow always") and,
allowed, runs the command in one of the client's terminals where it offers them, shown in that
call's panel (its output: ``3 passed``). The prompt ``"what did you get?"`` answers with that
option again. The prompt ``"propose"`` (what Stop interrupts): the plan with its second step
in progress, the context gauge and the session's title, then an edit of data.py it proposes
(a diff, the call ``pending``) and asks to make; allowed, it writes nothing but says so;
stopped, it ends the turn ``cancelled``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import acp
from acp.helpers import (
    start_tool_call,
    tool_terminal_ref,
    update_agent_message_text,
    update_tool_call,
)
from acp.schema import (
    AgentPlanUpdate,
    Cost,
    FileEditToolCallContent,
    PlanEntry,
    PromptResponse,
    SessionInfoUpdate,
    ToolCallLocation,
    ToolCallUpdate,
    UsageUpdate,
)
from agent_base import OPTIONS, ScriptedAgent

STEPS = ["Read data.py", "Fix the rounding", "Run the tests"]
OLD = "import math\n\nx = round(2.5)\nprint(x)\n"
NEW = "import math\n\nx = math.floor(2.5 + 0.5)\nprint(x)\nprint('done')\nprint('ok')\n"


def plan(done: int) -> AgentPlanUpdate:
    """The plan with its first ``done`` entries completed and the next one in progress."""
    entries = []
    for n, step in enumerate(STEPS):
        status = "completed" if n < done else "in_progress" if n == done else "pending"
        priority = ("high", "medium", "low")[n]
        entries.append(PlanEntry(content=step, priority=priority, status=status))
    return AgentPlanUpdate(session_update="plan", entries=entries)


class Showcase(ScriptedAgent):
    def __init__(self) -> None:
        super().__init__("showcase")
        self.answer = "nothing yet"

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        text = "".join(getattr(block, "text", "") for block in prompt)
        send = self.conn.session_update
        if text == "what did you get?":
            await send(session_id, update_agent_message_text(f"answer: {self.answer}"))
            return PromptResponse(stop_reason="end_turn")
        if text == "propose":
            return await self.propose(session_id)
        path = os.path.join(self.cwd, "data.py")
        await send(session_id, plan(0))
        await send(session_id, update_agent_message_text("Fixing the rounding. "))
        where = [ToolCallLocation(path=path, line=3)]
        await send(
            session_id,
            start_tool_call(
                "edit_1", "Edit data.py", kind="edit", status="pending", locations=where
            ),
        )
        await send(session_id, plan(1))
        diff = FileEditToolCallContent(type="diff", path=path, old_text=OLD, new_text=NEW)
        await send(session_id, update_tool_call("edit_1", status="completed", content=[diff]))
        cost = Cost(amount=0.25, currency="USD")
        await send(
            session_id,
            UsageUpdate(session_update="usage_update", used=1200, size=200000, cost=cost),
        )
        await send(session_id, plan(2))
        call = ToolCallUpdate(
            tool_call_id="run_1", title="Run pytest", kind="execute", raw_input={"cmd": "pytest"}
        )
        answer = await self.conn.request_permission(
            options=OPTIONS, session_id=session_id, tool_call=call
        )
        outcome = answer.outcome
        self.answer = getattr(outcome, "option_id", None) or outcome.outcome
        if self.answer in ("yes", "always") and self.terminals:
            await self.run_tests(session_id)
        await send(session_id, update_agent_message_text(f"The user answered: {self.answer}."))
        return PromptResponse(stop_reason="end_turn")

    async def propose(self, session_id: str) -> PromptResponse:
        """An edit proposed and asked for: the call ``pending`` with its diff, as coding agents
        ask before they write."""
        send = self.conn.session_update
        await send(session_id, plan(1))
        cost = Cost(amount=0.25, currency="USD")
        await send(
            session_id,
            UsageUpdate(session_update="usage_update", used=1200, size=200000, cost=cost),
        )
        title = "Fix the rounding in data.py"  # the session's words on the status line
        await send(session_id, SessionInfoUpdate(session_update="session_info_update", title=title))
        await send(session_id, update_agent_message_text("I would change the rounding. "))
        path = os.path.join(self.cwd, "data.py")
        diff = FileEditToolCallContent(type="diff", path=path, old_text=OLD, new_text=NEW)
        where = [ToolCallLocation(path=path, line=3)]
        await send(
            session_id,
            start_tool_call(
                "edit_2", "Edit data.py", kind="edit", status="pending", locations=where,
                content=[diff],
            ),
        )  # fmt: skip
        self.answer = await self.ask(session_id, "edit_2", "Edit data.py", kind="edit")
        if self.answer == "cancelled":
            return PromptResponse(stop_reason="cancelled")
        await send(session_id, update_tool_call("edit_2", status="completed"))
        await send(session_id, update_agent_message_text(f"The user answered: {self.answer}."))
        return PromptResponse(stop_reason="end_turn")

    async def run_tests(self, session_id: str) -> None:
        """A stand-in for pytest (it prints a summary) in a terminal shown in ``run_1``'s panel."""
        script = (
            "import time; print('collected 3 items', flush=True); time.sleep(0.3); "
            "print('3 passed')"
        )
        created = await self.conn.create_terminal(
            command=sys.executable, args=["-c", script], session_id=session_id
        )
        tid = created.terminal_id
        shown = update_tool_call("run_1", status="in_progress", content=[tool_terminal_ref(tid)])
        await self.conn.session_update(session_id, shown)
        exited = await self.conn.wait_for_terminal_exit(session_id=session_id, terminal_id=tid)
        status = "completed" if exited.exit_code == 0 else "failed"
        await self.conn.session_update(session_id, update_tool_call("run_1", status=status))
        await self.conn.release_terminal(session_id=session_id, terminal_id=tid)


if __name__ == "__main__":
    asyncio.run(acp.run_agent(Showcase()))
