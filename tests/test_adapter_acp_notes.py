"""ACP's newer shapes through the acp adapter: notices and compactions as notes, a tool call's
``name``, ``$/cancel_request`` withdrawing a permission request, the usage and cost of the
SDK's own ``UsageUpdate`` / ``PromptResponse`` objects, and one warning per update kind
nbagent does not read (the v2 draft's ``state_update``, ``terminal_output_chunk``)."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.adapters.acp import AcpAdapter
from nbagent.core.events import Custom, Event, Status
from nbagent.transcript.export.status import session_words
from nbagent.transcript.transcript import Transcript
from tests.adapter_harness import transcript_of

acp_schema = pytest.importorskip("acp.schema")

SID = "sess_1"


def update(kind: str, **fields: Any) -> dict[str, Any]:
    return {"sessionId": SID, "update": {"sessionUpdate": kind, **fields}}


def run(*items: Any) -> tuple[Transcript, list[Event]]:
    return transcript_of(AcpAdapter(), [*items, {"stopReason": "end_turn"}])


def permission_request(rpc_id: int | str, call_id: str) -> dict[str, Any]:
    params = {
        "sessionId": SID,
        "toolCall": {"toolCallId": call_id, "title": "Edit a.py", "kind": "edit"},
        "options": [
            {"optionId": "ok", "name": "Allow", "kind": "allow_once"},
            {"optionId": "no", "name": "Reject", "kind": "reject_once"},
        ],
    }
    method = "session/request_permission"
    return {"jsonrpc": "2.0", "id": rpc_id, "method": method, "params": params}


def cancel_request(rpc_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": rpc_id}}


def test_the_agent_withdrawing_its_permission_request_answers_it_cancelled() -> None:
    t, events = run(permission_request(7, "call_1"), cancel_request(7))
    statuses = [e for e in events if isinstance(e, Status) and e.tool_call_id]
    assert [s.state for s in statuses] == ["awaiting_approval", "approval_answered"]
    assert statuses[-1].text == "the agent withdrew its request"
    (call,) = t.tool_calls
    assert call.answer == {"action": "cancel", "edited": False}
    assert call.state != "paused"


@pytest.mark.parametrize("rpc_id", [8, "7", None, {"id": 7}])
def test_a_cancel_request_naming_no_request_seen_is_kept_raw(rpc_id: Any) -> None:
    t, events = run(permission_request(7, "call_1"), cancel_request(rpc_id))
    if rpc_id == "7":  # an id and its string form name one request (ids cross JSON as either)
        assert [e.name for e in events if isinstance(e, Custom)] == []
        return
    raw = [e for e in events if isinstance(e, Custom) and e.name == "acp.cancel_request"]
    assert len(raw) == 1
    assert raw[0].is_raw
    assert t.tool_calls[0].answer is None  # the request still waits for its answer


def test_the_sdks_cancel_request_notification_is_read() -> None:
    notification = acp_schema.CancelRequestNotification(request_id=7)
    _, events = run(permission_request(7, "call_1"), notification)
    assert [e.state for e in events if isinstance(e, Status) and e.tool_call_id][-1] == (
        "approval_answered"
    )


def test_usage_and_cost_from_the_sdks_own_objects() -> None:
    usage_update = acp_schema.SessionNotification(
        session_id=SID,
        update=acp_schema.UsageUpdate(
            session_update="usage_update",
            used=53_000,
            size=200_000,
            cost=acp_schema.Cost(amount=0.045, currency="USD"),
        ),
    )
    response = acp_schema.PromptResponse(
        stop_reason="end_turn",
        usage=acp_schema.Usage(
            total_tokens=1500,
            input_tokens=1200,
            output_tokens=300,
            thought_tokens=80,
            cached_read_tokens=900,
        ),
    )
    t, _ = transcript_of(AcpAdapter(), [usage_update, response])
    state = t.to_dict()
    assert state["usage"] == {
        "input_tokens": 1200,
        "output_tokens": 300,
        "total_tokens": 1500,
        "reasoning_tokens": 80,
        "cached_input_tokens": 900,
    }
    assert state["cost_usd"] == 0.045
    assert state["context"] == {"used": 53_000, "size": 200_000}


def test_cache_writes_from_the_sdks_usage() -> None:
    """``Usage.cached_write_tokens`` of the prompt response: the run's cache writes, said
    beside the cache reads."""
    from nbagent.transcript.export.status import detail_lines

    response = acp_schema.PromptResponse(
        stop_reason="end_turn",
        usage=acp_schema.Usage(
            total_tokens=51_213,
            input_tokens=3,
            output_tokens=10,
            cached_read_tokens=1200,
            cached_write_tokens=50_000,
        ),
    )
    t, _ = transcript_of(AcpAdapter(), [response])
    state = t.to_dict()
    assert state["usage"]["cache_write_tokens"] == 50_000
    assert detail_lines(state, state["ended_at"])[0] == (
        "in 3 · cached 1,200 · cache write 50,000 · out 10 · total 51,213 tokens"
    )


def test_a_cost_in_another_currency_is_kept_and_said_never_summed_as_usd() -> None:
    def usage_update(amount: float, currency: str) -> Any:
        cost = acp_schema.Cost(amount=amount, currency=currency)
        inner = acp_schema.UsageUpdate(session_update="usage_update", used=10, size=100, cost=cost)
        return acp_schema.SessionNotification(session_id=SID, update=inner)

    t, _ = run(usage_update(0.30, "EUR"), usage_update(0.42, "EUR"))
    state = t.to_dict()
    assert state["session"]["cost"] == {"amount": 0.42, "currency": "EUR"}  # the session's so far
    assert state.get("cost_usd") is None  # never taken for dollars
    assert session_words(state) == "session cost: 0.42 EUR"
    assert Transcript.from_dict(state).to_dict()["session"]["cost"]["currency"] == "EUR"
    # a USD cost is the run's cost_usd, not the session's; a bad one is neither
    t, _ = run(usage_update(0.05, "USD"))
    assert t.to_dict()["cost_usd"] == 0.05
    assert "session" not in t.to_dict()
    bad = update("usage_update", used=1, size=2, cost={"amount": "lots", "currency": "EUR"})
    nan = update("usage_update", used=1, size=2, cost={"amount": float("nan"), "currency": "JPY"})
    t, _ = run(bad, nan, update("usage_update", used=1, size=2, cost={"amount": 1}))
    assert "session" not in t.to_dict()
    assert t.to_dict().get("cost_usd") is None


def test_one_warning_per_unread_kind_in_a_run() -> None:
    items = [
        update("state_update", state="running"),
        update("terminal_output_chunk", terminalId="t", data="aGk="),
        update("state_update", state="idle"),
        update("_vendor/progress", percent=5),
        update("_vendor/progress", percent=9),
    ]
    t, events = run(*items)
    assert [w["message"].rsplit(": ", 1)[1] for w in t.to_dict()["warnings"]] == [
        "state_update",
        "terminal_output_chunk",
        "_vendor/progress",
    ]
    assert {w["error_type"] for w in t.to_dict()["warnings"]} == {"acp.unread"}
    assert t.status == "completed"
    assert len([e for e in events if isinstance(e, Custom) and e.is_raw]) == 5
    again, _ = run(items[0])  # another run warns again
    assert len(again.to_dict()["warnings"]) == 1


def test_known_and_nbagents_own_updates_never_warn() -> None:
    t, _ = run(
        update("notice", severity="info", title="Hi"),
        update("plan_update"),  # names no plan: raw, but a kind nbagent reads
        update("_nbagent/terminal", terminalId="t", output="x"),
    )
    assert t.to_dict()["warnings"] == []


def test_a_tool_calls_name_is_its_meta_tool_and_a_later_update_changes_it() -> None:
    t, _ = run(
        update("tool_call", toolCallId="c", title="Run ls", name="Bash", status="pending"),
        update("tool_call_update", toolCallId="c", name="Shell", status="completed"),
    )
    (call,) = t.tool_calls
    assert call.name == "Run ls"  # the panel's name stays the agent's title
    assert call.meta is not None
    assert call.meta["tool"] == "Shell"
    assert "tool: Shell" not in t.to_html()
    assert "Shell" in t.to_html()


def test_a_notice_mid_message_splits_the_answer_around_it() -> None:
    t, _ = run(
        update("agent_message_chunk", content={"type": "text", "text": "Before."}),
        update("notice", severity="error", title="Quota", description="90% used"),
        update("agent_message_chunk", content={"type": "text", "text": "After."}),
    )
    assert [b["type"] for b in t.to_dict()["blocks"]] == ["text", "note", "text"]
    assert t.text == "Before.\n\nAfter."


def compaction_text(*updates: dict[str, Any]) -> tuple[str, str, str]:
    t, _ = run(*updates)
    (block,) = [b for b in t.to_dict()["blocks"] if b["type"] == "note"]
    return block["title"], block["text"], block["level"]


def test_a_compactions_summary_and_error_patch_as_acp_says() -> None:
    text = {"type": "text", "text": "Kept the goal."}
    cid = {"compactionId": "c"}
    summarised = update("compaction_update", status="completed", summary=[text], **cid)
    assert compaction_text(summarised) == ("Context compacted", "Kept the goal.", "info")
    # omitted: unchanged; null and [] clear it
    left = update("compaction_update", status="completed", **cid)
    assert compaction_text(summarised, left)[1] == "Kept the goal."
    for cleared in (None, []):
        again = update("compaction_update", status="completed", summary=cleared, **cid)
        assert compaction_text(summarised, again)[1] == ""
    # a failed one says its error; an error cleared leaves the summary streamed before
    streamed = update("compaction_summary_chunk", content=text, **cid)
    failed = update("compaction_update", status="failed", error="too large", **cid)
    assert compaction_text(streamed, failed) == (
        "Context compaction failed",
        "too large",
        "warning",
    )
    unsaid = update("compaction_update", status="failed", error=None, **cid)
    assert compaction_text(streamed, failed, unsaid)[1] == "Kept the goal."
