"""OpenAI Codex CLI rollout files, written by the real CLI (``codex exec``) against a scripted
Responses API.

The CLI (``tests/trace_agents/codex``, its native binary from the npm package) runs with
``CODEX_HOME`` in a new temporary folder whose ``config.toml`` names a model provider on a
``ScriptedAPI`` streaming the Responses API's server-sent events (``wire_api = "responses"``),
a dummy key, approvals off and no sandbox. The script, by the ``call_id`` of the tool outputs
each request carries:

main agent: a reasoning summary, text and ``exec_command`` (``wc -l notes.txt``: runs) ->
``exec_command`` (``cat todo.txt``: the command fails, exit 1) -> ``spawn_agent`` (a
sub-agent) -> ``wait_agent`` -> a reasoning summary and the answer, quoting the outputs.
sub-agent (its first message is ``SUB_PROMPT``): ``exec_command`` (``cat notes.txt``) -> its answer.

The session's files are copied from ``$CODEX_HOME/sessions/`` as the CLI left them.
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
CLI = ROOT / "tests" / "trace_agents" / "codex" / "node_modules" / ".bin" / "codex"
MODEL = "scripted-model"
PROMPT = (
    "How many lines does notes.txt have? Show todo.txt too, "
    "and spawn a sub-agent to summarise notes.txt."
)
CONFIG = """model = "{model}"
model_provider = "scripted"

[model_providers.scripted]
name = "Scripted Responses API"
base_url = "{base_url}/v1"
wire_api = "responses"
env_key = "SCRIPTED_API_KEY"
"""


def _reasoning(id_: str, text: str) -> dict[str, Any]:
    return {"type": "reasoning", "id": id_, "summary": [{"type": "summary_text", "text": text}]}


def _message(id_: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": id_,
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _call(
    call_id: str, name: str, arguments: dict[str, Any], namespace: str | None = None
) -> dict[str, Any]:
    item = {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": json.dumps(arguments),
        "status": "completed",
    }
    if namespace:
        item["namespace"] = namespace
    return item


def _events(
    response_id: str, items: list[dict[str, Any]], input_tokens: int
) -> list[tuple[str | None, Any]]:
    """One streamed response of the Responses API holding ``items``."""
    head = {"id": response_id, "object": "response", "model": MODEL, "status": "in_progress"}
    out = [event("response.created", response={**head, "output": []})]
    words = 0
    for index, item in enumerate(items):
        at = {"output_index": index}
        if item["type"] == "message":
            text = item["content"][0]["text"]
            words += len(text.split())
            started = {**item, "status": "in_progress", "content": []}
            out.append(event("response.output_item.added", **at, item=started))
            out.extend(
                event(
                    "response.output_text.delta",
                    **at,
                    item_id=item["id"],
                    content_index=0,
                    delta=piece,
                )
                for piece in re.findall(r"\S+\s*", text)
            )
        elif item["type"] == "reasoning":
            text = item["summary"][0]["text"]
            words += len(text.split())
            part = {"type": "summary_text", "text": ""}
            out.append(event("response.output_item.added", **at, item={**item, "summary": []}))
            out.append(
                event(
                    "response.reasoning_summary_part.added",
                    **at,
                    item_id=item["id"],
                    summary_index=0,
                    part=part,
                )
            )
            out.append(
                event(
                    "response.reasoning_summary_text.delta",
                    **at,
                    item_id=item["id"],
                    summary_index=0,
                    delta=text,
                )
            )
        else:
            words += 10
            started = {**item, "arguments": "", "status": "in_progress"}
            out.append(event("response.output_item.added", **at, item=started))
            out.append(
                event(
                    "response.function_call_arguments.delta",
                    **at,
                    item_id=item["id"],
                    delta=item["arguments"],
                )
            )
        out.append(event("response.output_item.done", **at, item=item))
    usage = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": words,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + words,
    }
    done = {**head, "status": "completed", "output": items, "usage": usage}
    out.append(event("response.completed", response=done))
    return out


def _outputs(items: list[dict[str, Any]]) -> dict[str, str]:
    found = {}
    for item in items:
        if item.get("type") == "function_call_output":
            output = item.get("output")
            found[item["call_id"]] = output if isinstance(output, str) else json.dumps(output)
    return found


def _said(output: str) -> str:
    """What a command printed: the part of ``exec_command``'s output after its ``Output:`` line."""
    return output.split("Output:\n", 1)[-1].strip()


def _user_text(items: list[dict[str, Any]]) -> str:
    return " ".join(
        part.get("text", "")
        for item in items
        if item.get("role") == "user"
        for part in item.get("content") or []
        if isinstance(part, dict)
    )


def _step(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    done = _outputs(items)
    said = _user_text(items)
    if SUB_PROMPT in said and PROMPT not in said:
        if "call_sub_cat" not in done:
            return [_call("call_sub_cat", "exec_command", {"cmd": "cat notes.txt"})]
        return [
            _message(
                "msg_sub_answer",
                "notes.txt is a short to-do list: buy milk, call the plumber, water the plants.",
            )
        ]
    if PROMPT not in said:
        return [_message("msg_other", "OK.")]
    if "call_wc" not in done:
        return [
            _reasoning("rs_count", "Counting the lines: `wc -l` answers that."),
            _message("msg_count", "Let me count the lines first."),
            _call("call_wc", "exec_command", {"cmd": "wc -l notes.txt"}),
        ]
    if "call_cat" not in done:
        return [_call("call_cat", "exec_command", {"cmd": "cat todo.txt"})]
    if "call_spawn" not in done:
        return [
            _call("call_spawn", "spawn_agent", {"message": SUB_PROMPT}, namespace="multi_agent_v1")
        ]
    if "call_wait" not in done:
        found = re.search(r'"(?:agent_id|id)"\s*:\s*"([^"]+)"', done["call_spawn"])
        target = found.group(1) if found else done["call_spawn"].strip()
        return [
            _call(
                "call_wait",
                "wait_agent",
                {"targets": [target], "timeout_ms": 60000},
                namespace="multi_agent_v1",
            )
        ]
    return [
        _reasoning("rs_answer", "I have the count, the failed cat and the sub-agent's summary."),
        _message(
            "msg_answer",
            f"`wc -l` says: {_said(done['call_wc'])}\n\n"
            f"`cat todo.txt` failed: {_said(done['call_cat'])}\n\n"
            f"The sub-agent's answer: {done['call_wait'].strip()[-300:]}",
        ),
    ]


def brain(request: dict[str, Any]) -> Answer:
    body = request["body"] if isinstance(request["body"], dict) else {}
    if not request["path"].split("?")[0].endswith("/responses"):
        return Answer(
            status=404,
            json={"error": {"message": f"no {request['path']} here", "type": "not_found"}},
        )
    items = body.get("input") or []
    count = sum(1 for _ in items)
    return Answer(
        events=_events(f"resp_scripted_{count}", _step(items), len(json.dumps(body)) // 4)
    )


def version() -> str:
    return cli_run.version(CLI)


def _prepare(home: Path, base_url: str) -> dict[str, str]:
    codex_home = home / "codex-home"
    codex_home.mkdir()
    config = CONFIG.format(model=MODEL, base_url=base_url)
    (codex_home / "config.toml").write_text(config, encoding="utf-8")
    return {"CODEX_HOME": str(codex_home), "SCRIPTED_API_KEY": "scripted-no-such-key"}


def record(out_dir: Path) -> list[Path]:
    """Run ``codex exec`` once; copy its ``sessions/YYYY/MM/DD/`` files into ``out_dir``."""
    flags = ["--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox"]
    argv = [str(CLI), "exec", *flags, PROMPT]
    keep = {"codex-home/sessions": "sessions"}
    return cli_run.run("codex", argv, lambda work: brain, _prepare, keep, out_dir)
