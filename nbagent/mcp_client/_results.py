"""What a server returned, as a tool panel shows it: the text of a result's content blocks
(images and audio as data to show, links and embedded resources said in a line), its
``structuredContent`` beside them, a resource's contents, a prompt's messages."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nbagent.core.data import audio_bundle
from nbagent.core.data.images import image_from_bytes
from nbagent.mcp_client._types import McpLogEntry, McpResult

__all__ = ["as_tool_result", "log_text", "prompt_result", "read_result", "task_text"]

LOG_CHARS = 2000
"""Characters of a log message shown (a server may log a whole document)."""


def as_tool_result(result: McpResult) -> tuple[Any, list[dict[str, Any]] | None, bool]:
    """``(content, display bundles or None, is_error)`` for a ToolResult."""
    display: list[dict[str, Any]] = []
    texts = [_block_text(block, display) for block in result.content]
    text = "\n".join(texts)
    structured = result.structured
    if structured is None or _wraps(structured, text):
        return text, display or None, result.is_error
    # Servers put the same JSON in a text block (the spec asks them to): shown once.
    if not texts or _same_json(text, structured):
        return structured, display or None, result.is_error
    both = {"content": text, "structuredContent": structured}
    return both, display or None, result.is_error


def _wraps(structured: Any, text: str) -> bool:
    """``{"result": value}`` around the value the text says: how SDK servers return a plain
    value (a number, a string) as structured content; the text alone says it."""
    if not (isinstance(structured, dict) and len(structured) == 1):
        return False
    (value,) = structured.values()
    return text == value if isinstance(value, str) else _same_json(text, value)


def _block_text(block: dict[str, Any], display: list[dict[str, Any]]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in ("image", "audio"):
        mime = str(block.get("mimeType", ""))
        return _binary(kind, mime, str(block.get("data", "")), display)
    if kind == "resource_link":
        uri = str(block.get("uri", ""))
        return f"→ {block.get('name') or uri} ({uri})"
    if kind == "resource":
        resource = block.get("resource") or {}
        uri = str(resource.get("uri", ""))
        if "text" in resource:
            return f"{uri}:\n{resource['text']}"
        mime = str(resource.get("mimeType", ""))
        return _binary("blob", mime, str(resource.get("blob", "")), display) + f" {uri}"
    return json.dumps(block)


def _binary(kind: str, mime: str, b64: str, display: list[dict[str, Any]]) -> str:
    """A line for base64 data, and a display bundle when it is an image nbagent shows or a
    sound it plays."""
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return f"[{kind} {mime}: not valid base64]"
    line = f"[{kind} {mime}, {len(data):,} bytes]"
    if mime.lower().startswith("audio/"):
        bundle, line = audio_bundle(mime, data, line)
    else:
        image = image_from_bytes(data) if mime.startswith("image/") else None
        bundle = image.bundle() if image is not None else None
    if bundle is not None:
        bundle["data"]["text/plain"] = line
        display.append(bundle)
    return line


def _same_json(text: str, value: Any) -> bool:
    try:
        return bool(json.loads(text) == value)
    except ValueError:
        return False


def read_result(contents: list[dict[str, Any]]) -> McpResult:
    """A resource's contents as a result: embedded resources."""
    return McpResult(content=[{"type": "resource", "resource": c} for c in contents])


def prompt_result(messages: list[dict[str, Any]]) -> McpResult:
    """A prompt's messages as a result: a block per message, ``role:`` first."""
    blocks = []
    for m in messages:
        block = dict(m.get("content") or {})
        if block.get("type") == "text":
            block["text"] = f"{m.get('role', '')}: {block.get('text', '')}"
        blocks.append(block)
    return McpResult(content=blocks)


def log_text(entry: McpLogEntry, level: bool = True) -> str:
    """A log message as one bounded line (``level: [logger] data``)."""
    data = entry.data if isinstance(entry.data, str) else json.dumps(entry.data, default=str)
    if len(data) > LOG_CHARS:
        data = f"{data[:LOG_CHARS]}… ({len(data):,} characters)"
    who = f"[{entry.logger}] " if entry.logger else ""
    return f"{entry.level}: {who}{data}" if level else f"{who}{data}"


def task_text(task: dict[str, Any]) -> str:
    """A call's task in words, as its panel and status line say it: ``task t-1 · working:
    step 2 of 3``."""
    status = str(task.get("status", "")).replace("_", " ")
    message = task.get("message")
    return f"task {task.get('id', '')} · {status}" + (f": {message}" if message else "")
