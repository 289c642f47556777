"""Gemini CLI's chat session files, written by the real CLI (``gemini -p``) against a scripted
Gemini API.

The CLI (``tests/trace_agents/gemini-cli``) runs headless with ``HOME`` in a new temporary
folder whose ``~/.gemini/settings.json`` selects API-key auth (a dummy key), with
``GOOGLE_GEMINI_BASE_URL`` (the base URL the CLI honours for the Gemini API; plain http is
allowed for 127.0.0.1) on a ``ScriptedAPI`` streaming ``streamGenerateContent?alt=sse``, tools
approved (``--yolo``) and the folder trusted (``GEMINI_CLI_TRUST_WORKSPACE``). The script, by
the function responses each request carries:

main agent: a thought, text and ``run_shell_command`` (``wc -l notes.txt``: runs) ->
``read_file`` of a file that is not there (the tool's error) -> ``invoke_agent`` (the
``generalist`` sub-agent) -> a thought and the answer, quoting what the tools returned.
sub-agent (its first message holds ``SUB_PROMPT``): ``read_file`` of notes.txt -> its answer
(through ``complete_task`` when the sub-agent is given that tool).

The CLI's side calls that ask for JSON (its model router's classifier, ...) get an object of
the schema they send. The session's files are copied from ``~/.gemini/tmp/`` as the CLI left them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.trace_recording import cli_run
from tests.trace_recording.cli_run import SUB_PROMPT
from tests.trace_recording.scripted_api import Answer

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "tests" / "trace_agents" / "gemini-cli" / "node_modules" / ".bin" / "gemini"
PROMPT = (
    "How many lines does notes.txt have? Check todo.txt too, "
    "and have the generalist sub-agent summarise notes.txt."
)
SUMMARY = "notes.txt is a short to-do list: buy milk, call the plumber, water the plants."
SIGNATURE = "c2NyaXB0ZWQtdGhvdWdodC1zaWduYXR1cmU="
SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "privacy": {"usageStatisticsEnabled": False},
    "experimental": {"enableAgents": True},
}


def _json_for(schema: dict[str, Any]) -> Any:
    """A value of ``schema`` (the side calls' ``responseJsonSchema``)."""
    kind = str(schema.get("type", "")).upper()
    if "enum" in schema:
        return "user" if "user" in schema["enum"] else schema["enum"][0]
    if kind == "OBJECT":
        return {key: _json_for(sub) for key, sub in schema.get("properties", {}).items()}
    if kind == "ARRAY":
        return []
    if kind in ("INTEGER", "NUMBER"):
        return 10
    if kind == "BOOLEAN":
        return False
    return "scripted"


def _responses(contents: list[dict[str, Any]]) -> dict[str, str]:
    found = {}
    for content in contents:
        for part in content.get("parts") or []:
            if "functionResponse" in part:
                found[part["functionResponse"]["name"]] = json.dumps(
                    part["functionResponse"].get("response")
                )
    return found


def _said(response: str) -> str:
    """A function response's text: its ``output``, or its ``error``."""
    data = json.loads(response)
    found = data.get("output", data.get("error", response)) if isinstance(data, dict) else response
    return str(found).replace("<untrusted_context>", "").replace("</untrusted_context>", "").strip()


def _user_text(contents: list[dict[str, Any]]) -> str:
    return " ".join(
        part.get("text", "")
        for content in contents
        if content.get("role") == "user"
        for part in content.get("parts") or []
    )


def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"functionCall": {"name": name, "args": args}, "thoughtSignature": SIGNATURE}


def _step(body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The parts of the answer, one list per streamed chunk."""
    contents = body.get("contents") or []
    done = _responses(contents)
    said = _user_text(contents)
    tools = {
        f["name"] for t in body.get("tools") or [] for f in t.get("functionDeclarations") or []
    }
    if SUB_PROMPT in said and PROMPT not in said:
        if "read_file" not in done:
            return [[_call("read_file", {"file_path": "notes.txt"})]]
        if "complete_task" in tools and "complete_task" not in done:
            return [[_call("complete_task", {"result": {"response": SUMMARY}})]]
        return [[{"text": SUMMARY}]]
    if PROMPT not in said:
        return [[{"text": "OK."}]]
    if "run_shell_command" not in done:
        return [
            [
                {
                    "text": "**Counting lines**\n\nThe user wants a line count; wc -l gives it.",
                    "thought": True,
                }
            ],
            [{"text": "Let me count the lines first."}],
            [
                _call(
                    "run_shell_command",
                    {"command": "wc -l notes.txt", "description": "Count the lines of notes.txt"},
                )
            ],
        ]
    if "read_file" not in done:
        return [
            [
                {
                    "text": "**Checking todo.txt**\n\nNow todo.txt, which may not exist.",
                    "thought": True,
                }
            ],
            [_call("read_file", {"file_path": "todo.txt"})],
        ]
    if "invoke_agent" not in done:
        return [[_call("invoke_agent", {"agent_name": "generalist", "prompt": SUB_PROMPT})]]
    return [
        [
            {
                "text": "**Answering**\n\n"
                "I have the count, the missing file's error and the summary.",
                "thought": True,
            }
        ],
        [{"text": f"wc -l says: {_said(done['run_shell_command'])}\n\n"}],
        [{"text": f"todo.txt could not be read: {_said(done['read_file'])}\n\n"}],
        [{"text": f"The sub-agent's summary: {_said(done['invoke_agent'])}"}],
    ]


def _chunk(
    parts: list[dict[str, Any]], model: str, last: bool, prompt_tokens: int
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    chunk: dict[str, Any] = {
        "candidates": [candidate],
        "modelVersion": model,
        "responseId": f"scripted-{prompt_tokens}",
    }
    if last:
        candidate["finishReason"] = "STOP"
        chunk["usageMetadata"] = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": 12,
            "thoughtsTokenCount": 9,
            "totalTokenCount": prompt_tokens + 21,
        }
    return chunk


def brain(request: dict[str, Any]) -> Answer:
    body = request["body"] if isinstance(request["body"], dict) else {}
    path = request["path"].split("?")[0]
    model = path.rsplit("/", 1)[-1].split(":")[0]
    tokens = len(json.dumps(body)) // 4
    if path.endswith(":countTokens"):
        return Answer(json={"totalTokens": tokens})
    schema = (body.get("generationConfig") or {}).get("responseJsonSchema")
    if schema is not None:
        chunks = [[{"text": json.dumps(_json_for(schema))}]]
    elif "generateContent" in path or "streamGenerateContent" in path:
        chunks = _step(body)
    else:
        return Answer(
            status=404,
            json={"error": {"code": 404, "message": f"no {path}", "status": "NOT_FOUND"}},
        )
    frames = [_chunk(parts, model, i == len(chunks) - 1, tokens) for i, parts in enumerate(chunks)]
    if path.endswith(":streamGenerateContent"):
        return Answer(events=[(None, frame) for frame in frames])
    merged = [part for parts in chunks for part in parts]
    return Answer(json=_chunk(merged, model, True, tokens))


def version() -> str:
    return cli_run.version(CLI)


def _prepare(home: Path, base_url: str) -> dict[str, str]:
    (home / ".gemini").mkdir()
    settings = json.dumps(SETTINGS, indent=2)
    (home / ".gemini" / "settings.json").write_text(settings, encoding="utf-8")
    return {
        "NO_COLOR": "1",
        "GEMINI_API_KEY": "scripted-no-such-key",
        "GOOGLE_GEMINI_BASE_URL": base_url,
        "GEMINI_CLI_TRUST_WORKSPACE": "true",
    }


def record(out_dir: Path) -> list[Path]:
    """Run ``gemini -p`` once; copy its ``~/.gemini/tmp/`` (the chats) into ``out_dir/tmp``."""
    argv = [str(CLI), "-p", PROMPT, "--yolo"]
    keep = {".gemini/tmp": "tmp"}
    return cli_run.run("gemini", argv, lambda work: brain, _prepare, keep, out_dir)
