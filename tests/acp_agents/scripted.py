"""A scripted ACP agent, written with the SDK (``acp.run_agent``), run over stdio by
tests/frameworks/test_acp_client.py: ``python scripted.py <behaviour>``.

Behaviours: ``chat`` (a streamed answer with thinking and a tool call; modes; commands),
``permissions`` (asks four times and says what it was answered), ``notebook`` (asks to edit
an ``.ipynb``), ``files`` (runs the file requests the prompt lists as JSON), ``cancel`` (waits
for ``session/cancel``), ``stubborn`` (starts a child process, then ignores cancel), ``crash``
(dies mid-turn), ``hangup`` (closes its stdout mid-turn and keeps running), ``parting``
(answers, then exits at once), ``mute`` (never answers ``initialize``), ``auth`` (requires
authentication), ``newer`` (ACP's newer shapes, which the SDK 0.12.1 cannot send: a notice, a
tool call's name, a compaction, a v2 draft ``state_update``, a permission request it withdraws
with ``$/cancel_request``; then its usage and cost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from typing import Any

import acp
from acp import RequestError, text_block
from acp.helpers import (
    start_tool_call,
    tool_content,
    update_agent_thought_text,
    update_available_commands,
    update_tool_call,
)
from acp.schema import (
    AuthMethodAgent,
    AvailableCommand,
    Cost,
    NewSessionResponse,
    PromptResponse,
    SessionMode,
    SessionModeState,
    SetSessionModeResponse,
    ToolCallLocation,
    ToolCallUpdate,
    Usage,
    UsageUpdate,
)
from agent_base import OPTIONS, ScriptedAgent, prompt_text

BEHAVIOUR = sys.argv[1] if len(sys.argv) > 1 else "chat"


class Scripted(ScriptedAgent):
    def __init__(self) -> None:
        super().__init__(BEHAVIOUR)
        self.authenticated = False
        self.mode = "ask"
        self.answers: list[str] = []

    def auth_methods(self) -> list[Any]:
        if BEHAVIOUR != "auth":
            return []
        return [AuthMethodAgent(id="key", name="API key", description="set SCRIPTED_KEY")]

    async def authenticate(self, method_id: str, **kwargs: Any) -> None:
        self.authenticated = method_id == "key"

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        if BEHAVIOUR == "auth" and not self.authenticated:
            raise RequestError.auth_required()
        modes = None
        if BEHAVIOUR == "chat":
            modes = SessionModeState(
                current_mode_id=self.mode,
                available_modes=[
                    SessionMode(id="ask", name="Ask", description="asks before editing"),
                    SessionMode(id="code", name="Code"),
                ],
            )
        return NewSessionResponse(session_id=f"sess-{BEHAVIOUR}", modes=modes)

    async def set_session_mode(self, session_id: str, mode_id: str, **kwargs: Any) -> Any:
        self.mode = mode_id
        return SetSessionModeResponse()

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        text = prompt_text(prompt)
        turn = getattr(self, f"turn_{BEHAVIOUR}")
        stop = await turn(session_id, text)
        return stop if isinstance(stop, PromptResponse) else PromptResponse(stop_reason=stop)

    async def turn_chat(self, sid: str, text: str) -> str:
        commands = [AvailableCommand(name="review", description="Review the changes")]
        await self.conn.session_update(sid, update_available_commands(commands))
        await self.conn.session_update(sid, update_agent_thought_text("Thinking it over. "))
        await self.conn.session_update(
            sid, start_tool_call("call_1", "Read data.csv", kind="read", status="pending")
        )
        done = update_tool_call(
            "call_1", status="completed", content=[tool_content(text_block("a,b\n1,2"))]
        )
        await self.conn.session_update(sid, done)
        for part in ("You said: ", text, f" (mode {self.mode})"):
            await self.say(sid, part)
        return "end_turn"

    async def turn_permissions(self, sid: str, text: str) -> str:
        if text == "what did you get?":  # the answers of the turn before
            await self.say(sid, json.dumps(self.answers))
            return "end_turn"
        self.answers = []
        update = start_tool_call("call_1", "Edit a.py", kind="edit", raw_input={"path": "a.py"})
        await self.conn.session_update(sid, update)
        self.answers.append(await self.ask(sid, "call_1", "Edit a.py", kind="edit"))
        self.answers.append(await self.ask(sid, "call_2", "Delete b.py", kind="delete"))
        title = "Run a command never announced"
        self.answers.append(await self.ask(sid, "ghost", title, kind="execute"))
        self.answers.append(await self.ask(sid, "call_r", "Read c.py", kind="read"))
        await self.say(sid, json.dumps(self.answers))
        return "end_turn"

    async def turn_notebook(self, sid: str, text: str) -> str:
        where = [ToolCallLocation(path="/tmp/analysis.ipynb")]
        answer = await self.ask(sid, "call_nb", "Edit analysis.ipynb", kind="edit", locations=where)
        await self.say(sid, answer)
        return "end_turn"

    async def turn_files(self, sid: str, text: str) -> str:
        results = [await self.file_op(sid, op) for op in json.loads(text)]
        await self.say(sid, json.dumps(results))
        return "end_turn"

    async def file_op(self, sid: str, op: dict[str, Any]) -> dict[str, str]:
        try:
            if op["op"] == "read":
                got = await self.conn.read_text_file(
                    path=op["path"], session_id=sid, line=op.get("line"), limit=op.get("limit")
                )
                return {"ok": got.content}
            await self.conn.write_text_file(content=op["content"], path=op["path"], session_id=sid)
        except RequestError as exc:
            return {"error": json.dumps(exc.data)}
        return {"ok": "written"}

    async def turn_newer(self, sid: str, text: str) -> PromptResponse:
        wire = self.conn._conn  # the SDK's JSON-RPC connection: what its models cannot send

        async def update(**fields: Any) -> None:
            await wire.send_notification("session/update", {"sessionId": sid, "update": fields})

        await self.say(sid, "Before.")
        notice = {"severity": "warning", "title": "Rate limited", "description": "Retrying."}
        await update(sessionUpdate="notice", **notice)
        call = {"toolCallId": "call_n", "title": "Run ls", "name": "Bash", "kind": "execute"}
        await update(sessionUpdate="tool_call", status="pending", **call)
        listed = [{"type": "content", "content": {"type": "text", "text": "a.py"}}]
        await update(
            sessionUpdate="tool_call_update",
            toolCallId="call_n",
            status="completed",
            content=listed,
        )
        await update(sessionUpdate="compaction_update", compactionId="cmp_1", status="in_progress")
        kept = {"type": "text", "text": "Kept: the goal."}
        await update(sessionUpdate="compaction_summary_chunk", compactionId="cmp_1", content=kept)
        await update(sessionUpdate="compaction_update", compactionId="cmp_1", status="completed")
        await update(sessionUpdate="state_update", state="running")
        request_id = wire._next_request_id  # the id of the request sent next
        asked = asyncio.ensure_future(
            self.conn.request_permission(
                options=OPTIONS,
                session_id=sid,
                tool_call=ToolCallUpdate(tool_call_id="call_w", title="Delete b.py", kind="delete"),
            )
        )
        while wire._next_request_id == request_id:  # until the request is on its way
            await asyncio.sleep(0)
        await self.delivered(sid)  # the request has been read before it is withdrawn
        await wire.send_notification("$/cancel_request", {"requestId": request_id})
        answer = await asked
        cost = Cost(amount=0.25, currency="USD")
        await self.conn.session_update(
            sid, UsageUpdate(session_update="usage_update", used=900, size=8000, cost=cost)
        )
        await self.say(sid, f" After: {answer.outcome.outcome}.")
        usage = Usage(
            total_tokens=130,
            input_tokens=100,
            output_tokens=30,
            thought_tokens=12,
            cached_read_tokens=60,
        )
        return PromptResponse(stop_reason="end_turn", usage=usage)

    async def turn_cancel(self, sid: str, text: str) -> str:
        await self.say(sid, "working")
        await self.cancelled.wait()
        return "cancelled"

    async def turn_stubborn(self, sid: str, text: str) -> str:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(text, "w") as pid_file:  # the prompt is where to write the child's pid
            pid_file.write(str(child.pid))
        await self.say(sid, "working")
        await asyncio.sleep(600)  # cancel or not
        return "end_turn"

    async def delivered(self, sid: str) -> None:
        """Return once the client has read what this agent sent before: it answers a request
        (a file read it refuses) only after reading what came ahead of it on the pipe."""
        with contextlib.suppress(RequestError):
            await self.conn.read_text_file(path="/", session_id=sid)

    async def turn_crash(self, sid: str, text: str) -> str:
        await self.say(sid, "partial answer")
        await self.delivered(sid)  # the chunk has left before the process dies
        sys.stderr.write("boom: the scripted agent crashed\n")
        sys.stderr.flush()
        os._exit(3)

    async def turn_parting(self, sid: str, text: str) -> str:
        await self.say(sid, "goodbye")
        # Gone just after its answer is written: the client may see the exit with it.
        asyncio.get_running_loop().call_later(0.01, os._exit, 0)
        return "end_turn"

    async def turn_hangup(self, sid: str, text: str) -> str:
        await self.say(sid, "partial answer")
        await self.delivered(sid)  # the chunk has left before the pipe closes
        sys.stderr.write("closing stdout\n")
        sys.stderr.flush()
        os.close(1)  # the pipe closed, the process still running
        await asyncio.sleep(600)
        return "end_turn"


if __name__ == "__main__":
    if BEHAVIOUR == "mute":
        time.sleep(600)  # never reads stdin: initialize is never answered
    else:
        asyncio.run(acp.run_agent(Scripted()))
