"""``ClaudeCodeAdapter``: Claude Code's session files (``~/.claude/projects/<project>/
<session>.jsonl`` and its sub-agents' ``<session>/subagents/agent-<id>.jsonl``) → events.

Each line is a record with a ``type``. ``user``: the prompt (a string, or ``text`` blocks) is a
``user`` block, ``tool_result`` blocks are the results of the calls they name (``is_error``);
a record the CLI marks ``isMeta`` (text it injected) is skipped, one marked
``isCompactSummary`` is a compaction note. ``assistant``: one record per content block, all
with the API message's ``id``, which is the model step's id; ``thinking`` blocks (with their
``signature``), ``text``, ``tool_use`` (the CLI runs it: executor ``agent``; its ``id`` kept),
``server_tool_use`` and the server tools' results. Each record repeats its message's ``usage``:
the step's usage is the latest of them (cumulative), so a message counts once. An
``isApiErrorMessage`` record is a warning. ``api-request`` (2.1 and later) is when a step's
request was sent: the step starts there. ``system``: ``compact_boundary`` is a compaction note,
``api_error`` a warning, any other with a ``content`` a notice. The CLI's own bookkeeping
(``_SKIPPED``) is skipped; any other type is a step of its name.

The run ends ``completed`` when the session's last answer ended its turn, ``cancelled`` when
the user interrupted it, ``incomplete`` when the file stops before an answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from nbagent.adapters.base import field, list_or_empty, plain, str_or_none
from nbagent.adapters.claude_agent.maps import result_content, tool_use_call
from nbagent.adapters.kit import anthropic_usage, whole_message
from nbagent.adapters.kit.finish import ANTHROPIC_STOPS
from nbagent.adapters.sessions.base import Scope, SessionAdapter
from nbagent.adapters.sessions.record import SessionRecord, type_of
from nbagent.core.events import Custom, EndReason, ErrorEvent, Event, ToolResult

__all__ = ["ClaudeCodeAdapter", "detect_claude_code"]

_SKIPPED = frozenset(
    (
        "summary",
        "file-history-snapshot",
        "queue-operation",
        "last-prompt",
        "custom-title",
        "ai-title",
        "agent-name",
        "agent-color",
        "agent-setting",
        "pr-link",
        "permission-mode",
        "bridge-session",
        "worktree-state",
        "attachment",
        "tools-used",
        "atis-latch",
        "api-request-shape",
        "api-request-blob",
        "cost-state",
        "progress",
        "tag",
    )
)
"""The CLI's own bookkeeping: titles, file snapshots, queues, settings, the request bodies it
keeps, its cost totals (the steps' usage is read from the messages), the progress it showed
(a sub-agent's is in the sub-agent's own file)."""

_CONVERSATION = frozenset(("user", "assistant", "system"))
_INTERRUPTED = "[Request interrupted by user"
_ENDS: Mapping[str, EndReason] = {
    **ANTHROPIC_STOPS,
    "refusal": "refusal",
    "pause_turn": "incomplete",
}


def detect_claude_code(first: Sequence[Any]) -> bool:
    """True when the first records of a session are Claude Code's: a record of its types with
    its camelCase ``sessionId`` (or a ``summary`` with its ``leafUuid``), and none of Codex's
    ``payload`` or Gemini CLI's ``projectHash``."""
    for data in first:
        if not isinstance(data, Mapping) or "payload" in data or "projectHash" in data:
            continue
        kind = type_of(data)
        if kind == "summary" and isinstance(data.get("leafUuid"), str):
            return True
        known = kind in _CONVERSATION or kind in _SKIPPED
        if known and isinstance(data.get("sessionId"), str):
            return True
    return False


class ClaudeCodeAdapter(SessionAdapter):
    """Claude Code session records → events (the module docstring)."""

    name: ClassVar[str] = "claude-code"
    provider: ClassVar[str | None] = "anthropic"
    finishes: ClassVar[Mapping[str, str]] = ANTHROPIC_STOPS

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[str, str | None] = ("none", None)  # the top level's latest word

    def read(self, record: SessionRecord, scope: Scope, ts: float, out: list[Event]) -> None:
        data = record.data
        if not isinstance(data, Mapping):
            self.unknown(record, scope, out, name=type(data).__name__)
            return
        kind = type_of(data)
        if self.session is None:
            self.session = str_or_none(data.get("sessionId"))
        if not self.meta and isinstance(data.get("cwd"), str):
            self.meta = {"cwd": data["cwd"], "version": data.get("version")}
        if kind == "assistant":
            self._assistant(data, scope, ts, out)
        elif kind == "user":
            self._user(data, scope, ts, out)
        elif kind == "system":
            self._system(data, scope, out)
        elif kind == "api-request":
            self.sent(scope, ts, out)
        elif kind not in _SKIPPED:
            self.unknown(record, scope, out, name=kind or "record")

    def end_reason(self) -> tuple[EndReason, str | None]:
        word, stop = self._last
        if word == "interrupted":
            return "cancelled", "interrupted by the user"
        if word == "assistant" and stop is not None and stop in _ENDS and stop != "tool_use":
            return _ENDS[stop], None
        return "incomplete", "the session ends before the agent's answer"

    # -- assistant ------------------------------------------------------------------------------

    def _assistant(
        self, data: Mapping[str, Any], scope: Scope, ts: float, out: list[Event]
    ) -> None:
        message = data.get("message")
        content = field(message, "content")
        if data.get("isApiErrorMessage") is True:
            text = result_content(content)
            detail = text if isinstance(text, str) else json.dumps(text)
            error = str_or_none(data.get("error")) or "api_error"
            out.append(
                ErrorEvent(message=detail, error_type=error, recoverable=True, parent=scope.key)
            )
            return
        step = str_or_none(field(message, "id")) or str_or_none(data.get("uuid"))
        step = step or self.ids.scope_id("step", within=scope.key)
        self.open_step(scope, step, out)
        model = str_or_none(field(message, "model"))
        if model and not model.startswith("<"):  # "<synthetic>": the CLI's own message
            self.model = self.model or model
        stop = str_or_none(field(message, "stop_reason"))
        scope.stop = stop or scope.stop
        scope.output_at = ts
        usage = field(message, "usage")
        if isinstance(usage, Mapping):
            out.append(
                anthropic_usage(usage, scope="step", step_id=step, model=model, parent=scope.key)
            )
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        for block in list_or_empty(content):
            self._block(block, step, scope, out)
        if scope.key is None:
            self._last = ("assistant", scope.stop)

    def _block(self, block: Any, step: str, scope: Scope, out: list[Event]) -> None:
        kind = field(block, "type")
        parent = scope.key
        if kind == "text":
            text = str_or_none(field(block, "text"))
            block_id = self.ids.new("text", step)
            whole_message(out, "text", block_id, text, {"role": "assistant"}, parent=parent)
        elif kind == "thinking" and str_or_none(field(block, "thinking")):
            signed = {"signature": str_or_none(field(block, "signature"))}
            block_id = self.ids.new("think", step)
            whole_message(
                out, "thinking", block_id, field(block, "thinking"), end=signed, parent=parent
            )
        elif kind == "redacted_thinking":
            hidden = {"redacted": True, "encrypted_value": str_or_none(field(block, "data"))}
            whole_message(
                out, "thinking", self.ids.new("think", step), None, end=hidden, parent=parent
            )
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            scope.called = scope.called or kind == "tool_use"
            wire = str_or_none(field(block, "id"))
            call = tool_use_call(
                block,
                self.ids.wire(wire) if wire else self.ids.new("call", step),
                synthetic=wire is None,
                executor="agent" if kind == "tool_use" else "server",
                parent=parent,
            )
            out.extend(call)
        elif isinstance(kind, str) and kind.endswith("tool_result"):
            self._result(block, parent, out)
        elif kind != "thinking":
            out.append(Custom(name=str(kind or "content_block"), value=plain(block), parent=parent))

    # -- user -----------------------------------------------------------------------------------

    def _user(self, data: Mapping[str, Any], scope: Scope, ts: float, out: list[Event]) -> None:
        if data.get("isMeta") is True:  # text the CLI put in the conversation itself
            return
        self.sent(scope, ts, out)
        content = field(data.get("message"), "content")
        if data.get("isCompactSummary") is True:
            text = result_content(content)
            self.note(out, scope, "compaction", "Context compacted", str(text or ""))
            return
        key = str_or_none(data.get("uuid"))
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        for block in list_or_empty(content):
            kind = field(block, "type")
            if kind == "tool_result":
                self._result(block, scope.key, out)
            elif kind == "text" and isinstance(field(block, "text"), str):
                text = field(block, "text")
                meta = {"message_id": key} if key else None
                out.append(Custom(name="user_message", value=text, parent=scope.key, meta=meta))
                if scope.key is None:
                    interrupted = text.startswith(_INTERRUPTED)
                    self._last = ("interrupted" if interrupted else "user", None)
            else:
                out.append(
                    Custom(name=str(kind or "content_block"), value=plain(block), parent=scope.key)
                )

    def _result(self, block: Any, parent: str | None, out: list[Event]) -> None:
        call_id = str_or_none(field(block, "tool_use_id"))
        if call_id is None:
            return
        content = field(block, "content")
        failed = field(block, "is_error") is True or str(field(content, "type")).endswith("_error")
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=result_content(content),
                is_error=failed,
                parent=parent,
            )
        )

    # -- system ---------------------------------------------------------------------------------

    def _system(self, data: Mapping[str, Any], scope: Scope, out: list[Event]) -> None:
        subtype = data.get("subtype")
        content = str_or_none(data.get("content"))
        if subtype == "compact_boundary":
            meta = data.get("compactMetadata")
            trigger, tokens = field(meta, "trigger"), field(meta, "preTokens")
            said = f"{trigger or 'auto'}; {tokens} tokens before" if tokens else str(trigger or "")
            self.note(out, scope, "compaction", "Context compacted", said)
        elif subtype == "api_error":
            error = data.get("error")
            text = content or str_or_none(field(error, "message")) or json.dumps(plain(error))
            out.append(
                ErrorEvent(message=text, error_type="api_error", recoverable=True, parent=scope.key)
            )
        elif content:
            level = data.get("level") if data.get("level") in ("warning", "error") else "info"
            self.note(out, scope, "notice", str(subtype or "system"), content, level=str(level))
