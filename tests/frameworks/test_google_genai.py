"""google-genai: the real ``genai.Client`` against a local server speaking Gemini's
``:streamGenerateContent?alt=sse``; its ``GenerateContentResponse`` stream (and the same
responses as REST dicts through ``nbagent.sse``) read with no ``format=``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.adapters import GoogleGenaiAdapter, detect_format
from nbagent.adapters.base import BadItemError, ServerSentEvent
from nbagent.core.events import (
    Event,
    MessageEnd,
    RunEnd,
    StepStart,
    ToolCallArgsDelta,
    Usage,
)
from tests import aio
from tests.adapter_harness import fold
from tests.frameworks.conftest import need
from tests.sse_servers import SSEServer, frame
from tests.wait import PATIENCE

genai = need("google.genai")
types = need("google.genai.types")

MODEL = "gemini-2.5-flash"


class GeminiServer(SSEServer):
    """``SSEServer`` with one script per request (the last one repeated): a model call each,
    for automatic function calling."""

    def __init__(self, *scripts: Sequence[Any]) -> None:
        super().__init__(scripts[0])
        self.scripts = scripts

    def handler(self) -> type[BaseHTTPRequestHandler]:
        base: Any = super().handler()
        srv = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def _stream(self) -> None:
                srv.script = list(srv.scripts[min(len(srv.requests), len(srv.scripts)) - 1])
                super()._stream()

        return Handler

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        options = types.HttpOptions(base_url=self.base_url)
        return genai.Client(api_key="test", http_options=options)


def response(
    parts: list[dict[str, Any]],
    finish: str | None = None,
    usage: dict[str, int] | None = None,
    response_id: str = "resp-1",
) -> dict[str, Any]:
    """One REST ``GenerateContentResponse`` (camelCase), as the API streams it."""
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {"candidates": [candidate], "modelVersion": MODEL}
    out["responseId"] = response_id
    if usage is not None:
        out["usageMetadata"] = usage
    return out


USAGE = {
    "promptTokenCount": 12,
    "candidatesTokenCount": 7,
    "thoughtsTokenCount": 5,
    "cachedContentTokenCount": 4,
    "totalTokenCount": 24,
}
THOUGHTFUL = [
    response([{"text": "The user wants ", "thought": True}]),
    response([{"text": "the weather.", "thought": True, "thoughtSignature": "c2lnbmF0dXJl"}]),
    response([{"text": "Let me "}]),
    response([{"text": "check."}]),
    response(
        [{"functionCall": {"name": "get_weather", "args": {"city": "Paris", "days": 2}}}],
        finish="STOP",
        usage=USAGE,
    ),
]


def frames(items: list[dict[str, Any]]) -> list[bytes]:
    return [frame(item) for item in items]


def parts_of(chunks: list[Any]) -> list[Any]:
    return [
        part
        for chunk in chunks
        if chunk.candidates and chunk.candidates[0].content
        for part in chunk.candidates[0].content.parts or ()
    ]


def library_text(chunks: list[Any], *, thought: bool) -> str:
    return "".join(p.text for p in parts_of(chunks) if p.text and bool(p.thought) == thought)


def stream(srv: GeminiServer, **config: Any) -> list[Any]:
    cfg = types.GenerateContentConfig(**config) if config else None
    client = srv.client()  # held: a collected client closes its connections
    return list(client.models.generate_content_stream(model=MODEL, contents="hi", config=cfg))


def test_text_thoughts_function_call_usage_and_finish() -> None:
    with GeminiServer(frames(THOUGHTFUL)) as srv:
        chunks = stream(srv)
        assert srv.requests[0]["path"].endswith(f"{MODEL}:streamGenerateContent?alt=sse")
    assert detect_format(chunks[0]) == "google-genai"
    events = list(nbagent.iter_events(iter(chunks)))
    t = nbagent.Transcript.from_events(events)
    assert t.text == library_text(chunks, thought=False) == "Let me check."
    assert t.thinking == library_text(chunks, thought=True) == "The user wants the weather."
    assert t.text not in t.thinking
    assert "weather." not in t.text
    (signature,) = [e.signature for e in events if isinstance(e, MessageEnd) and e.signature]
    assert signature == "c2lnbmF0dXJl"  # the SDK's bytes, back in the API's base64
    (call,) = [p.function_call for p in parts_of(chunks) if p.function_call]
    (tool,) = t.tool_calls
    assert (
        (tool.name, tool.args)
        == (call.name, call.args)
        == ("get_weather", {"city": "Paris", "days": 2})
    )
    meta = chunks[-1].usage_metadata
    assert t.usage.input_tokens == meta.prompt_token_count == 12
    assert t.usage.output_tokens == meta.candidates_token_count + meta.thoughts_token_count
    assert t.usage.reasoning_tokens == meta.thoughts_token_count == 5
    assert t.usage.cached_input_tokens == meta.cached_content_token_count == 4
    assert t.usage.total_tokens == meta.total_token_count == 24
    end = events[-1]
    assert isinstance(end, RunEnd)
    # the model asked for a call the stream leaves unanswered (no automatic function calling)
    assert (end.reason, end.raw_reason) == ("tool_calls", "STOP")
    d = t.to_dict()
    assert d["model"] == MODEL
    assert [s["finish_reason"] for s in d["steps"]] == ["completed"]


def get_weather(city: str) -> dict[str, Any]:
    """The weather of a city."""
    return {"city": city, "temp_c": 21 if city == "Paris" else 9}


def afc_scripts() -> tuple[list[bytes], list[bytes], list[bytes]]:
    first = [
        response([{"text": "Two cities.", "thought": True}]),
        response(
            [
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}},
            ],
            finish="STOP",
            usage={"promptTokenCount": 20, "candidatesTokenCount": 8, "totalTokenCount": 28},
        ),
    ]
    second = [
        response(
            [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
            finish="STOP",
            usage={"promptTokenCount": 40, "candidatesTokenCount": 4, "totalTokenCount": 44},
            response_id="resp-2",
        )
    ]
    third = [
        response([{"text": "Paris 21C, "}], response_id="resp-3"),
        response(
            [{"text": "Oslo 9C."}],
            finish="STOP",
            usage={"promptTokenCount": 60, "candidatesTokenCount": 6, "totalTokenCount": 66},
            response_id="resp-3",
        ),
    ]
    return frames(first), frames(second), frames(third)


def check_afc(events: list[Event], chunks: list[Any], srv: GeminiServer) -> None:
    t = nbagent.Transcript.from_events(events)
    assert t.text == library_text(chunks, thought=False) == "Paris 21C, Oslo 9C."
    assert t.thinking == "Two cities."
    # the results the SDK sent back to the model, in its own words
    sent = [
        part["functionResponse"]["response"]["result"]
        for content in srv.requests[-1]["body"]["contents"]
        for part in content["parts"]
        if "functionResponse" in part
    ]
    assert [(c.name, c.args, c.result, c.state) for c in t.tool_calls] == [
        ("get_weather", {"city": "Paris"}, sent[0], "done"),
        ("get_weather", {"city": "Oslo"}, sent[1], "done"),
        ("get_weather", {"city": "Paris"}, sent[2], "done"),
    ]
    assert sent == [get_weather("Paris"), get_weather("Oslo"), get_weather("Paris")]
    steps = [e for e in events if isinstance(e, StepStart)]
    assert [s.step_id for s in steps] == ["resp-1", "resp-2", "resp-3"]
    usages = [e for e in events if isinstance(e, Usage)]
    assert [u.step_id for u in usages] == ["resp-1", "resp-2", "resp-3"]
    assert (t.usage.input_tokens, t.usage.output_tokens) == (120, 18)
    assert (events[-1].reason, len(srv.requests)) == ("completed", 3)  # type: ignore[attr-defined]


def test_automatic_function_calling_results_come_from_the_sdk() -> None:
    with GeminiServer(*afc_scripts()) as srv:
        chunks = stream(srv, tools=[get_weather])
        events = list(nbagent.iter_events(iter(chunks)))
        check_afc(events, chunks, srv)


def test_async_client_with_automatic_function_calling() -> None:
    async def main(srv: GeminiServer) -> tuple[list[Event], list[Any]]:
        chunks: list[Any] = []
        client = srv.client()
        config = types.GenerateContentConfig(tools=[get_weather])
        source = await client.aio.models.generate_content_stream(
            model=MODEL, contents="weather?", config=config
        )

        async def tee() -> Any:
            async for chunk in source:
                chunks.append(chunk)
                yield chunk

        events = [e async for e in nbagent.aiter_events(tee())]
        return events, chunks

    with GeminiServer(*afc_scripts()) as srv:
        events, chunks = aio.run(main(srv))
        check_afc(events, chunks, srv)


def test_a_chat_stream_shows_its_model_calls() -> None:
    """``Chat.send_message_stream`` runs the functions but keeps their responses in the chat's
    history, not in the chunks: the calls and every model call show, the results do not."""
    with GeminiServer(*afc_scripts()) as srv:
        client = srv.client()
        chat = client.chats.create(
            model=MODEL, config=types.GenerateContentConfig(tools=[get_weather])
        )
        chunks = list(chat.send_message_stream("weather?"))
        t = nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks)))
    assert t.text == "Paris 21C, Oslo 9C."
    assert [c.args for c in t.tool_calls] == [
        {"city": "Paris"},
        {"city": "Oslo"},
        {"city": "Paris"},
    ]
    assert [s["id"] for s in t.to_dict()["steps"]] == ["resp-1", "resp-2", "resp-3"]
    assert t.to_dict()["end_reason"] == "completed"


def test_rest_dicts_through_nbagent_sse() -> None:
    with GeminiServer(frames(THOUGHTFUL)) as srv:
        with GeminiServer(frames(THOUGHTFUL)) as sdk_srv:
            chunks = stream(sdk_srv)
        from_sdk = nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks)))
        source = nbagent.sse(srv.base_url + f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse")
        t = nbagent.Transcript.from_events(nbagent.iter_events(source))
    assert (t.text, t.thinking) == (from_sdk.text, from_sdk.thinking)
    assert t.usage == from_sdk.usage
    assert [(c.name, c.args) for c in t.tool_calls] == [
        (c.name, c.args) for c in from_sdk.tool_calls
    ]


def test_show_reads_the_sdk_stream() -> None:
    script = [response([{"text": "Hi "}]), response([{"text": "there."}], finish="STOP")]
    with GeminiServer(frames(script)) as srv:
        client = srv.client()
        run = nbagent.show(client.models.generate_content_stream(model=MODEL, contents="hi"))
        t = run.wait(PATIENCE)
    assert run.format == "google-genai"
    assert (t.text, t.to_dict()["status"], t.to_dict()["end_reason"]) == (
        "Hi there.",
        "completed",
        "completed",
    )


@pytest.mark.parametrize(
    ("finish", "reason"),
    [
        ("MAX_TOKENS", "max_tokens"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("OTHER", "unknown"),
    ],
)
def test_finish_reasons(finish: str, reason: str) -> None:
    script = [response([{"text": "Partial"}]), response([], finish=finish)]
    with GeminiServer(frames(script)) as srv:
        chunks = stream(srv)
    events = list(nbagent.iter_events(iter(chunks)))
    end = events[-1]
    assert isinstance(end, RunEnd)
    assert (end.reason, end.raw_reason) == (reason, finish)


def test_a_blocked_prompt_is_a_content_filter_end() -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 3},
    }
    assert detect_format(blocked) == "google-genai"
    with GeminiServer(frames([blocked])) as srv:
        chunks = stream(srv)
    events = list(nbagent.iter_events(iter(chunks)))
    assert (events[-1].reason, events[-1].raw_reason) == ("content_filter", "SAFETY")  # type: ignore[attr-defined]


def test_a_cut_stream_is_incomplete_and_an_error_ends_it() -> None:
    _, out = fold(GoogleGenaiAdapter(), [response([{"text": "Hal"}])])
    assert isinstance(out[-1], RunEnd)
    assert out[-1].reason == "incomplete"
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    _, out = fold(GoogleGenaiAdapter(), [response([{"text": "Hal"}]), error])
    t = nbagent.Transcript.from_events(out)
    assert t.text == "Hal"
    d = t.to_dict()
    assert (d["status"], d["end_reason"]) == ("error", "error")
    assert "overloaded" in d["error"]["message"]


def test_streamed_partial_args_make_one_call() -> None:
    """Agent Platform's ``stream_function_call_arguments``: one call in pieces."""
    items = [
        response([{"functionCall": {"name": "write", "willContinue": True}}]),
        response(
            [
                {
                    "functionCall": {
                        "partialArgs": [
                            {"jsonPath": "$.path", "stringValue": "a.txt"},
                            {"jsonPath": "$.body", "stringValue": "Hel", "willContinue": True},
                        ],
                        "willContinue": True,
                    }
                }
            ]
        ),
        response(
            [
                {
                    "functionCall": {
                        "partialArgs": [
                            {"jsonPath": "$.body", "stringValue": "lo"},
                            {"jsonPath": "$.tags[1]", "stringValue": "b"},
                            {"jsonPath": "$.n", "numberValue": 2},
                        ]
                    }
                }
            ],
            finish="STOP",
        ),
    ]
    raw, out = fold(GoogleGenaiAdapter(), items)
    (tool,) = nbagent.Transcript.from_events(out).tool_calls
    assert (tool.name, tool.args) == (
        "write",
        {"path": "a.txt", "body": "Hello", "tags": [None, "b"], "n": 2},
    )
    assert not any(isinstance(e, ToolCallArgsDelta) for e in raw)


def test_a_number_piece_after_a_continued_string_at_a_list_position_replaces_it() -> None:
    """A ``numberValue`` piece at a path whose string was left to continue: the number
    replaces the string, as at an object's key (it raised ``TypeError`` out of ``feed``)."""
    pieces = [
        {"jsonPath": "$.xs[0]", "stringValue": "a", "willContinue": True},
        {"jsonPath": "$.xs[0]", "numberValue": 3},
    ]
    items = [
        response(
            [{"functionCall": {"name": "f", "partialArgs": pieces[:1], "willContinue": True}}]
        ),
        response([{"functionCall": {"partialArgs": pieces[1:]}}], finish="STOP"),
    ]
    _, out = fold(GoogleGenaiAdapter(), items)
    (tool,) = nbagent.Transcript.from_events(out).tool_calls
    assert tool.args == {"xs": [3]}


def test_code_execution_is_a_server_call_with_its_result() -> None:
    items = [
        response(
            [
                {"executableCode": {"language": "PYTHON", "code": "print(6*7)"}},
                {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "42\n"}},
                {"text": "It is 42."},
            ],
            finish="STOP",
        )
    ]
    _, out = fold(GoogleGenaiAdapter(), items)
    t = nbagent.Transcript.from_events(out)
    (tool,) = t.tool_calls
    assert (tool.name, tool.args, tool.result, tool.state) == (
        "code_execution",
        {"language": "PYTHON", "code": "print(6*7)"},
        "42\n",
        "done",
    )
    assert t.text == "It is 42."
    assert out[-1].reason == "completed"  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", [None, 3, [1], "not json", b"\xff"])
def test_bad_items_raise_bad_item_error(bad: Any) -> None:
    with pytest.raises(BadItemError):
        GoogleGenaiAdapter().feed(bad)


def test_detection_claims_only_gemini_responses() -> None:
    assert GoogleGenaiAdapter.detect(json.dumps(THOUGHTFUL[0]))
    assert not GoogleGenaiAdapter.detect({"choices": []})
    assert not GoogleGenaiAdapter.detect({"candidates": []})
    assert not GoogleGenaiAdapter.detect({"type": "message_start"})
    assert not GoogleGenaiAdapter.detect("hello")


FIXTURES = Path(__file__).parent.parent / "fixtures" / "google-genai"
ENDS = {
    "blocked_prompt": "content_filter",
    "code_execution": "completed",
    "continuation": "interrupted",
    "error_mid_stream": "error",
    "image": "completed",
    "image_thoughts": "completed",
    "max_tokens": "max_tokens",
    "partial_args": "tool_calls",
    "speech": "completed",
    "thoughts_text_call": "tool_calls",
}


@pytest.mark.parametrize("name", sorted(ENDS))
@pytest.mark.parametrize("form", ["dicts", "json", "sse", "sdk"])
def test_recorded_streams_in_every_form(name: str, form: str) -> None:
    lines = (FIXTURES / f"{name}.jsonl").read_text().splitlines()
    items: list[Any] = [json.loads(line) for line in lines]
    if form == "json":
        items = lines
    elif form == "sse":
        items = [ServerSentEvent(data=line) for line in lines]
    elif form == "sdk":  # the SDK's own parsing of the REST shape
        if name == "error_mid_stream":
            pytest.skip("the SDK raises on an error payload")
        items = [types.GenerateContentResponse._from_response(response=d, kwargs={}) for d in items]
    assert detect_format(items[0]) == "google-genai"
    raw, out = fold(GoogleGenaiAdapter(), items)
    assert [type(e) for e in raw].count(RunEnd) == 1
    assert out[-1].reason == ENDS[name]  # type: ignore[attr-defined]


CONTINUED = [json.loads(ln) for ln in (FIXTURES / "continuation.jsonl").read_text().splitlines()]
"""A response paused at the per-request token limit (``CONTINUATION``, its token)."""
RESUMED = [response([{"text": " in the next request."}], finish="STOP", response_id="resp-c2")]


def test_a_continuation_with_automatic_continuation_off_is_a_pause() -> None:
    """The stream ends on ``CONTINUATION``: a pause the user resumes (``interrupted``, a note
    saying how), not "the stream ended without a finish reason"; what came is kept."""
    with GeminiServer(frames(CONTINUED)) as srv:
        chunks = stream(srv, automatic_continuation=False)
        source = nbagent.sse(srv.base_url + f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse")
        via_sse = nbagent.Transcript.from_events(nbagent.iter_events(source))
    assert len(srv.requests) == 2  # the SDK's request and nbagent.sse's: no continuation
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.CONTINUATION
    for t in (nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks))), via_sse):
        d = t.to_dict()
        assert (d["status"], d["end_reason"], d["error"]) == ("completed", "interrupted", None)
        assert t.text == "The first chapter of a long story, to be continued"
        (note,) = [b for b in d["blocks"] if b["type"] == "note"]
        assert "continuation_token" in note["text"]
        assert d["steps"][-1]["finish_reason"] == "interrupted"


def test_automatic_continuation_goes_on_in_the_same_stream() -> None:
    """With the SDK's automatic continuation (its default) the next request's answer comes in
    the same stream: one answer, completed."""
    with GeminiServer(frames(CONTINUED), frames(RESUMED)) as srv:
        chunks = stream(srv)
    assert len(srv.requests) == 2  # the SDK continued
    t = nbagent.Transcript.from_events(nbagent.iter_events(iter(chunks)))
    assert t.text == "The first chapter of a long story, to be continued in the next request."
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert not [b for b in t.to_dict()["blocks"] if b["type"] == "note"]
