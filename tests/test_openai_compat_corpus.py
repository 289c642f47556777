"""The streams OpenAI-compatible servers and gateways really send, and what a user must read.

``tests/fixtures/openai_compat/<class>/<case>.sse`` is a response body as the server writes it
(every byte: comments, ``event:`` and ``id:`` lines, ``[DONE]``); ``<case>.json`` names the
server and where the shape comes from (``source``: a public issue, doc or recording; a variant
this corpus made up says "constructed") and holds ``want``, the folded transcript: status, end
reason, text, thinking, each tool call (``name`` and ``args``, or the raw ``arguments`` with
``is_error`` and a piece of the error), usage when the server sent it, the same both ways the
case is read; ``note_via_openai`` says what nbagent does for the ``openai`` client there,
``unsettled`` where the spec leaves the reading open and which one the case takes.

Each case is read two ways, as users read them: through the ``openai`` client's own
``Stream`` (served by ``httpx.MockTransport``) passed to ``nbagent.iter_events``, and through
``nbagent.sse`` against a real HTTP server on 127.0.0.1 (one for the module, a path per case).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

import nbagent
from nbagent.transcript.fold import numbers
from tests.sse_servers import SSEServer

CORPUS = Path(__file__).parent / "fixtures" / "openai_compat"
CLASSES = {
    "think_close_only": "a </think> closing a block the chat template opened in the prompt",
    "reasoning_shapes": "reasoning as an object, a list, or OpenRouter's reasoning_details",
    "keepalive": "keep-alives before (or between) the data frames",
    "done_without_finish": "[DONE] (or a clean close) with no finish_reason ever sent",
    "tool_arguments": "arguments duplicated, concatenated or double-encoded",
    "call_fields": "tool_calls and the deprecated function_call in the same stream",
    "usage_shapes": "usage outside the top-level field: Groq's x_groq, an error chunk's",
    "plain": "streams that work today, kept working",
}
CASES = sorted(f"{p.parent.name}/{p.stem}" for p in CORPUS.glob("*/*.sse"))
REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
"""What both readings ask the server (the corpus answers whatever is asked)."""


@dataclass(frozen=True)
class Case:
    """One recorded shape: its wire body and its expectation file."""

    name: str
    body: bytes
    meta: dict[str, Any]

    def want(self) -> dict[str, Any]:
        return dict(self.meta["want"])


def load(name: str) -> Case:
    path = CORPUS / f"{name}.sse"
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return Case(name, path.read_bytes(), meta)


def frames(body: bytes) -> list[bytes]:
    """The body cut after each blank line: one HTTP chunk per event, as servers flush them."""
    return [piece for piece in re.split(rb"(?<=\n\n)|(?<=\r\n\r\n)", body) if piece]


def via_openai_client(body: bytes) -> nbagent.Transcript:
    """The body read by ``openai``'s ``Stream``, folded from ``nbagent.iter_events``."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    # openai types http_client as httpx2.Client; it takes the httpx.Client users pass as well
    client = openai.OpenAI(base_url="http://model.test/v1", api_key="x", http_client=http)  # type: ignore[arg-type]
    with http:
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        return nbagent.Transcript.from_events(nbagent.iter_events(stream))


def via_nbagent_sse(url: str) -> nbagent.Transcript:
    """The body read from a real HTTP server by ``nbagent.sse`` (format detected)."""
    return nbagent.Transcript.from_events(nbagent.iter_events(nbagent.sse(url, json=REQUEST)))


def read(t: nbagent.Transcript, want: dict[str, Any]) -> dict[str, Any]:
    """What the user reads of ``t``, in ``want``'s terms (ends of text and thinking stripped:
    whitespace around a think tag is the splitter's choice, not the answer)."""
    calls = want["tool_calls"]
    got: dict[str, Any] = {
        "status": t.status,
        "end_reason": t.end_reason,
        "text": t.text.strip(),
        "thinking": t.thinking.strip(),
        "tool_calls": [
            call_read(c, calls[i] if i < len(calls) else {}) for i, c in enumerate(t.tool_calls)
        ],
    }
    if "usage" in want:
        got["usage"] = {k: getattr(t.usage, k) for k in want["usage"]}
    if "error" in want:
        error = t.to_dict().get("error") or {}
        message = str(error.get("message", ""))
        got["error"] = want["error"] if want["error"] in message else message
    return got


def call_read(call: Any, want: dict[str, Any]) -> dict[str, Any]:
    """A tool call as ``want`` describes it; one the case does not expect, by name and text."""
    if not want:
        return {"name": call.name, "arguments": call.arguments}
    if "args" in want:
        return {"name": call.name, "args": call.args, "is_error": call.is_error}
    said = f"{call.parse_error or ''} {call.result or ''}"
    return {
        "name": call.name,
        "arguments": call.arguments,
        "args": call.args,
        "is_error": call.is_error,
        "error": want["error"] if want["error"] in said else said.strip(),
    }


def expected(want: dict[str, Any]) -> dict[str, Any]:
    """``want`` as ``read`` gives it: a good call is also not an error; a bad one has no args."""
    out = dict(want)
    out["text"], out["thinking"] = want["text"].strip(), want["thinking"].strip()
    out["tool_calls"] = [
        {**c, "is_error": False} if "args" in c else {**c, "args": None} for c in want["tool_calls"]
    ]
    return out


@pytest.fixture(scope="module")
def server() -> Iterator[SSEServer]:
    routes = {f"/{name}": frames(load(name).body) for name in CASES}
    with SSEServer(routes=routes) as srv:
        yield srv


@pytest.mark.parametrize("name", CASES)
def test_read_through_the_openai_client(name: str) -> None:
    case = load(name)
    want = case.want()
    assert read(via_openai_client(case.body), want) == expected(want)


@pytest.mark.parametrize("name", CASES)
def test_read_through_nbagent_sse(name: str, server: SSEServer) -> None:
    case = load(name)
    want = case.want()
    t = via_nbagent_sse(f"http://127.0.0.1:{server.port}/{name}")
    assert read(t, want) == expected(want)
    assert server.requests[-1]["path"] == f"/{name}"


@pytest.mark.parametrize("name", [n for n in CASES if "usage" in load(n).want()])
def test_reported_usage_is_no_estimate(name: str) -> None:
    """Tokens the server counted (anywhere it puts them) are the run's: its output count and
    rate are not guessed from the chunks (no "≈")."""
    state = via_openai_client(load(name).body).to_dict()
    assert numbers.output_tokens(state) == (load(name).want()["usage"]["output_tokens"], False)


def test_groqs_usage_is_priced_as_groqs() -> None:
    """Groq's model names are priced in Groq's list: a chunk with ``x_groq`` says whose."""
    pytest.importorskip("genai_prices")  # the price table (not on every Python)
    state = via_openai_client(load("usage_shapes/groq_x_groq_usage").body).to_dict()
    assert state["cost_usd"] > 0


def test_every_case_names_its_server_and_source() -> None:
    assert CASES, f"no .sse under {CORPUS}"
    for name in CASES:
        meta = load(name).meta
        assert meta.get("server"), name
        assert meta.get("source"), name
        source = meta["source"]
        assert source.startswith("constructed") or "https://" in source, name
        assert set(meta["want"]) >= {"status", "end_reason", "text", "thinking", "tool_calls"}, name


def test_every_class_has_cases_and_real_sources() -> None:
    seen = {name.split("/")[0] for name in CASES}
    assert seen == set(CLASSES)
    for cls in CLASSES:
        real = [
            n
            for n in CASES
            if n.startswith(f"{cls}/") and not load(n).meta["source"].startswith("constructed")
        ]
        assert real, f"{cls}: every case is constructed; keep at least one shape a server sent"
