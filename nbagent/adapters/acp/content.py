"""ACP content as the text nbagent shows: a message chunk's content block (text, or a short
mention of an image, audio, a resource), and a tool call's content (text, a diff as a unified
diff, a terminal by its id). Pure functions of the wire dicts (camelCase, as on the wire)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import int_or_none, list_or_empty, plain, str_or_none

__all__ = [
    "DIFF_LINES",
    "block_text",
    "diff_text",
    "locations",
    "terminal_ids",
    "terminal_text",
    "tool_content_text",
]


def block_text(block: Any) -> str:
    """A content block's text; what is not text as a bracketed mention (``[image:
    image/png]``, ``[resource: file:///x.py]``), so nothing is dropped silently."""
    if not isinstance(block, Mapping):
        return ""
    kind = block.get("type")
    if kind == "text":
        text = block.get("text")
        return text if isinstance(text, str) else ""
    if kind in ("image", "audio"):
        where = str_or_none(block.get("uri"))
        mime = str_or_none(block.get("mimeType")) or "unknown type"
        return f"[{kind}: {mime}{f' {where}' if where else ''}]"
    if kind == "resource_link":
        name = str_or_none(block.get("title")) or str_or_none(block.get("name")) or "resource"
        uri = str_or_none(block.get("uri"))
        return f"[{name}]({uri})" if uri else f"[{name}]"
    if kind == "resource":
        resource = block.get("resource")
        uri = str_or_none(resource.get("uri")) if isinstance(resource, Mapping) else None
        text = resource.get("text") if isinstance(resource, Mapping) else None
        head = f"[resource: {uri or 'embedded'}]"
        return f"{head}\n{text}" if isinstance(text, str) and text else head
    return f"[{kind if isinstance(kind, str) else 'content'}: {json.dumps(plain(block))[:200]}]"


DIFF_LINES = 20_000
"""Lines (before and after together) past which an edit is not compared line by line
(difflib's matching is not linear in them) but shown as all its old lines out and all its new
lines in: an agent's edit costs the kernel time linear in it."""


def diff_text(path: str, old: str | None, new: str) -> str:
    """A file edit as a unified diff; ``old`` None: a new file (``/dev/null`` before). The
    path stays as the agent sent it (absolute): the client makes it relative to its ``cwd``."""
    before = [] if old is None else old.splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    fromfile = "/dev/null" if old is None else path
    if len(before) + len(after) > DIFF_LINES:
        start = (1 if before else 0, 1 if after else 0)
        span = f"-{start[0]},{len(before)} +{start[1]},{len(after)}"
        head = f"--- {fromfile}\n+++ {path}\n@@ {span} @@\n"
        lines = [head, *("-" + ln for ln in before), *("+" + ln for ln in after)]
    else:
        lines = list(difflib.unified_diff(before, after, fromfile=fromfile, tofile=path))
    return "".join(ln if ln.endswith("\n") else ln + "\n" for ln in lines)


def terminal_text(update: Mapping[str, Any]) -> str:
    """An nbagent terminal item (``_nbagent/terminal``) as the text its panels show: its
    output in a fence, then whether it runs or how it ended."""
    name = str_or_none(update.get("terminalId")) or "terminal"
    output = update.get("output")
    output = output if isinstance(output, str) else ""
    fence = "```"
    while fence in output:  # a fence longer than any run of backticks in the output
        fence += "`"
    head = "[… earlier output not kept]\n" if update.get("truncated") is True else ""
    body = f"{fence}text\n{head}{output}{'' if output.endswith(chr(10)) else chr(10)}{fence}"
    status = update.get("exitStatus")
    if not isinstance(status, Mapping):
        return f"{body}\n[{name}: running]" if output else f"[{name}: running]"
    code, signal = int_or_none(status.get("exitCode")), str_or_none(status.get("signal"))
    end = f"killed by {signal}" if signal else f"exited with code {code}"
    return f"{body}\n[{name}: {end}]" if output else f"[{name}: {end}, no output]"


def terminal_ids(content: Any) -> list[str]:
    """The ids of the terminals a tool call's content list shows."""
    ids = (p.get("terminalId") for p in list_or_empty(content) if isinstance(p, Mapping))
    return [i for i in ids if isinstance(i, str)]


def tool_content_text(content: Any, terminals: Mapping[str, str] | None = None) -> str:
    """A tool call's content list as one text: each piece's text, a diff as a unified diff
    (in a ``diff`` fence), a terminal as its text in ``terminals`` (by id; else a mention of
    its id); pieces apart by a blank line."""
    parts: list[str] = []
    for piece in list_or_empty(content):
        if not isinstance(piece, Mapping):
            continue
        kind = piece.get("type")
        if kind == "content":
            text = block_text(piece.get("content"))
        elif kind == "diff":
            path = str_or_none(piece.get("path")) or "file"
            old, new = piece.get("oldText"), piece.get("newText")
            changes = diff_text(
                path, old if isinstance(old, str) else None, new if isinstance(new, str) else ""
            )
            text = f"```diff\n{changes}```" if changes else f"[no change: {path}]"
        elif kind == "terminal":
            terminal_id = str_or_none(piece.get("terminalId"))
            shown = (terminals or {}).get(terminal_id) if terminal_id else None
            text = shown or f"[terminal: {terminal_id or 'unknown'}]"
        else:
            text = block_text(piece)
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def locations(value: Any) -> list[str]:
    """A tool call's ``locations`` as ``path`` or ``path:line`` strings."""
    out: list[str] = []
    for loc in list_or_empty(value):
        path = str_or_none(loc.get("path")) if isinstance(loc, Mapping) else None
        if path is None:
            continue
        line = int_or_none(loc.get("line"))
        out.append(path if line is None else f"{path}:{line}")
    return out
