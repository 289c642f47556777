"""A scripted ACP agent that floods one prompt turn with updates (issue 36, "Scale"), written
with the SDK (``acp.run_agent``) and run over stdio by ``benchmarks/acp.py``:
``python benchmarks/acp_agent.py``; each prompt's text is the number of updates to send.

``updates(n)`` is the turn, the same on every run: for ``n`` = 10,000, 200 tool calls (a
start ``pending`` with its input, ``in_progress``, ``completed`` with content: 600 updates),
50 of them edits whose content is a diff of a 1,000-line file (a new file, or every tenth
line changed, alternately), a 10-entry plan sent 100 times as its entries advance, and the
rest message chunks (token-sized, ``benchmarks.corpus.token_deltas``), the first sixth of
each step's chunks thinking. Other sizes scale every count with ``n``. The agent sends them as
fast as the pipe takes them (each notification awaited, nothing else in between).
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Any

# Run as a script, its own directory comes first on the path, where ``acp`` is
# benchmarks/acp.py, not the SDK: the repository's root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != _HERE)]

import acp  # noqa: E402
from acp import text_block  # noqa: E402
from acp.helpers import (  # noqa: E402
    plan_entry,
    session_notification,
    start_tool_call,
    tool_content,
    tool_diff_content,
    update_agent_message_text,
    update_agent_thought_text,
    update_plan,
    update_tool_call,
)
from acp.schema import PromptResponse, ToolCallLocation  # noqa: E402

from benchmarks.corpus import token_deltas  # noqa: E402
from tests.acp_agents.agent_base import ScriptedAgent, prompt_text  # noqa: E402

__all__ = ["FILE_LINES", "PLAN_ENTRIES", "mix", "notifications", "updates"]

FILE_LINES = 1000
"""Lines of each edited file (each diff)."""
PLAN_ENTRIES = 10
KINDS = ("read", "search", "execute")
"""The kinds of the tool calls that are not edits, in turn."""


def mix(n: int) -> dict[str, int]:
    """How many of each update a turn of ``n`` updates sends (10,000: the issue's mix)."""
    calls, diffs, plans = max(1, n // 50), max(1, n // 200), max(1, n // 100)
    chunks = n - 3 * calls - plans
    if chunks < calls:
        raise ValueError(f"{n} updates are too few for the mix (at least 250)")
    return {"calls": calls, "diffs": diffs, "plans": plans, "chunks": chunks, "updates": n}


def _file(k: int, rng: random.Random, changed: bool) -> str:
    lines = []
    for i in range(FILE_LINES):
        factor = rng.randint(1, 99)  # drawn for every line: the old and new files agree
        if changed and i % 10 == 0:
            lines.append(f"    total_{i} = merge(frame_{k}, on='id_{i}', how='left')  # edited")
        else:
            lines.append(f"    value_{i} = compute({i}, factor={factor})")
    return "\n".join(lines) + "\n"


def _diff(k: int, root: str) -> Any:
    """The ``k``-th edit's content: a diff of a 1,000-line file, new when ``k`` is even."""
    path = f"{root}/src/module_{k}.py"
    old = _file(k, random.Random(k), changed=False)
    new = _file(k, random.Random(k), changed=k % 2 == 1)
    return path, tool_diff_content(path, new, None if k % 2 == 0 else old)


def _plan(done: int) -> Any:
    entries = []
    for i in range(PLAN_ENTRIES):
        status = "completed" if i < done else "in_progress" if i == done else "pending"
        priority = ("high", "medium", "low")[i % 3]
        entries.append(
            plan_entry(f"Step {i + 1}: profile and fix part {i}", priority=priority, status=status)
        )  # type: ignore[arg-type]
    return update_plan(entries)


def _call(s: int, diff_k: int | None, root: str) -> list[Any]:
    """Tool call ``s``'s three updates: an edit (diff ``diff_k``) or a read, search, command."""
    cid = f"call_{s}"
    if diff_k is not None:
        path, content = _diff(diff_k, root)
        where = [ToolCallLocation(path=path, line=1)]
        start = start_tool_call(
            cid, f"Edit {path}", kind="edit", status="pending", locations=where,
            raw_input={"path": path},
        )  # fmt: skip
        done = update_tool_call(cid, status="completed", content=[content])
    else:
        kind = KINDS[s % len(KINDS)]
        path = f"{root}/data/part_{s}.csv"
        start = start_tool_call(
            cid, f"{kind.title()} {path}", kind=kind, status="pending", raw_input={"path": path}
        )
        rows = "\n".join(f"{s},{i},{i * s % 97}" for i in range(5))
        output = tool_content(text_block(f"id,row,value\n{rows}"))
        done = update_tool_call(cid, status="completed", content=[output])
    return [start, update_tool_call(cid, status="in_progress"), done]


def updates(n: int, root: str = "/project") -> list[Any]:
    """The turn's ``n`` updates (SDK objects), in order; paths under ``root``."""
    m = mix(n)
    calls, diffs, plans = m["calls"], m["diffs"], m["plans"]
    tokens = iter(token_deltas(m["chunks"], seed=36))
    out: list[Any] = []
    for s in range(calls):
        # The chunks and plans of step s: an even share of each, the remainder in the last.
        share = m["chunks"] * (s + 1) // calls - m["chunks"] * s // calls
        thinking = share // 6
        out += [update_agent_thought_text(next(tokens)) for _ in range(thinking)]
        out += [update_agent_message_text(next(tokens)) for _ in range(share - thinking)]
        diff_k = s * diffs // calls if (s + 1) * diffs // calls > s * diffs // calls else None
        out += _call(s, diff_k, root)
        for p in range(plans * s // calls, plans * (s + 1) // calls):
            out.append(_plan(PLAN_ENTRIES * (p + 1) // plans))
    assert len(out) == n, (len(out), n)
    return out


def notifications(n: int, root: str = "/project", session_id: str = "sess-flood") -> list[Any]:
    """The same turn as items of a run (``format="acp"``): the session's notifications, then
    the prompt's response, as ``nbagent.acp``'s reader hands them over."""
    items: list[Any] = [session_notification(session_id, u) for u in updates(n, root)]
    return [*items, PromptResponse(stop_reason="end_turn")]


class Flood(ScriptedAgent):
    """The agent (session ``sess-flood``): every prompt sends ``updates(int(prompt text))``
    in the session's ``cwd``, then ends its turn."""

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        n = int(prompt_text(prompt).strip())
        for update in updates(n, self.cwd.rstrip("/")):
            await self.conn.session_update(session_id, update)
        return PromptResponse(stop_reason="end_turn")


if __name__ == "__main__":
    asyncio.run(acp.run_agent(Flood("flood")))
