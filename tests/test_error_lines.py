"""A run's error names the server it could not reach (issue 49): real refused connections on
127.0.0.1 (a free port with nothing listening) through ``nbagent.sse``, ``nbagent.websocket``,
nbagent's ``Agent`` on an ``openai.AsyncOpenAI``, a sync ``openai`` stream and ``watch()``;
a stream that breaks names it too; other errors say what they always said. Where one line
fits, ``first_line`` says an error in its first line that says something, an empty one by
its type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

import nbagent
from nbagent import Event
from nbagent.agent.agent import Agent
from nbagent.core.errors import at_url, error_message, error_text, first_line
from nbagent.transcript.transcript import Transcript
from tests import aio
from tests.ports import free_port
from tests.servers import Drop, OpenAIServer, chunk

WAIT_S = 30  # a bound on a hang, never a measure


@pytest.fixture
def port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then let go)."""
    return free_port()


def refused(port: int, kind: str = "") -> str:
    """The error's words (after ``kind: ``, the exception's class, when given)."""
    words = f"cannot connect to 127.0.0.1:{port}: connection refused"
    return f"{kind}: {words}" if kind else words


def ended(events: list[Event]) -> dict[str, Any]:
    """The run's state; it ended ``error`` (a refused connection is not ``incomplete``)."""
    state = Transcript.from_events(events).to_dict()
    assert (state["status"], state["end_reason"]) == ("error", "error"), state
    return state


def read_async(source: Any) -> list[Event]:
    async def go() -> list[Event]:
        return [ev async for ev in nbagent.aiter_events(source)]

    return aio.run(go())


def test_sse_sync_and_async_name_host_and_port(port: int) -> None:
    url = f"http://127.0.0.1:{port}/stream"
    for events in (
        list(nbagent.iter_events(nbagent.sse(url))),
        read_async(nbagent.sse(url)),
    ):
        assert ended(events)["error"]["message"] == refused(port, "ConnectError")


def test_websocket_sync_and_async_name_host_and_port(port: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws"
    sync = list(nbagent.iter_events(iter(nbagent.websocket(url))))
    assert ended(sync)["error"]["message"] == refused(port, "ConnectionRefusedError")
    assert ended(read_async(nbagent.websocket(url)))["error"]["message"] == refused(
        port, "ConnectionRefusedError"
    )


def test_an_agent_names_its_clients_base_url(port: int) -> None:
    client = openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="t", max_retries=0)

    async def go() -> list[Event]:
        try:
            return [ev async for ev in Agent("m", client=client).stream("hi")]
        finally:
            await client.close()

    state = ended(aio.run(go()))
    assert state["error"]["message"] == refused(port, "APIConnectionError")
    assert state["error"]["error_type"] == "APIConnectionError"


def test_a_sync_openai_stream_names_the_server(port: int) -> None:
    client = openai.OpenAI(base_url=f"http://localhost:{port}/v1", api_key="t", max_retries=0)

    def answer() -> Iterator[Any]:  # the stream as a cell makes it: create() raises here
        yield from client.chat.completions.create(model="m", messages=[], stream=True)

    state = ended(list(nbagent.iter_events(answer())))
    # the host as the URL says it (a name stays a name)
    assert state["error"]["message"].startswith(
        f"APIConnectionError: cannot connect to localhost:{port}: "
    )


def test_a_stream_that_breaks_names_the_server_and_ends_incomplete() -> None:
    script = [chunk("", role="assistant"), chunk("half"), Drop()]
    with OpenAIServer(script=script) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="t", max_retries=0, timeout=WAIT_S)
        stream = client.chat.completions.create(model="m", messages=[], stream=True)
        events = list(nbagent.iter_events(stream))
        port = srv.port
    state = Transcript.from_events(events).to_dict()
    assert (state["end_reason"], Transcript.from_events(events).text) == ("incomplete", "half")
    message = state["error"]["message"]
    assert message.startswith("APIConnectionError: Connection error.")  # the SDK's words kept
    assert message.endswith(f"(from 127.0.0.1:{port})")


@pytest.mark.parametrize("scope", ["client", "block"])
def test_watch_of_a_call_that_cannot_connect(port: int, scope: str) -> None:
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="t", max_retries=0)
    target = (client,) if scope == "client" else ()
    with pytest.raises(openai.APIConnectionError), nbagent.watch(*target) as w:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    run = w.runs[0] if scope == "client" else w
    t = run.wait(timeout=WAIT_S)
    assert t.error is not None
    assert t.error["message"] == refused(port, "APIConnectionError")
    # the call's own failure, shown at its step, says where too
    assert [(w["error_type"], w["message"]) for w in t.warnings] == [
        ("APIConnectionError", refused(port))
    ]


# -- the helper --------------------------------------------------------------------------------


def test_errors_that_are_not_the_transports_say_what_they_said() -> None:
    assert error_message(RuntimeError("the model crashed")) == "RuntimeError: the model crashed"
    assert error_message(KeyError()) == "KeyError"
    # a refusal that says nowhere (no request, no URL) keeps its words
    assert error_message(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    # the user's own exception raised while handling a transport error is the user's words
    wrapper = ValueError("no model today")
    wrapper.__cause__ = httpx.ConnectError(
        "refused", request=httpx.Request("POST", "http://127.0.0.1:9/v1")
    )
    assert error_message(wrapper) == "ValueError: no model today"


def test_the_place_is_the_urls_with_the_schemes_port() -> None:
    for url, place in [
        ("https://api.example.org/v1/chat", "api.example.org:443"),
        ("http://[::1]:8765/v1", "[::1]:8765"),
        ("ws://127.0.0.1/ws", "127.0.0.1:80"),
    ]:
        exc = httpx.ConnectTimeout("", request=httpx.Request("GET", url))
        assert error_text(exc) == f"cannot connect to {place}: timed out"


def test_a_text_that_names_the_server_is_not_told_it_twice() -> None:
    request = httpx.Request("GET", "http://127.0.0.1:8765/stream")
    said = httpx.ReadTimeout("no data from http://127.0.0.1:8765/stream for 1 s", request=request)
    assert error_text(said) == str(said)
    silent = httpx.ReadTimeout("timed out", request=request)
    assert error_text(silent) == "timed out (from 127.0.0.1:8765)"


def test_at_url_marks_what_a_library_raised_and_re_raises_it() -> None:
    with pytest.raises(TimeoutError) as info, at_url("wss://agent.example/ws"):
        raise TimeoutError("timed out during opening handshake")
    assert error_message(info.value) == (
        "TimeoutError: timed out during opening handshake (from agent.example:443)"
    )


def test_first_line_is_the_first_that_says_something_else_the_type() -> None:
    assert first_line(RuntimeError("\n  worker died  \ntraceback ...")) == "worker died"
    assert first_line(ValueError("bad\nmore"), typed=True) == "ValueError: bad"
    for empty in (RuntimeError(""), RuntimeError(), RuntimeError(" \n \n")):
        assert first_line(empty) == "RuntimeError"  # an empty message: no IndexError
        assert first_line(empty, typed=True) == "RuntimeError"
