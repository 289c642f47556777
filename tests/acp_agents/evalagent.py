"""A scripted ACP agent for evaluations and chats, written with the SDK (``acp.run_agent``), run
over stdio by tests/frameworks/test_acp_evaluate.py and test_acp_chat.py:
``python evalagent.py``.

Every ``session/new`` opens a session of its own (``sess-1``, ``sess-2``, ...) that counts its
prompts. A prompt is answered ``<session> #<n>: <THE PROMPT IN CAPITALS>``, except:

- a prompt that contains ``permission`` announces a tool call (``call_perm``, an edit), asks
  permission for it with the four usual options and answers which option it got (``got no``);
  the call ends ``failed`` when refused, ``completed`` when allowed, as agents report it;
- ``wait``: says ``working``, then waits for ``session/cancel`` and ends the turn cancelled.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import acp
from acp.helpers import start_tool_call, update_agent_message_text, update_tool_call
from acp.schema import (
    AgentCapabilities,
    InitializeResponse,
    NewSessionResponse,
    PermissionOption,
    PromptResponse,
    ToolCallUpdate,
)

OPTIONS = [
    PermissionOption(option_id="yes", name="Allow once", kind="allow_once"),
    PermissionOption(option_id="always", name="Allow always", kind="allow_always"),
    PermissionOption(option_id="no", name="Reject once", kind="reject_once"),
    PermissionOption(option_id="never", name="Reject always", kind="reject_always"),
]


class EvalAgent:
    def __init__(self) -> None:
        self.conn: Any = None
        self.sessions = 0
        self.prompts: Counter[str] = Counter()
        self.cancelled: dict[str, asyncio.Event] = {}

    def on_connect(self, conn: Any) -> None:
        self.conn = conn

    async def initialize(self, protocol_version: int, **kwargs: Any) -> InitializeResponse:
        return InitializeResponse(
            protocol_version=protocol_version, agent_capabilities=AgentCapabilities()
        )

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        self.sessions += 1
        sid = f"sess-{self.sessions}"
        self.cancelled[sid] = asyncio.Event()
        return NewSessionResponse(session_id=sid)

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        self.cancelled[session_id].set()

    async def say(self, sid: str, text: str) -> None:
        await self.conn.session_update(sid, update_agent_message_text(text))

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        sid = session_id
        text = "".join(getattr(block, "text", "") for block in prompt)
        self.prompts[sid] += 1
        if text == "wait":
            await self.say(sid, "working")
            await self.cancelled[sid].wait()
            self.cancelled[sid].clear()
            return PromptResponse(stop_reason="cancelled")
        if "permission" in text:
            await self.ask(sid)
            return PromptResponse(stop_reason="end_turn")
        await self.say(sid, f"{sid} #{self.prompts[sid]}: ")
        await self.say(sid, text.upper())
        return PromptResponse(stop_reason="end_turn")

    async def ask(self, sid: str) -> None:
        start = start_tool_call("call_perm", "Edit a.py", kind="edit", status="pending")
        await self.conn.session_update(sid, start)
        call = ToolCallUpdate(tool_call_id="call_perm", title="Edit a.py", kind="edit")
        answer = await self.conn.request_permission(options=OPTIONS, session_id=sid, tool_call=call)
        got = getattr(answer.outcome, "option_id", None) or answer.outcome.outcome
        status = "completed" if got in ("yes", "always") else "failed"
        await self.conn.session_update(sid, update_tool_call("call_perm", status=status))
        await self.say(sid, f"got {got}")


if __name__ == "__main__":
    asyncio.run(acp.run_agent(EvalAgent()))
