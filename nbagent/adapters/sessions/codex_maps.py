"""Codex rollouts' words: the record and event types the adapter reads, skips or knows to
say again what the response items say; and the readers of a call's output, of the CLI's events
about a call, of token counts. Nothing here keeps state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, int_or_none, list_or_empty, plain

__all__ = [
    "CALLS",
    "FAILED",
    "OUTPUTS",
    "SAID_AGAIN",
    "SKIPPED",
    "TYPES",
    "counts",
    "event_failed",
    "output_of",
]

TYPES = frozenset(("session_meta", "response_item", "event_msg", "turn_context", "compacted"))
SKIPPED = frozenset(
    (
        "world_state",
        "token_usage_record",
        "inter_agent_communication",
        "inter_agent_communication_metadata",
    )
)
"""The CLI's own: the state it gives the model, its usage per response (``token_count``'s
totals are read), the messages between agents (their calls' results say them)."""
SAID_AGAIN = frozenset(
    (
        "agent_message",
        "agent_message_delta",
        "agent_reasoning",
        "agent_reasoning_delta",
        "agent_reasoning_raw_content",
        "agent_reasoning_raw_content_delta",
        "agent_reasoning_section_break",
        "context_compacted",
        "thread_settings_applied",
        "session_configured",
        "exec_command_begin",
        "exec_command_output_delta",
        "exec_approval_request",
        "apply_patch_approval_request",
        "mcp_tool_call_begin",
        "patch_apply_begin",
        "web_search_begin",
        "web_search_end",
        "view_image_tool_call",
        "image_generation_begin",
        "image_generation_end",
        "turn_diff",
        "item_started",
        "plan_update",
        "background_event",
        "stream_error",
        "entered_review_mode",
        "exited_review_mode",
        "undo_started",
        "undo_completed",
        "shutdown_complete",
    )
)
"""The events the response items say already, and the CLI's own (settings, retries, diffs)."""

CALLS = ("function_call", "custom_tool_call", "local_shell_call", "web_search_call")
OUTPUTS = ("function_call_output", "custom_tool_call_output")
FAILED = ("failed", "error", "declined")


def counts(usage: Any) -> dict[str, int] | None:
    if not isinstance(usage, Mapping):
        return None
    counts = {k: v for k, v in usage.items() if int_or_none(v) is not None}
    return counts or None


def output_of(output: Any) -> tuple[Any, bool]:
    """A call's output as the model read it, and whether it says the call failed."""
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except ValueError:
            return output, False
        code = int_or_none(field(field(parsed, "metadata"), "exit_code"))
        return output, bool(code)
    if isinstance(output, Mapping):
        content = output.get("content", output.get("content_items"))
        text, _ = output_of(content) if content is not None else (plain(output), False)
        return text, output.get("success") is False
    parts = list_or_empty(output)
    if parts and all(isinstance(field(p, "text"), str) for p in parts):
        return "".join(field(p, "text") for p in parts), False
    return plain(output), False


def event_failed(event: Mapping[str, Any]) -> bool:
    if int_or_none(event.get("exit_code")):
        return True
    if event.get("success") is False:
        return True
    result = event.get("result")
    return isinstance(result, Mapping) and (
        "Err" in result or field(result.get("Ok"), "isError") is True
    )
