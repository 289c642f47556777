"""A scripted ACP agent that uses the client's terminals and prints on stdout, written with the
SDK (``acp.run_agent``), run over stdio by tests/frameworks/test_acp_terminals.py:
``python terminals.py <behaviour>``.

Behaviours:

- ``run``: the prompt is a JSON list of commands, ``{"args": [...], "limit": N, "env": {...},
  "cwd": ...}`` (run with this Python; ``{"command": "a shell line"}`` without args), each in
  a terminal shown in a tool call of its own (``call_1``, ...): it waits for the exit, reads
  the output and answers with a JSON list of ``{"exit", "signal", "output", "truncated"}`` (or
  ``{"error": data}`` when a request is refused); a command with ``"release": true`` is
  released (not waited for) once it printed its first line.
- ``long``: starts the prompt's command in a terminal, shows it, says "running", then waits for
  ``session/cancel`` (and answers ``cancelled``).
- ``stray``: says "before", prints two lines that are not JSON-RPC on its stdout (text, then a
  JSON array), says " after".
- ``ask``: asks the user twice (``elicitation/create``, form mode): in the tool call ``call_q``
  it announced, then in none; answers with what it got, as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import acp
from acp import RequestError
from acp.helpers import start_tool_call, tool_terminal_ref, update_tool_call
from acp.schema import (
    ElicitationFormSessionMode,
    ElicitationSchema,
    EnvVariable,
    PromptResponse,
)
from agent_base import ScriptedAgent, prompt_text

BEHAVIOUR = sys.argv[1] if len(sys.argv) > 1 else "run"


class Terminals(ScriptedAgent):
    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        text = prompt_text(prompt)
        turn = getattr(self, f"turn_{BEHAVIOUR}")
        return PromptResponse(stop_reason=await turn(session_id, text))

    async def show(self, sid: str, call_id: str, terminal_id: str) -> None:
        content = [tool_terminal_ref(terminal_id)]
        start = start_tool_call(
            call_id, "Run a command", kind="execute", status="in_progress", content=content
        )
        await self.conn.session_update(sid, start)

    async def turn_run(self, sid: str, text: str) -> str:
        results = [
            await self.run_one(sid, f"call_{i}", command)
            for i, command in enumerate(json.loads(text), 1)
        ]
        await self.say(sid, json.dumps(results))
        return "end_turn"

    async def run_one(self, sid: str, call_id: str, command: dict[str, Any]) -> dict[str, Any]:
        try:
            created = await self.conn.create_terminal(
                command=command.get("command", sys.executable),
                args=command.get("args"),
                session_id=sid,
                cwd=command.get("cwd"),
                env=[EnvVariable(name=k, value=v) for k, v in command.get("env", {}).items()],
                output_byte_limit=command.get("limit"),
            )
        except RequestError as exc:
            return {"error": exc.data, "offered": self.terminals}
        tid = created.terminal_id
        await self.show(sid, call_id, tid)
        if command.get("release"):
            while not (await self.conn.terminal_output(session_id=sid, terminal_id=tid)).output:
                await asyncio.sleep(0.05)
            await self.conn.release_terminal(session_id=sid, terminal_id=tid)
            try:
                await self.conn.terminal_output(session_id=sid, terminal_id=tid)
            except RequestError as exc:
                return {"released": exc.data}
            return {"released": "still there"}
        exited = await self.conn.wait_for_terminal_exit(session_id=sid, terminal_id=tid)
        got = await self.conn.terminal_output(session_id=sid, terminal_id=tid)
        status = "completed" if exited.exit_code == 0 else "failed"
        await self.conn.session_update(sid, update_tool_call(call_id, status=status))
        return {
            "exit": exited.exit_code,
            "signal": exited.signal,
            "output": got.output,
            "truncated": got.truncated,
        }

    async def turn_long(self, sid: str, text: str) -> str:
        created = await self.conn.create_terminal(
            command=sys.executable, args=["-c", text], session_id=sid
        )
        await self.show(sid, "call_long", created.terminal_id)
        await self.say(sid, "running")
        await self.cancelled.wait()
        return "cancelled"

    async def turn_stray(self, sid: str, text: str) -> str:
        await self.say(sid, "before")  # written once this returns (the SDK drains)
        sys.stdout.write("Loading model weights... done\n")  # what a careless library prints
        sys.stdout.write("[1, 2]\n")  # JSON, but no JSON-RPC message
        sys.stdout.flush()
        await self.say(sid, " after")
        return "end_turn"

    async def turn_ask(self, sid: str, text: str) -> str:
        await self.conn.session_update(sid, start_tool_call("call_q", "Set up", kind="other"))
        schema = ElicitationSchema.model_validate(
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "title": "Name"},
                    "count": {"type": "integer", "default": 2},
                },
                "required": ["name"],
            }
        )
        answers = []
        for call_id in ("call_q", None):
            mode = ElicitationFormSessionMode(
                session_id=sid, tool_call_id=call_id, requested_schema=schema
            )
            got = await self.conn.create_elicitation(message="Who are you?", mode=mode)
            answers.append(got.model_dump(exclude_none=True))
        await self.say(sid, json.dumps(answers))
        return "end_turn"


if __name__ == "__main__":
    asyncio.run(acp.run_agent(Terminals(BEHAVIOUR)))
