"""Claude Code's session files, written by the real CLI (``claude -p``) against a scripted
Anthropic API.

The CLI (``tests/trace_agents/claude-code``, its native binary from the npm package) runs
headless with ``HOME`` in a new temporary folder, a dummy key and ``ANTHROPIC_BASE_URL`` on a
``ScriptedAPI`` that streams the Messages API's server-sent events. The script, by what each
request holds (the ids of the tool results it carries):

main agent: thinking, text and ``Bash`` (``wc -l notes.txt``: runs) -> thinking and ``Read``
of a file that is not there (the tool's error) -> ``Agent`` (a sub-agent, in the foreground)
-> thinking and the answer, quoting what the tools returned.
sub-agent (its first message is ``SUB_PROMPT``): ``Read`` of notes.txt -> its answer.

Any other request (the CLI's own side calls, if any) gets a short text. The session's files are
copied from ``~/.claude/projects/`` as the CLI left them (sub-agents' files included).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.trace_recording import cli_run
from tests.trace_recording.cli_run import SUB_PROMPT
from tests.trace_recording.scripted_api import Answer, event

ROOT = Path(__file__).resolve().parents[2]
CLI = (
    ROOT
    / "tests"
    / "trace_agents"
    / "claude-code"
    / "node_modules"
    / "@anthropic-ai"
    / "claude-code"
    / "bin"
    / "claude.exe"
)
PROMPT = (
    "How many lines does notes.txt have? Check todo.txt too, "
    "and have a sub-agent summarise notes.txt."
)
SIGNATURE = "c2NyaXB0ZWQtdGhpbmtpbmctc2lnbmF0dXJl"
"""A thinking block's signature: opaque to the CLI, which stores it as it came."""


def _events(
    model: str, blocks: list[dict[str, Any]], stop: str, input_tokens: int
) -> list[tuple[str | None, Any]]:
    """One streamed message of the Messages API holding ``blocks``."""
    usage = {
        "input_tokens": input_tokens,
        "output_tokens": 1,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
    }
    message = {
        "id": f"msg_scripted_{input_tokens}", "type": "message", "role": "assistant",
        "model": model, "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage,
    }  # fmt: skip
    out = [event("message_start", message=message)]
    words = 0
    for index, block in enumerate(blocks):
        kind = block["type"]
        if kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": block["thinking"]},
                {"type": "signature_delta", "signature": SIGNATURE},
            ]
            words += len(block["thinking"].split())
        elif kind == "text":
            start = {"type": "text", "text": ""}
            pieces = re.findall(r"\S+\s*", block["text"])
            deltas = [{"type": "text_delta", "text": piece} for piece in pieces]
            words += len(pieces)
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
            words += 10
        out.append(event("content_block_start", index=index, content_block=start))
        out.extend(event("content_block_delta", index=index, delta=d) for d in deltas)
        out.append(event("content_block_stop", index=index))
    stopped = {"stop_reason": stop, "stop_sequence": None}
    out.append(event("message_delta", delta=stopped, usage={"output_tokens": words}))
    out.append(event("message_stop"))
    return out


def _results(messages: list[dict[str, Any]]) -> dict[str, str]:
    """The tool results the conversation holds, by tool_use id, as text."""
    found: dict[str, str] = {}
    for message in messages:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if block.get("type") == "tool_result":
                inner = block.get("content")
                text = (
                    inner
                    if isinstance(inner, str)
                    else " ".join(
                        part.get("text", "") for part in inner or [] if isinstance(part, dict)
                    )
                )
                found[block["tool_use_id"]] = text
    return found


def _first_text(messages: list[dict[str, Any]]) -> str:
    content = messages[0].get("content") if messages else ""
    if isinstance(content, str):
        return content
    return " ".join(
        b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"
    )


def _thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": text}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _tool(id_: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": id_, "name": name, "input": arguments}


def _step(body: dict[str, Any], work: Path) -> tuple[list[dict[str, Any]], str]:
    messages = body.get("messages") or []
    done = _results(messages)
    if SUB_PROMPT in _first_text(messages):
        if "toolu_sub_read" not in done:
            return [
                _tool("toolu_sub_read", "Read", {"file_path": str(work / "notes.txt")})
            ], "tool_use"
        return [
            _text("notes.txt is a short to-do list: buy milk, call the plumber, water the plants.")
        ], "end_turn"
    if PROMPT not in _first_text(messages) and not any(PROMPT in json.dumps(m) for m in messages):
        return [_text("OK.")], "end_turn"
    if "toolu_main_bash" not in done:
        return [
            _thinking("The user asks for a line count: wc -l answers that."),
            _text("Let me count the lines first."),
            _tool(
                "toolu_main_bash",
                "Bash",
                {"command": "wc -l notes.txt", "description": "Count lines in notes.txt"},
            ),
        ], "tool_use"
    if "toolu_main_read" not in done:
        return [
            _thinking("Now todo.txt, which may not exist."),
            _tool("toolu_main_read", "Read", {"file_path": str(work / "todo.txt")}),
        ], "tool_use"
    if "toolu_main_agent" not in done:
        return [
            _tool(
                "toolu_main_agent",
                "Agent",
                {
                    "description": "Summarise the notes",
                    "prompt": SUB_PROMPT,
                    "subagent_type": "general-purpose",
                    "run_in_background": False,
                },
            )
        ], "tool_use"
    count = done["toolu_main_bash"].strip().split("\n")[0]
    return [
        _thinking("I have the count, the missing file's error and the summary."),
        _text(
            f"`wc -l` says: {count}. "
            f"todo.txt could not be read ({done['toolu_main_read'].strip()[:80]}). "
            f"The sub-agent's summary: {done['toolu_main_agent'].strip()[:200]}"
        ),
    ], "end_turn"


def brain_for(work: Path) -> Any:
    def brain(request: dict[str, Any]) -> Answer:
        body = request["body"] if isinstance(request["body"], dict) else {}
        path = request["path"].split("?")[0]
        if path.endswith("/count_tokens"):
            return Answer(json={"input_tokens": len(json.dumps(body)) // 4})
        if not path.endswith("/v1/messages"):
            return Answer(
                status=404,
                json={"type": "error", "error": {"type": "not_found_error", "message": path}},
            )
        blocks, stop = _step(body, work)
        events = _events(body.get("model", "claude"), blocks, stop, len(json.dumps(body)) // 4)
        if body.get("stream"):
            return Answer(events=events)
        return Answer(
            json={
                "id": "msg_scripted",
                "type": "message",
                "role": "assistant",
                "model": body.get("model"),
                "content": blocks,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": len(json.dumps(body)) // 4, "output_tokens": 5},
            }
        )

    return brain


def version() -> str:
    return cli_run.version(CLI)


def _prepare(home: Path, base_url: str) -> dict[str, str]:
    return {
        "IS_SANDBOX": "1",
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-ant-scripted-no-such-key",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
    }


def record(out_dir: Path) -> list[Path]:
    """Run the CLI once; copy its ``~/.claude/projects/`` into ``out_dir/projects``."""
    argv = [str(CLI), "-p", PROMPT, "--output-format", "json", "--allowedTools", "Bash,Read,Agent"]
    keep = {".claude/projects": "projects"}
    return cli_run.run("claude", argv, brain_for, _prepare, keep, out_dir)
