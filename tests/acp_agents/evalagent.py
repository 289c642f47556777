"""A scripted ACP agent for evaluations and chats, written with the SDK (``acp.run_agent``), run
over stdio by tests/frameworks/test_acp_evaluate.py and test_acp_chat.py:
``python evalagent.py [close]`` (``close``: it advertises ``session/close`` and takes it).

Every ``session/new`` opens a session of its own (``sess-1``, ``sess-2``, ...) that counts its
prompts; its prompts run side by side with other sessions'. A prompt is answered
``<session> #<n>: <THE PROMPT IN CAPITALS>``, except:

- a prompt that contains ``permission`` announces a tool call (``call_perm``, an edit), asks
  permission for it with the four usual options and answers which option it got (``got no``);
  the call ends ``failed`` when refused, ``completed`` when allowed, as agents report it;
  ``permission for <x>``: the same, answered ``<session>: got <option> for <x>``;
- ``meet <n> within <s>: <rest>``: waits until ``n`` such prompts came (in any sessions; each
  waits, so all ``n`` are in flight at once), ``s`` seconds at most, then goes on with
  ``<rest>`` as the prompt; when they did not all come it answers ``met only <k> of <n>``;
- ``wait``: says ``working``, then waits for ``session/cancel`` and ends the turn cancelled;
- ``ignore cancel``: says ``working``, then waits for ``session/cancel`` and never ends the
  turn (nbagent kills it);
- ``terminal <path>``: runs a command in a terminal (the client's ``terminal/create``) shown in
  a tool call (``call_term``): it prints ``child of <path's name>``, writes its pid to
  ``<path>`` and sleeps; the agent says ``working`` and waits for ``session/cancel`` as
  ``wait`` does;
- ``stray <n>``: waits until ``n`` such prompts came, prints a line that is not JSON-RPC on its
  stdout (``stray from <session>``), waits until all ``n`` printed theirs (so each line comes
  while all ``n`` turns run), then answers ``<session> strayed``;
- ``question <n>``: the same, but asks the user (``elicitation/create``) in request mode,
  which names no session, where ``stray`` prints, and answers ``<session> got <action>``;
- ``keep open``: answered as any prompt, and its session refuses ``session/close`` (an
  internal error);
- ``sessions``: answers, as JSON, the sessions that got ``session/cancel`` and those asked to
  close (``session/close``; refused without ``close``, and so is a prompt to a closed one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections import Counter
from typing import Any

import acp
from acp.helpers import (
    start_tool_call,
    tool_terminal_ref,
    update_agent_message_text,
    update_tool_call,
)
from acp.schema import (
    AgentCapabilities,
    CloseSessionResponse,
    ElicitationFormRequestMode,
    ElicitationSchema,
    InitializeResponse,
    NewSessionResponse,
    PermissionOption,
    PromptResponse,
    SessionCapabilities,
    SessionCloseCapabilities,
    ToolCallUpdate,
)

CLOSES = sys.argv[1:] == ["close"]
CHILD = (
    "import os, sys, time\n"
    "print('child of', os.path.basename(sys.argv[1]), flush=True)\n"
    "open(sys.argv[1] + '.tmp', 'w').write(f'{os.getpid()}\\n')\n"
    "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
    "time.sleep(600)\n"
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
        self.cancels: list[str] = []
        self.closed: list[str] = []
        self.kept: set[str] = set()
        self.meetings: Counter[str] = Counter()
        self.met = asyncio.Condition()

    def on_connect(self, conn: Any) -> None:
        self.conn = conn

    async def initialize(self, protocol_version: int, **kwargs: Any) -> InitializeResponse:
        sessions = SessionCapabilities(close=SessionCloseCapabilities() if CLOSES else None)
        return InitializeResponse(
            protocol_version=protocol_version,
            agent_capabilities=AgentCapabilities(session_capabilities=sessions),
        )

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        self.sessions += 1
        sid = f"sess-{self.sessions}"
        self.cancelled[sid] = asyncio.Event()
        return NewSessionResponse(session_id=sid)

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        self.cancels.append(session_id)
        self.cancelled[session_id].set()

    async def close_session(self, session_id: str, **kwargs: Any) -> CloseSessionResponse:
        self.closed.append(session_id)  # asked: told by "sessions", advertised or not
        if not CLOSES:
            raise acp.RequestError.method_not_found("session/close")
        if session_id in self.kept:
            raise acp.RequestError.internal_error({"message": f"{session_id} is busy"})
        return CloseSessionResponse()

    async def meet(self, n: int, within: float, name: str = "meet") -> int:
        """Wait until ``n`` prompts have come to the meeting ``name`` (``within`` seconds at
        most; each waits here, so they are all in flight then): how many came."""
        async with self.met:
            self.meetings[name] += 1
            self.met.notify_all()
            with contextlib.suppress(asyncio.TimeoutError):
                came = self.met.wait_for(lambda: self.meetings[name] >= n)
                await asyncio.wait_for(came, within)
            return self.meetings[name]

    async def say(self, sid: str, text: str) -> None:
        await self.conn.session_update(sid, update_agent_message_text(text))

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        sid = session_id
        if sid in self.closed:
            raise acp.RequestError.invalid_params({"message": f"{sid} is closed"})
        text = "".join(getattr(block, "text", "") for block in prompt)
        self.prompts[sid] += 1
        if text.startswith("meet "):
            head, text = text.split(": ", 1)
            n, within = int(head.split()[1]), float(head.split()[3])
            met = await self.meet(n, within)
            if met < n:
                await self.say(sid, f"met only {met} of {n}")
                return PromptResponse(stop_reason="end_turn")
        if text.startswith(("stray ", "question ")):
            await self.say(sid, await self.together(sid, text))
            return PromptResponse(stop_reason="end_turn")
        if text == "keep open":
            self.kept.add(sid)
        if text == "sessions":
            await self.say(sid, json.dumps({"cancelled": self.cancels, "closed": self.closed}))
            return PromptResponse(stop_reason="end_turn")
        if text == "ignore cancel":
            await self.say(sid, "working")
            await self.cancelled[sid].wait()
            await asyncio.sleep(600)  # cancelled or not: nbagent kills it
        if text.startswith("terminal "):
            await self.terminal(sid, text.split(" ", 1)[1])
        if text == "wait" or text.startswith("terminal "):
            await self.say(sid, "working")
            await self.cancelled[sid].wait()
            self.cancelled[sid].clear()
            return PromptResponse(stop_reason="cancelled")
        if "permission" in text:
            await self.ask(sid, text)
            return PromptResponse(stop_reason="end_turn")
        await self.say(sid, f"{sid} #{self.prompts[sid]}: ")
        await self.say(sid, text.upper())
        return PromptResponse(stop_reason="end_turn")

    async def together(self, sid: str, text: str) -> str:
        """``stray <n>`` and ``question <n>``: what each of ``n`` turns running at once does."""
        what, n = text.split()[0], int(text.split()[1])
        await self.meet(n, 20, f"{what} before")
        if what == "stray":
            sys.stdout.write(f"stray from {sid}\n")  # the SDK drains each message it writes
            sys.stdout.flush()
            said = f"{sid} strayed"
        else:
            schema = ElicitationSchema.model_validate({"type": "object", "properties": {}})
            mode = ElicitationFormRequestMode(request_id=sid, requested_schema=schema)
            got = await self.conn.create_elicitation(message=f"Go on, {sid}?", mode=mode)
            said = f"{sid} got {got.action}"
        await self.meet(n, 20, f"{what} after")
        return said

    async def terminal(self, sid: str, path: str) -> None:
        args = ["-c", CHILD, path]
        made = await self.conn.create_terminal(command=sys.executable, args=args, session_id=sid)
        shown = [tool_terminal_ref(made.terminal_id)]
        start = start_tool_call("call_term", "Run child", kind="execute", content=shown)
        await self.conn.session_update(sid, start)

    async def ask(self, sid: str, text: str) -> None:
        start = start_tool_call("call_perm", "Edit a.py", kind="edit", status="pending")
        await self.conn.session_update(sid, start)
        call = ToolCallUpdate(tool_call_id="call_perm", title="Edit a.py", kind="edit")
        answer = await self.conn.request_permission(options=OPTIONS, session_id=sid, tool_call=call)
        got = getattr(answer.outcome, "option_id", None) or answer.outcome.outcome
        status = "completed" if got in ("yes", "always") else "failed"
        await self.conn.session_update(sid, update_tool_call("call_perm", status=status))
        mine = text.split("permission for ", 1)
        await self.say(sid, f"got {got}" if len(mine) == 1 else f"{sid}: got {got} for {mine[1]}")


if __name__ == "__main__":
    # Unstable in ACP: session/close (routed by the SDK only with it; told apart by CLOSES).
    asyncio.run(acp.run_agent(EvalAgent(), use_unstable_protocol=True))
