"""``nbagent.sources.http.sse``: sync and async against a real 127.0.0.1 server."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import nbagent
from nbagent.adapters.base import ServerSentEvent as SSE
from nbagent.sources import is_async_source
from nbagent.sources.http import HTTPStatusError, SSESource, sse
from tests import aio
from tests.sse_servers import Drop, Pause, SSEServer, frame
from tests.wait import PATIENCE, wait_for

SCRIPT = [
    b"\xef\xbb\xbf: hello\n\n",
    frame({"chunk": "Hel"}, id="1"),
    b'data: {"chunk": "l',  # an event split across HTTP chunks
    b'o"}\r',
    b"\n\r\n",
    "data: 🎉\n\n".encode()[:8],  # a character split across chunks
    "data: 🎉\n\n".encode()[8:],
    frame("[DONE]", event="done"),
]
WANT = [
    SSE('{"chunk": "Hel"}', id="1"),
    SSE('{"chunk": "lo"}', id="1"),
    SSE("🎉", id="1"),
    SSE("[DONE]", "done", id="1"),
]


def collect_async(src: SSESource) -> list[SSE]:
    async def run() -> list[SSE]:
        return [ev async for ev in src]

    return aio.run(run())


def test_source_shape() -> None:
    src = sse("http://127.0.0.1:1/x", format="dexto")
    assert src.nbagent_format == "dexto"
    assert is_async_source(src)
    assert hasattr(src, "__iter__")
    assert callable(src.close)
    assert callable(src.aclose)


def test_sync_events_in_order() -> None:
    with SSEServer(SCRIPT, delay=0.01) as srv:
        got = list(sse(srv.url, json={"message": "hi"}, headers={"X-Test": "1"}))
    assert got == WANT
    req = srv.requests[-1]
    assert req["method"] == "POST"
    assert req["body"] == {"message": "hi"}
    assert req["headers"]["Accept"] == "text/event-stream"
    assert req["headers"]["Cache-Control"] == "no-store"
    assert req["headers"]["X-Test"] == "1"


def test_async_events_in_order() -> None:
    with SSEServer(SCRIPT, delay=0.01) as srv:
        got = collect_async(sse(srv.url, method="GET"))
    assert got == WANT
    assert srv.requests[-1]["method"] == "GET"
    assert srv.requests[-1]["body"] is None


def test_content_type_not_required() -> None:
    with SSEServer([frame("x")], content_type="text/plain") as srv:
        assert list(sse(srv.url)) == [SSE("x")]


@pytest.mark.parametrize("status", [500, 429])
def test_http_error_sync(status: int) -> None:
    body = {"error": {"message": "x" * 1000, "type": "server_error"}}
    with SSEServer([frame("never")], status=status, error_body=body) as srv:
        it = iter(sse(srv.url))
        with pytest.raises(HTTPStatusError) as info:
            next(it)
    err = info.value
    assert err.status_code == status
    assert str(status) in str(err)
    assert err.reason
    assert err.reason in str(err)
    assert '"server_error"' not in str(err)  # past the excerpt
    assert '{"error": {"message": "xxx' in str(err)
    assert len(str(err)) < 500


def test_http_error_async() -> None:
    with (
        SSEServer(status=500, error_body={"error": "boom"}) as srv,
        pytest.raises(HTTPStatusError, match=r'500 Internal Server Error.*"boom"'),
    ):
        collect_async(sse(srv.url))


def test_dropped_connection_raises_sync() -> None:
    with SSEServer([frame("a"), Drop()]) as srv:
        got: list[SSE] = []

        def read() -> None:
            got.extend(sse(srv.url))

        with pytest.raises(httpx.HTTPError):
            read()
    assert got == [SSE("a")]


def test_dropped_connection_raises_async() -> None:
    with SSEServer([frame("a"), Drop()]) as srv:
        got: list[SSE] = []

        async def run() -> None:
            async for ev in sse(srv.url):
                got.append(ev)  # noqa: PERF401 - keep what came before the drop

        with pytest.raises(httpx.HTTPError):
            aio.run(run())
    assert got == [SSE("a")]


def test_connection_refused_propagates() -> None:
    with SSEServer() as srv:
        url = srv.url
    with pytest.raises(httpx.ConnectError):
        list(sse(url))


def test_read_timeout_propagates_saying_how_long_the_server_was_silent() -> None:
    with (
        # Silent far longer than the timeout (the server's stop ends the pause): a reader
        # held up by a loaded machine still finds nothing when it reads again.
        SSEServer([frame("a"), Pause(600, keepalive=False), frame("b")]) as srv,
        pytest.raises(httpx.ReadTimeout, match=r"no data from http://.* for 0.2 s"),
    ):
        list(sse(srv.url, read_timeout=0.2))


def test_close_mid_stream_sync_server_sees_disconnect() -> None:
    with SSEServer([frame("a")], poll=True) as srv:
        src = sse(srv.url)
        it = iter(src)
        assert next(it) == SSE("a")
        assert not srv.disconnected.is_set()
        src.close()
        assert srv.wait_disconnect(PATIENCE)  # the server probes until the client goes


def test_close_from_another_thread_while_blocked() -> None:
    import threading

    with SSEServer([frame("a"), Pause(600, keepalive=False), frame("b")]) as srv:
        src = sse(srv.url)
        got: list[SSE] = []
        errors: list[BaseException] = []

        def read() -> None:
            try:
                got.extend(src)
            except Exception as exc:  # noqa: BLE001 - recorded for the assertion
                errors.append(exc)

        t = threading.Thread(target=read)
        t.start()
        wait_for(lambda: got, what="the first event")  # then the reader blocks for 10 min
        src.close()
        t.join(PATIENCE)
        assert not t.is_alive()
    assert got == [SSE("a")]
    # Closed under the reader: it ends, or fails with httpx's error for a closed stream.
    assert all(isinstance(e, httpx.HTTPError) for e in errors), errors


def test_aclose_mid_stream_server_sees_disconnect() -> None:
    with SSEServer([frame("a")], poll=True) as srv:

        async def run() -> None:
            src = sse(srv.url)
            it = src.__aiter__()
            assert await it.__anext__() == SSE("a")
            assert not srv.disconnected.is_set()
            await src.aclose()

        aio.run(run())
        assert srv.wait_disconnect(PATIENCE)  # the server probes until the client goes


def test_cancelled_task_closes_response() -> None:
    with SSEServer([frame("a")], poll=True) as srv:

        async def run() -> None:
            src = sse(srv.url)

            reading = asyncio.Event()

            async def consume() -> None:
                async for _ in src:
                    reading.set()

            task = asyncio.create_task(consume())
            # Cancelled mid-stream: a task cancelled before its request has nothing to close.
            await asyncio.wait_for(reading.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await src.aclose()

        aio.run(run())
        assert srv.wait_disconnect(PATIENCE)


@pytest.mark.parametrize("chunked", [True, False])
def test_lenient_eof_flush(chunked: bool) -> None:
    with SSEServer([b"data: a\n\n", b"data: last"], chunked=chunked) as srv:
        assert list(sse(srv.url)) == [SSE("a"), SSE("last")]
        assert collect_async(sse(srv.url)) == [SSE("a"), SSE("last")]


def test_keepalives_only_then_events() -> None:
    with SSEServer([Pause(0.2), frame("a")]) as srv:
        assert list(sse(srv.url)) == [SSE("a")]


def test_user_client_is_reused_and_not_closed() -> None:
    with SSEServer([frame("a")]) as srv, httpx.Client() as client:
        assert list(sse(srv.url, client=client)) == [SSE("a")]
        assert list(sse(srv.url, client=client)) == [SSE("a")]
        assert not client.is_closed

        async def run() -> list[SSE]:
            async with httpx.AsyncClient() as aclient:
                return [ev async for ev in sse(srv.url, client=aclient)]

        assert aio.run(run()) == [SSE("a")]


def test_a_source_on_your_sync_client_is_shown_with_plain_for() -> None:
    """``show(sse(url, client=httpx.Client()))``: the run reads it with ``for`` in its thread
    (it used to take it for an async source and end in a TypeError)."""
    chunks = [frame({"choices": [{"index": 0, "delta": {"content": w}}]}) for w in ("a ", "b")]
    with SSEServer([*chunks, frame("[DONE]")]) as srv, httpx.Client() as client:
        src = sse(srv.url, client=client, format="openai-chat")
        assert not is_async_source(src)
        run = nbagent.show(src)
        assert (run.wait(PATIENCE).text, run.status) == ("a b", "completed")
        assert not client.is_closed


def test_wrong_client_kind() -> None:
    with pytest.raises(TypeError):
        list(sse("http://127.0.0.1:1/", client=httpx.AsyncClient()))


def test_closed_source_sends_no_request() -> None:
    with SSEServer([frame("a")]) as srv:
        src = sse(srv.url)
        assert list(src) == [SSE("a")]
        assert list(src) == []  # readable once
        src2 = sse(srv.url)
        src2.close()
        assert list(src2) == []
        assert collect_async(src2) == []
    assert len(srv.requests) == 1
