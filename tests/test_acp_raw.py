"""``nbagent/acp_client/_raw.py``: the agent's messages the pinned SDK cannot read, passed on as
nbagent's own extension notifications; what it would drop (a tool call's name) kept; the
requests a ``$/cancel_request`` may name; hostile messages passed on untouched."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.acp_client._raw import CANCEL, KEPT, RAW, Raw, sdk_updates

pytest.importorskip("acp")


def update(kind: Any, **fields: Any) -> dict[str, Any]:
    params = {"sessionId": "s", "update": {"sessionUpdate": kind, **fields}}
    return {"jsonrpc": "2.0", "method": "session/update", "params": params}


def test_kinds_the_sdk_models_pass_and_others_become_nbagents_notification() -> None:
    raw = Raw()
    assert {"agent_message_chunk", "tool_call", "usage_update"} <= sdk_updates()
    chunk = update("agent_message_chunk", content={"type": "text", "text": "hi"})
    assert raw.rewrite(chunk) is chunk
    for kind in ("notice", "compaction_update", "compaction_summary_chunk", "state_update"):
        told = raw.rewrite(update(kind))
        assert told["method"] == RAW
        assert told["params"]["update"]["sessionUpdate"] == kind
        assert "id" not in told


def test_a_tool_calls_name_is_kept_by_session_and_call() -> None:
    raw = Raw()
    message = update("tool_call", toolCallId="c1", title="Run ls", name="Bash")
    assert raw.rewrite(message) is message
    assert raw.names == {("s", "c1"): "Bash"}


def test_a_cancel_request_names_the_permission_request_by_its_id() -> None:
    raw = Raw()
    asked = {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "session/request_permission",
        "params": {"sessionId": "s", "toolCall": {"toolCallId": "c9"}, "options": []},
    }
    assert raw.rewrite(asked) is asked
    cancel = {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": 4}}
    told = raw.rewrite(cancel)
    assert told == {"jsonrpc": "2.0", "method": CANCEL, "params": {"requestId": 4}}
    assert raw.withdrawn(told["params"]) == ("s", "c9")
    assert raw.withdrawn(told["params"]) is None  # once
    assert raw.withdrawn({"requestId": {"x": 1}}) is None


@pytest.mark.parametrize(
    "message",
    [
        {},
        {"jsonrpc": "2.0", "method": 5, "params": {}},
        {"jsonrpc": "2.0", "method": "session/update", "params": "text"},
        {"jsonrpc": "2.0", "method": "session/update", "params": {"update": "text"}},
        update(7),
        update(None),
        {"jsonrpc": "2.0", "id": 1, "method": "session/request_permission", "params": {}},
        {
            "jsonrpc": "2.0",
            "id": [1],
            "method": "session/request_permission",
            "params": {"toolCall": {"toolCallId": "c"}},
        },
        {"jsonrpc": "2.0", "id": 1, "result": {"stopReason": "end_turn"}},
    ],
)
def test_what_is_not_for_it_passes_untouched(message: dict[str, Any]) -> None:
    raw = Raw()
    assert raw.rewrite(message) is message
    assert (raw.names, raw.asked) == ({}, {})


def test_what_it_keeps_stays_bounded() -> None:
    raw = Raw()
    for i in range(KEPT + 50):
        raw.rewrite(update("tool_call", toolCallId=f"c{i}", name="Bash"))
    assert len(raw.names) == KEPT
    assert ("s", "c0") not in raw.names
    assert ("s", f"c{KEPT + 49}") in raw.names
