"""Bedrock: ``converse_stream(...)["stream"]`` read by the ``bedrock`` adapter with no
``format=``. The real ``boto3`` client talks to a local server that answers
``POST /model/<id>/converse-stream`` in AWS's binary event-stream encoding
(``application/vnd.amazon.eventstream``), so the event dicts are the ones botocore itself
decodes: reasoning with a signature, redacted reasoning, text, a tool call whose input streams
in fragments, the stop reason, the usage and latency.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from typing import Any
from urllib.parse import quote

from tests.frameworks.conftest import need

boto3 = need("boto3")

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.core.events import Event, MessageEnd, RunEnd, StepEnd, ToolResult, Usage  # noqa: E402
from tests.sse_servers import Drop, SSEServer  # noqa: E402
from tests.wait import PATIENCE  # noqa: E402

MODEL_ID = "anthropic.claude-sonnet-4-20250514-v1:0"


# -- AWS event-stream encoding (what botocore/eventstream.py decodes) --------------------------


def _string_header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    # name length, name, type 7 (string), value length, value
    return (
        struct.pack("!B", len(raw_name))
        + raw_name
        + struct.pack("!BH", 7, len(raw_value))
        + raw_value
    )


def event_message(event_type: str, payload: dict[str, Any], message_type: str = "event") -> bytes:
    """One event-stream message: prelude (total and headers lengths, their CRC32), headers,
    the JSON payload, the CRC32 of all that."""
    type_header = ":event-type" if message_type == "event" else ":exception-type"
    headers = (
        _string_header(type_header, event_type)
        + _string_header(":content-type", "application/json")
        + _string_header(":message-type", message_type)
    )
    body = json.dumps(payload).encode()
    prelude = struct.pack("!II", 12 + len(headers) + len(body) + 4, len(headers))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + body
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


def server(events: list[Any]) -> SSEServer:
    return SSEServer(
        [event_message(*e) if isinstance(e, tuple) else e for e in events],
        content_type="application/vnd.amazon.eventstream",
    )


def converse_stream(events: list[Any]) -> tuple[list[dict[str, Any]], SSEServer]:
    with server(events) as srv:
        client = bedrock_client(srv)
        response = client.converse_stream(
            modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "2 + 2?"}]}]
        )
        return list(response["stream"]), srv


def bedrock_client(srv: SSEServer) -> Any:
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=f"http://127.0.0.1:{srv.port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


REDACTED = b"\x00opaque-reasoning\xff"
REDACTED_B64 = base64.b64encode(REDACTED).decode()

TOOL_TURN = [
    ("messageStart", {"role": "assistant"}),
    (
        "contentBlockDelta",
        {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Add "}}},
    ),
    (
        "contentBlockDelta",
        {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "two and two."}}},
    ),
    (
        "contentBlockDelta",
        {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "c2lnbmF0dXJl"}}},
    ),
    ("contentBlockStop", {"contentBlockIndex": 0}),
    (
        "contentBlockDelta",
        {
            "contentBlockIndex": 1,
            # a Blob: base64 on the wire, bytes once botocore decodes it
            "delta": {"reasoningContent": {"redactedContent": REDACTED_B64}},
        },
    ),
    ("contentBlockStop", {"contentBlockIndex": 1}),
    ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"text": "I'll use "}}),
    ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"text": "the calculator."}}),
    ("contentBlockStop", {"contentBlockIndex": 2}),
    (
        "contentBlockStart",
        {
            "contentBlockIndex": 3,
            "start": {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "add"}},
        },
    ),
    ("contentBlockDelta", {"contentBlockIndex": 3, "delta": {"toolUse": {"input": '{"a": 2,'}}}),
    ("contentBlockDelta", {"contentBlockIndex": 3, "delta": {"toolUse": {"input": ' "b": 2}'}}}),
    ("contentBlockStop", {"contentBlockIndex": 3}),
    ("messageStop", {"stopReason": "tool_use"}),
    (
        "metadata",
        {
            "usage": {
                "inputTokens": 412,
                "outputTokens": 96,
                "totalTokens": 508,
                "cacheReadInputTokens": 128,
            },
            "metrics": {"latencyMs": 1375},
        },
    ),
]


def sdk_view(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What botocore's dicts hold, assembled."""
    thinking, text, tools = [], [], {}
    for item in items:
        if "contentBlockStart" in item:
            tool = item["contentBlockStart"]["start"]["toolUse"]
            tools[tool["toolUseId"]] = [tool["name"], ""]
        delta = item.get("contentBlockDelta", {}).get("delta", {})
        text.append(delta.get("text", ""))
        thinking.append(delta.get("reasoningContent", {}).get("text", ""))
        if "toolUse" in delta:
            list(tools.values())[-1][1] += delta["toolUse"]["input"]
    return {
        "thinking": "".join(thinking),
        "text": "".join(text),
        "tools": [(k, v[0], json.loads(v[1])) for k, v in tools.items()],
        "stop": next(i["messageStop"]["stopReason"] for i in items if "messageStop" in i),
        "usage": next(i["metadata"] for i in items if "metadata" in i),
    }


def test_converse_stream_through_botocore() -> None:
    items, srv = converse_stream(TOOL_TURN)
    assert srv.requests[-1]["path"] == f"/model/{quote(MODEL_ID, safe='')}/converse-stream"
    assert detect_format(items[0]) == "bedrock"
    want = sdk_view(items)
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    assert t.thinking == want["thinking"] == "Add two and two."
    assert t.text == want["text"] == "I'll use the calculator."
    assert "two." not in t.text
    assert [(c.id, c.name, c.args) for c in t.tool_calls] == want["tools"]
    assert (t.status, t.end_reason) == ("completed", "tool_calls")
    run_end = [e for e in events if isinstance(e, RunEnd)][-1]
    assert run_end.raw_reason == want["stop"] == "tool_use"
    (usage,) = [e for e in events if isinstance(e, Usage)]
    wire_usage = want["usage"]["usage"]
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (
        wire_usage["inputTokens"],
        wire_usage["outputTokens"],
        wire_usage["totalTokens"],
    )
    assert usage.cached_input_tokens == wire_usage["cacheReadInputTokens"]
    assert usage.meta == {"latency_ms": want["usage"]["metrics"]["latencyMs"]}
    thinking_ends = [e for e in events if isinstance(e, MessageEnd) and e.channel == "thinking"]
    assert thinking_ends[0].signature == "c2lnbmF0dXJl"
    redacted = items[5]["contentBlockDelta"]["delta"]["reasoningContent"]["redactedContent"]
    assert redacted == REDACTED  # botocore hands the blob over as bytes
    assert thinking_ends[1].redacted
    assert thinking_ends[1].encrypted_value == REDACTED_B64
    step_ends = [e for e in events if isinstance(e, StepEnd)]
    assert [(e.finish_reason, e.raw_finish_reason) for e in step_ends] == [
        ("tool_calls", "tool_use")
    ]


def test_plain_text_turn_and_max_tokens() -> None:
    items, _ = converse_stream(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Four"}}),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            ("messageStop", {"stopReason": "max_tokens"}),
            ("metadata", {"usage": {"inputTokens": 5, "outputTokens": 1, "totalTokens": 6}}),
        ]
    )
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    assert (t.text, t.end_reason, t.usage.output_tokens) == ("Four", "max_tokens", 1)


def test_server_tool_result_blocks() -> None:
    events: list[Event] = list(
        nbagent.iter_events(
            iter(
                [
                    {"messageStart": {"role": "assistant"}},
                    {
                        "contentBlockStart": {
                            "contentBlockIndex": 0,
                            "start": {
                                "toolUse": {
                                    "toolUseId": "srv_1",
                                    "name": "web_search",
                                    "type": "server_tool_use",
                                }
                            },
                        }
                    },
                    {
                        "contentBlockDelta": {
                            "contentBlockIndex": 0,
                            "delta": {"toolUse": {"input": "{}"}},
                        }
                    },
                    {"contentBlockStop": {"contentBlockIndex": 0}},
                    {
                        "contentBlockStart": {
                            "contentBlockIndex": 1,
                            "start": {"toolResult": {"toolUseId": "srv_1", "status": "success"}},
                        }
                    },
                    {
                        "contentBlockDelta": {
                            "contentBlockIndex": 1,
                            "delta": {"toolResult": [{"text": "sunny"}]},
                        }
                    },
                    {"contentBlockStop": {"contentBlockIndex": 1}},
                    {"messageStop": {"stopReason": "end_turn"}},
                ]
            )
        )
    )
    t = nbagent.Transcript.from_events(events)
    (call,) = t.tool_calls
    assert (call.id, call.name, call.result) == ("srv_1", "web_search", "sunny")
    assert [e.content for e in events if isinstance(e, ToolResult)] == ["sunny"]
    assert t.end_reason == "completed"


def test_block_ids_follow_the_scheme() -> None:
    """A tool use id given twice is ``{id}#2``; a call with no id and a result block whose
    start never came get ids of the run's ``Ids`` (``run:call{n}``)."""

    def block(index: int, key: str, value: Any) -> dict[str, Any]:
        return {key: {"contentBlockIndex": index, **value}}

    def tool(index: int, wire_id: str | None) -> dict[str, Any]:
        use = {"name": "add"} if wire_id is None else {"toolUseId": wire_id, "name": "add"}
        return block(index, "contentBlockStart", {"start": {"toolUse": use}})

    items = [
        {"messageStart": {"role": "assistant"}},
        tool(0, "t1"),
        block(0, "contentBlockStop", {}),
        tool(1, "t1"),
        block(1, "contentBlockStop", {}),
        tool(2, None),
        block(2, "contentBlockDelta", {"delta": {"toolUse": {"input": "{}"}}}),
        block(3, "contentBlockDelta", {"delta": {"toolResult": [{"text": "late"}]}}),
        {"messageStop": {"stopReason": "tool_use"}},
    ]
    events = list(nbagent.iter_events(iter(items)))
    t = nbagent.Transcript.from_events(events)
    assert [c.id for c in t.tool_calls] == ["t1", "t1#2", "run:call1", "run:call2"]
    assert [(e.tool_call_id, e.content) for e in events if isinstance(e, ToolResult)] == [
        ("run:call2", "late")
    ]


def test_cut_off_stream_is_incomplete() -> None:
    with server(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "partial"}}),
            Drop(),
        ]
    ) as srv:
        client = bedrock_client(srv)
        response = client.converse_stream(
            modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "hi"}]}]
        )
        t = nbagent.show(response["stream"]).wait(PATIENCE)
    assert (t.text, t.status) == ("partial", "error")
    # urllib3's ProtocolError ("Response ended prematurely"): a stream cut mid-way
    assert t.end_reason == "incomplete"


def test_exception_event_ends_the_run_with_an_error() -> None:
    with server(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "so far"}}),
            ("modelStreamErrorException", {"message": "the model stopped"}, "exception"),
        ]
    ) as srv:
        client = bedrock_client(srv)
        response = client.converse_stream(
            modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "hi"}]}]
        )
        t = nbagent.show(response["stream"]).wait(PATIENCE)
    assert (t.text, t.status) == ("so far", "error")
    assert "the model stopped" in str(t.error)
    # the dict form of the same exception event
    dicts = [
        {"messageStart": {"role": "assistant"}},
        {"modelStreamErrorException": {"message": "the model stopped"}},
    ]
    t2 = nbagent.Transcript.from_events(nbagent.iter_events(iter(dicts)))
    assert (t2.status, t2.end_reason) == ("error", "error")


def test_prompt_cache_writes_through_botocore() -> None:
    """Converse's ``cacheWriteInputTokens`` and its ``cacheDetails`` by TTL, as botocore
    decodes them: counted apart from the input as Bedrock counts them, and said."""
    from nbagent.transcript.export.status import detail_lines

    wire = {
        "inputTokens": 3,
        "outputTokens": 10,
        "totalTokens": 51_213,
        "cacheReadInputTokens": 1200,
        "cacheWriteInputTokens": 50_000,
        "cacheDetails": [
            {"ttl": "1h", "inputTokens": 20_000},
            {"ttl": "5m", "inputTokens": 30_000},
        ],
    }
    items, _ = converse_stream(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Cached."}}),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            ("messageStop", {"stopReason": "end_turn"}),
            ("metadata", {"usage": wire, "metrics": {"latencyMs": 90}}),
        ]
    )
    decoded = next(i["metadata"]["usage"] for i in items if "metadata" in i)
    assert decoded["cacheDetails"] == wire["cacheDetails"]
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(items)))
    u = t.usage
    assert (u.input_tokens, u.cached_input_tokens, u.total_tokens) == (3, 1200, 51_213)
    assert (u.cache_write_tokens, u.cache_write_1h_tokens) == (50_000, 20_000)
    d = t.to_dict()
    assert detail_lines(d, d["ended_at"])[0] == (
        "in 3 · cached 1,200 · cache write 50,000 · out 10 · total 51,213 tokens"
    )
