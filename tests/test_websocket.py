"""nbagent.websocket against a real WebSocket server on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from websockets.sync.server import ServerConnection, serve

import nbagent
from nbagent.core.events import TextDelta
from nbagent.runtime.run import Run
from tests import aio
from tests.wait import PATIENCE, wait_for


class Server:
    """Sends ``script`` (dicts as JSON, str as text, bytes as binary messages) after the
    client's first message."""

    def __init__(self, script: Iterable[Any], *, delay: float = 0.0, drop: bool = False) -> None:
        self.script = script
        self.delay = delay
        self.drop = drop
        self.received: list[Any] = []
        self.disconnected = threading.Event()
        self._server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handle(self, ws: ServerConnection) -> None:
        try:
            raw = ws.recv(timeout=5)
            try:
                self.received.append(json.loads(raw))
            except ValueError:
                self.received.append(raw)
            for item in self.script:
                ws.send(item if isinstance(item, (str, bytes)) else json.dumps(item))
                time.sleep(self.delay)
            if self.drop:
                # No close frame: an abnormal end. shutdown() first: websockets < 17 (the
                # newest for Python 3.10) has a thread blocked reading this socket, which
                # keeps a bare close() from ever sending the FIN.
                ws.socket.shutdown(socket.SHUT_RDWR)
                ws.socket.close()
                return
            ws.close()
        except Exception:  # noqa: BLE001 - the client went away: that is what we record
            pass
        finally:
            self.disconnected.set()

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(5)
        # websockets < 17 makes its shutdown notifier with os.pipe() and never closes it;
        # the fault tests count file descriptors left behind.
        for end in (self._server.shutdown_watcher, self._server.shutdown_notifier):
            if isinstance(end, int):
                os.close(end)


def event(delta: str) -> dict[str, Any]:
    return TextDelta(message_id="m", delta=delta).to_dict()


def text_of(events: list[nbagent.Event]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextDelta))


def test_sync_messages_in_order_and_the_first_message_sent() -> None:
    with Server([event("Hello "), event("socket")]) as srv:
        events = list(nbagent.iter_events(nbagent.websocket(srv.url, send={"prompt": "hi"})))
    assert text_of(events) == "Hello socket"
    assert srv.received == [{"prompt": "hi"}]
    assert events[-1].kind == "run_end"
    assert events[-1].reason == "completed"


def test_async_messages_and_plain_text() -> None:
    async def main() -> list[nbagent.Event]:
        source = nbagent.websocket(srv.url, send="go", format="text")
        return [ev async for ev in nbagent.aiter_events(source)]

    with Server(['"quoted" ', "plain words"]) as srv:
        events = aio.run(main())
    assert text_of(events) == '"quoted" plain words'
    assert srv.received == ["go"]


def test_a_dropped_connection_ends_incomplete_and_keeps_the_text() -> None:
    with Server([event("partial")], drop=True) as srv:
        events = list(nbagent.iter_events(nbagent.websocket(srv.url, send={})))
    assert text_of(events) == "partial"
    assert events[-1].reason == "incomplete"  # no terminal event: "stream ended unexpectedly"


def _endless() -> Iterator[dict[str, Any]]:
    """Words until the client goes: the server's end can only be the client's doing."""
    for i in itertools.count():
        yield event(f"w{i} ")


def test_stop_is_a_disconnect_the_server_sees() -> None:
    with Server(_endless(), delay=0.005) as srv:
        # Outside a kernel an async-iterable source runs on a thread with its own loop. Start
        # it from a thread with no loop: Playwright's sync API (the browser tests, in the same
        # process) leaves a loop marked running in the main thread that nothing drives.
        run = Run(nbagent.websocket(srv.url, send={}), display=False)
        starter = threading.Thread(target=run.start)
        starter.start()
        starter.join()
        wait_for(lambda: "w1 " in run.transcript.text, what="two words")
        run.cancel()
        assert srv.disconnected.wait(PATIENCE), "the server never saw the client go"
        run.wait(PATIENCE)
    assert run.status == "cancelled"
    assert run.transcript.text.startswith("w0 w1 ")


def test_stop_of_a_sync_read_closes_the_connection() -> None:
    with Server(_endless(), delay=0.005) as srv:
        source = nbagent.websocket(srv.url, send={})
        events = nbagent.iter_events(source)
        seen = [next(events) for _ in range(5)]
        events.close()  # the consumer stops early: the source is closed
        assert srv.disconnected.wait(PATIENCE)
    assert seen[0].kind == "run_start"
