"""Faults, one table: each with a real source (a local SSE or WebSocket server, the openai
SDK against a local server, a generator), read by a Run with a recorded widget comm.

For every fault: the browser's state (the opening snapshot plus every ops message) equals
the final snapshot and the transcript, and shows what arrived and why the run stopped;
``status`` and ``end_reason`` say so; no thread, socket, file descriptor or loop task is
left behind; and a healthy run before and after it works in the same process.

Modes: ``thread`` (no running loop: nbagent reads the source on a thread of its own, with a
loop of its own for an async source) and ``loop`` (an async source runs as a task on a
running loop, as on the kernel's; ``tests/test_faults_kernel.py`` does a subset in a real
kernel).
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import gc
import json
import signal
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from types import AsyncGeneratorType, FrameType
from typing import Any

import httpx
import openai
import pytest

import nbagent
from nbagent.agent.agent import Agent
from nbagent.agent.run import AgentRun
from nbagent.pipeline.stream import apump
from nbagent.runtime.driver import Driver
from nbagent.runtime.loops import background_loop
from nbagent.runtime.run import Run, RunT
from nbagent.tools import Tool, abandoned_threads
from tests.leaks import footprint, left_behind
from tests.recording import RecordingComm, browser_state, customs, snapshots
from tests.servers import Drop, OpenAIServer, chunk, text_chunks
from tests.sse_servers import FIXTURES, Pause, Reset, SSEServer, fixture_frames, frame
from tests.test_agent import calls_step
from tests.test_websocket import Server as WebSocketServer
from tests.test_websocket import event
from tests.wait import PATIENCE, wait_for

THREAD, LOOP = "thread", "loop"
_STATUS = {"error": "error", "incomplete": "error", "expired": "error", "cancelled": "cancelled"}


@dataclass(frozen=True)
class Fault:
    """One fault: the server (a context manager, or none), the source read from it, and
    what the widget must show at the end."""

    name: str
    source: Callable[[Any], Any]  # the server (None without one) → a fresh source
    text: str  # what arrived: the answer shown
    end_reason: str
    why: str | None  # a part of the error shown (None: no error)
    serve: Callable[[], Any] = contextlib.nullcontext
    modes: tuple[str, ...] = (THREAD, LOOP)
    warnings: int = 0
    fmt: str = "auto"

    @property
    def status(self) -> str:
        return _STATUS.get(self.end_reason, "completed")


@pytest.fixture(autouse=True)
def unraisable(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A stream left for the garbage collector to close shows as an unraisable exception
    (an async generator's cleanup failing, a socket's ``__del__``): none may happen."""
    seen: list[str] = []

    def hook(args: Any) -> None:
        seen.append(
            f"{args.err_msg or 'Exception ignored in'}: {args.object!r}: {args.exc_value!r}"
        )

    monkeypatch.setattr(sys, "unraisablehook", hook)
    yield seen
    gc.collect()  # what only the collector closes is reported now, inside this test
    assert seen == []


# -- sources ---------------------------------------------------------------------------------


def failing_words() -> Iterator[str]:
    yield "Hello "
    yield "wor"
    raise RuntimeError("the model crashed")


async def failing_words_async() -> AsyncIterator[str]:
    for word in ("Hello ", "wor"):
        await asyncio.sleep(0.001)
        yield word
    raise RuntimeError("the model crashed")


def chunks(*words: str) -> list[bytes]:
    return [frame({"chunk": w}) for w in words]


def sse_server(*script: Any, **kw: Any) -> Callable[[], SSEServer]:
    return lambda: SSEServer(list(script), **kw)


def over_sse(**kw: Any) -> Callable[[SSEServer], Any]:
    return lambda srv: nbagent.sse(srv.url, json={"message": "hi"}, **kw)


def openai_stream(srv: OpenAIServer) -> Any:
    """The openai SDK's own sync Stream (a user's ``client.chat.completions.create``)."""
    client = openai.OpenAI(
        base_url=srv.base_url,
        api_key="test",
        max_retries=0,
        http_client=httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)),
    )
    messages: Any = [{"role": "user", "content": "hi"}]
    return client.chat.completions.create(model="m", messages=messages, stream=True)


def fixture_fault(fmt: str, name: str, what: str) -> Fault:
    """A recorded stream of ``tests/fixtures``, served as SSE; expectations from its
    ``.expected.json``."""
    frames = fixture_frames(fmt, name)
    assert frames is not None
    expected = json.loads((FIXTURES / fmt / f"{name}.expected.json").read_text())
    error = expected.get("error")  # a dict, its message alone (the seed formats) or absent
    if isinstance(error, dict):
        error = error["message"]
    if error is None and _STATUS.get(expected["end_reason"]) == "error":
        error = ""  # some message, whichever
    return Fault(
        f"{what} ({fmt})",
        serve=sse_server(*frames),
        source=over_sse(),
        text=expected["text"],
        end_reason=expected["end_reason"],
        why=error,
    )


MALFORMED_IN = {  # a stream per JSON-carrying format that completes normally
    "a2a": "message_only",
    "ag-ui": "text_tools",
    "anthropic": "text_usage",
    "chunk-sse": "complete",
    "dexto": "tool_roundtrip",
    "langchain": "tools_fifo",
    "openai-assistants": "message_deltas",
    "openai-chat": "plain_text",
    "openai-responses": "plain_text",
    "vercel-ui": "text",
}


def malformed_fault(fmt: str) -> Fault:
    """One corrupt event among good ones: skipped with a warning, the run goes on."""
    base = fixture_fault(fmt, MALFORMED_IN[fmt], "")
    frames = fixture_frames(fmt, MALFORMED_IN[fmt])
    assert frames is not None
    named = b"event: llm:chunk\n" if fmt == "dexto" else b""
    broken = named + b'data: {"type": "half a JSON obj\n\n'
    served = [*frames[:2], broken, *frames[2:]]
    return Fault(
        f"malformed JSON in one chunk ({fmt})",
        serve=sse_server(*served),
        source=over_sse(format=fmt),
        text=base.text,
        end_reason=base.end_reason,
        why=base.why,
        warnings=1,
    )


def event_messages(*deltas: str) -> list[Any]:
    return [event(d) for d in deltas]


FAULTS = [
    Fault(
        "exception mid-stream (generator)",
        source=lambda _: failing_words(),
        text="Hello wor",
        end_reason="error",
        why="RuntimeError: the model crashed",
        modes=(THREAD,),
    ),
    Fault(
        "exception mid-stream (async generator)",
        source=lambda _: failing_words_async(),
        text="Hello wor",
        end_reason="error",
        why="RuntimeError: the model crashed",
    ),
    Fault(
        "connection cut mid-stream (SSE)",
        serve=sse_server(*chunks("Hello ", "wor"), Drop()),
        source=over_sse(),
        text="Hello wor",
        end_reason="incomplete",
        why="RemoteProtocolError",
    ),
    Fault(
        "connection reset mid-stream (SSE)",
        serve=sse_server(*chunks("Hello ", "wor"), Pause(0.05, keepalive=False), Reset()),
        source=over_sse(),
        text="Hello wor",
        end_reason="incomplete",
        why="ReadError",
    ),
    Fault(
        "connection cut mid-stream (WebSocket)",
        serve=lambda: WebSocketServer(event_messages("Hello ", "wor"), drop=True),
        source=lambda srv: nbagent.websocket(srv.url, send={}),
        text="Hello wor",
        end_reason="incomplete",
        why="ConnectionClosedError",
    ),
    Fault(
        "connection cut mid-stream (openai SDK stream)",
        serve=lambda: OpenAIServer(
            script=[chunk("", role="assistant"), chunk("Hello wor"), Drop()]
        ),
        source=openai_stream,
        text="Hello wor",
        end_reason="incomplete",
        why="APIConnectionError: Connection error.",  # the SDK's words
        modes=(THREAD,),
    ),
    Fault(
        "HTTP 500 before the stream",
        serve=sse_server(status=500, error_body={"error": "the model is down"}),
        source=over_sse(),
        text="",
        end_reason="error",
        why="HTTP 500 Internal Server Error",
    ),
    Fault(
        "HTTP 429 before the stream",
        serve=sse_server(status=429, error_body={"error": "slow down"}),
        source=over_sse(),
        text="",
        end_reason="error",
        why="HTTP 429 Too Many Requests from http://127.0.0.1",
    ),
    *[
        fixture_fault(fmt, name, "an error event after a 200")
        for fmt, name in [
            ("openai-chat", "error_after_text"),
            ("anthropic", "overloaded_after_text"),
            ("chunk-sse", "error"),
        ]
    ],
    Fault(
        "an error event after a 200 (openai SDK stream)",
        serve=lambda: OpenAIServer(
            script=[
                chunk("", role="assistant"),
                chunk("Hello wor"),
                {"error": {"message": "the engine overheated", "type": "server_error"}},
            ]
        ),
        source=openai_stream,
        text="Hello wor",
        end_reason="error",
        why="the engine overheated",
        modes=(THREAD,),
    ),
    Fault(
        "read timeout",
        # Silent far longer than the timeout (the server's stop ends the pause): a reader
        # held up by a loaded machine still finds nothing when it reads again.
        serve=sse_server(*chunks("Hello ", "wor"), Pause(600, keepalive=False)),
        source=over_sse(read_timeout=0.3),
        text="Hello wor",
        end_reason="error",
        why="ReadTimeout: no data from http://127.0.0.1",
    ),
    *[
        fixture_fault(fmt, name, "the stream ends with no terminal event")
        for fmt, name in [
            ("openai-chat", "cut_off"),
            ("anthropic", "cut_off"),
            ("chunk-sse", "cutoff"),
        ]
    ],
    *[malformed_fault(fmt) for fmt in sorted(MALFORMED_IN)],
    Fault(
        "malformed JSON in one message (WebSocket, events)",
        serve=lambda: WebSocketServer(
            [event("Hello "), '{"kind": "text_delta", "message_id"', event("world")]
        ),
        source=lambda srv: nbagent.websocket(srv.url, send={}, format="events"),
        text="Hello world",
        end_reason="completed",
        why=None,
        warnings=1,
    ),
    Fault(
        "invalid UTF-8 (SSE)",
        serve=sse_server(b'data: {"chunk": "caf\xc3\xa9 \xff!"}\n\n', b"data: [DONE]\n\n"),
        source=over_sse(),
        text="café \ufffd!",
        end_reason="completed",
        why=None,
    ),
    Fault(
        "invalid UTF-8 (WebSocket binary message)",
        serve=lambda: WebSocketServer([b"caf\xc3\xa9 \xff!"]),
        source=lambda srv: nbagent.websocket(srv.url, send={}, format="text"),
        text="café \ufffd!",
        end_reason="completed",
        why=None,
    ),
    Fault(
        "invalid UTF-8 (generator of bytes)",
        source=lambda _: iter([b"caf\xc3", b"\xa9 \xff!"]),
        text="café \ufffd!",
        end_reason="completed",
        why=None,
        modes=(THREAD,),
        fmt="text",
    ),
]
CASES = [(f, mode) for f in FAULTS for mode in f.modes]


# -- running a source in a mode ----------------------------------------------------------------


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A loop running in its own thread, as the kernel's runs in its main thread."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, name="test-loop", daemon=True)
    thread.start()
    # The loop's default executor (getaddrinfo runs there) starts a thread once, for good.
    asyncio.run_coroutine_threadsafe(_use_the_executor(), running).result(5)
    # So do nbagent's background loop, where async sources started off any loop (mode
    # THREAD) run, and its executor.
    asyncio.run_coroutine_threadsafe(_use_the_executor(), background_loop()).result(5)
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


async def _use_the_executor() -> None:
    await asyncio.get_running_loop().run_in_executor(None, lambda: None)


def start_in(mode: str, loop: asyncio.AbstractEventLoop, source: Any, **kw: Any) -> Run:
    """A Run of ``source`` with a (recorded) widget, started in ``mode``."""
    return start_run_in(mode, loop, Run(source, display=True, **kw))


def start_run_in(mode: str, loop: asyncio.AbstractEventLoop, run: RunT) -> RunT:
    """Start ``run`` in ``mode``."""
    if mode == LOOP:

        async def on_loop() -> None:
            run.start()

        asyncio.run_coroutine_threadsafe(on_loop(), loop).result(5)
    else:
        # From a thread with no loop: the browser tests' Playwright (same process) leaves
        # a loop marked running in the main thread.
        starter = threading.Thread(target=run.start)
        starter.start()
        starter.join()
    return run


async def healthy_words() -> AsyncIterator[str]:
    for word in ("all ", "is ", "well"):
        await asyncio.sleep(0.001)
        yield word


def healthy_run(mode: str, loop: asyncio.AbstractEventLoop) -> None:
    """A run that works, in the same mode: before a fault (pools and threads a run starts
    once exist before counting) and after it (the next run works)."""
    source = healthy_words() if mode == LOOP else iter(["all ", "is ", "well"])
    run = start_in(mode, loop, source)
    assert (run.wait(PATIENCE).text, run.status) == ("all is well", "completed")


def widget_shows(run: Run) -> dict[str, Any]:
    """The final state the browser holds, checked against the transcript; returned."""
    assert run.widget is not None
    comm = run.widget.comm
    assert isinstance(comm, RecordingComm)
    final = snapshots(comm)[-1]
    messages = [m for m in customs(comm) if "ops" in m]
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    assert final["seq"] == len(messages)
    state = final["state"]
    assert browser_state(comm) == state == run.transcript.to_dict()
    json.dumps(state, allow_nan=False)  # what the browser gets is plain JSON
    return dict(state)


def answer(state: dict[str, Any]) -> str:
    """The answer the widget's blocks make, joined as ``Transcript.text`` joins them (a
    paragraph break where a tool call stands between two texts)."""
    return nbagent.Transcript.from_dict(state).text


# -- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "mode"), CASES, ids=[f"{f.name} [{mode}]".replace(" ", "-") for f, mode in CASES]
)
def test_fault(
    fault: Fault, mode: str, loop: asyncio.AbstractEventLoop, comms: list[RecordingComm]
) -> None:
    healthy_run(mode, loop)
    before = footprint()
    with fault.serve() as server:
        run = start_in(mode, loop, fault.source(server), format=fault.fmt)
        transcript = run.wait(15)
    state = widget_shows(run)
    assert (answer(state), transcript.text) == (fault.text, fault.text)
    assert (state["status"], state["end_reason"]) == (fault.status, fault.end_reason)
    assert (transcript.status, transcript.end_reason) == (fault.status, fault.end_reason)
    if fault.why is None:
        assert state["error"] is None
    else:
        assert state["error"]["message"]
        assert fault.why in state["error"]["message"]
    assert len(state["warnings"]) == fault.warnings
    assert all(w["error_type"] == "bad_item" for w in state["warnings"])
    assert left_behind(before, loop=loop if mode == LOOP else None) == []
    healthy_run(mode, loop)


def test_values_json_cannot_carry_reach_the_browser_scrubbed(
    loop: asyncio.AbstractEventLoop, comms: list[RecordingComm]
) -> None:
    """A lone surrogate (a ``\\ud800`` escape, a Python string) or a NaN cannot be sent as
    they are: before, the flush raised in the run's thread and the run never ended."""
    events = [
        nbagent.TextDelta(message_id="m", delta="ok \ud800 then"),
        nbagent.ToolCallStart(tool_call_id="c1", name="measure"),
        nbagent.ToolResult(tool_call_id="c1", content={"value": float("nan")}),
    ]
    before = footprint()
    run = start_in(THREAD, loop, iter(events))
    transcript = run.wait(PATIENCE)
    assert run.widget is not None
    comm = run.widget.comm
    state = snapshots(comm)[-1]["state"]
    assert browser_state(comm) == state
    assert (answer(state), state["status"]) == ("ok \ufffd then", "completed")
    assert state["blocks"][1]["result"] == {"value": None}
    assert transcript.text == "ok \ud800 then"  # the Python side keeps what came
    assert left_behind(before) == []
    healthy_run(THREAD, loop)


def test_a_widget_that_can_no_longer_be_sent_to_does_not_hang_the_run(
    loop: asyncio.AbstractEventLoop, comms: list[RecordingComm]
) -> None:
    broken = threading.Event()

    def words() -> Iterator[str]:
        yield "before "
        broken.set()  # from here on, every send raises (the kernel's socket went away)
        yield "after"

    before = footprint()
    run = Run(words(), display=True)
    assert run.widget is not None
    comm = run.widget.comm
    publish = comm.publish_msg

    def publish_or_fail(*args: Any, **kwargs: Any) -> None:
        if broken.is_set():
            raise OSError("the socket is gone")
        publish(*args, **kwargs)

    comm.publish_msg = publish_or_fail
    starter = threading.Thread(target=run.start)
    starter.start()
    starter.join()
    transcript = run.wait(PATIENCE)  # before: the run's thread died and this never returned
    assert transcript.text == "before after"  # nothing the source sent is lost
    assert transcript.status in ("completed", "error")
    assert left_behind(before) == []


def test_a_widget_that_cannot_be_sent_to_as_its_run_starts_does_not_stop_the_run(
    loop: asyncio.AbstractEventLoop, comms: list[RecordingComm]
) -> None:
    """The run's start goes to its widget as the source starts (``RunSink.announce``): a send
    that raises there must not keep the source from being read. (The first token's send then
    raises too, and ends the run as in the test above.)"""
    before = footprint()
    run = Run(iter(["every ", "word"]), display=True)
    assert run.widget is not None

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("the socket is gone")

    run.widget.comm.publish_msg = fail
    run.start()  # before: the announce's OSError came out of here, and nothing was read
    transcript = run.wait(PATIENCE)
    assert transcript.text.startswith("every ")  # what was read is kept
    assert transcript.status in ("completed", "error")
    assert left_behind(before) == []


TraceFunction = Callable[[FrameType, str, Any], Any]
PUMP = apump.__code__


def waited_in_a_cell(
    run: Run,
    trace: TraceFunction | None = None,
    then: Callable[[], None] = lambda: None,
) -> list[BaseException]:
    """Start ``run`` and ``run.wait()`` it as a cell does, inside a running loop (on a thread
    of its own: Playwright, in the browser tests' process, leaves a loop marked running in
    the main thread), with ``trace`` as that thread's ``sys.settrace``; the
    KeyboardInterrupts the wait raised. ``then`` runs once the wait is over, on the loop still
    running, as the kernel's next cell would (the end of ``asyncio.run`` closes every async
    generator left open, which a kernel's loop never does)."""
    raised: list[BaseException] = []

    async def cell() -> None:
        sys.settrace(trace)
        run.start()
        try:
            run.wait(PATIENCE)
        except KeyboardInterrupt as exc:
            raised.append(exc)
        finally:
            sys.settrace(None)
        then()

    on_its_own = threading.Thread(target=asyncio.run, args=(cell(),))
    on_its_own.start()
    on_its_own.join(PATIENCE)
    return raised


def test_an_interrupt_between_a_fold_and_its_ops_sends_the_whole_state(
    comms: list[RecordingComm],
) -> None:
    """A kernel's interrupt may land after the transcript took an event and before its ops
    went out (a cell's ``run.wait()`` drives the source in the main thread): the page is sent
    the whole state then, so what it shows is what the run saved."""

    async def three_words() -> AsyncIterator[str]:
        for word in ("w0 ", "w1 ", "w2 "):
            yield word
            await asyncio.sleep(0)

    run = Run(three_words(), display=True)
    fold = run.transcript.apply

    def interrupted_after(ev: Any) -> Any:
        ops = fold(ev)
        if getattr(ev, "delta", None) == "w1 ":
            raise KeyboardInterrupt  # its ops never reach the view
        return ops

    run.transcript.apply = interrupted_after  # type: ignore[method-assign]
    assert [type(exc) for exc in waited_in_a_cell(run)] == [KeyboardInterrupt]
    comm = run.widget.comm if run.widget is not None else None
    assert isinstance(comm, RecordingComm)
    assert [m["type"] for m in customs(comm) if m.get("type") == "snapshot"] == ["snapshot"]
    state = browser_state(comm)
    assert state == run.transcript.to_dict() == snapshots(comm)[-1]["state"]
    assert answer(state).startswith("w0 w1 ")


# -- tools -------------------------------------------------------------------------------------

_release = threading.Event()  # lets the hanging sync tool's thread end, after the checks


def raises(x: int) -> int:
    """Always fails."""
    raise ValueError(f"no luck with {x}")


def hangs(x: int) -> int:
    """Blocks past its timeout (a sync tool cannot be stopped: its thread is abandoned)."""
    _release.wait(30)
    return x


async def hangs_async(x: int) -> int:
    """Awaits past its timeout (an async tool is cancelled)."""
    await asyncio.sleep(30)
    return x


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


def unserializable(x: int) -> Any:
    """Returns what JSON cannot hold: a cycle, an opaque object, a NaN."""
    cycle: dict[str, Any] = {"x": x}
    cycle["self"] = cycle
    return [cycle, Opaque(), float("nan")]


@dataclass(frozen=True)
class ToolFault:
    name: str
    tool: Tool
    state: str  # the tool block's state at the end
    result: str  # a part of the result shown
    extras: dict[str, Any] = field(default_factory=dict)  # tool block keys: str parts, or values


TOOL_FAULTS = [
    ToolFault(
        "raises",
        Tool.from_function(raises),
        "error",
        "ValueError: no luck with 3",
        {"traceback": "raise ValueError"},
    ),
    ToolFault(
        "hangs past its timeout (sync)",
        Tool.from_function(hangs, timeout_s=0.3),
        "error",
        "TimeoutError: hangs did not finish within 0.3 s",
        {"abandoned": True},
    ),
    ToolFault(
        "hangs past its timeout (async)",
        Tool.from_function(hangs_async, timeout_s=0.3),
        "error",
        "TimeoutError: hangs_async did not finish within 0.3 s",
    ),
    ToolFault(
        "returns something not serializable",
        Tool.from_function(unserializable),
        "done",
        "<Opaque thing>",
    ),
]
TOOL_CASES = [(f, mode) for f in TOOL_FAULTS for mode in (THREAD, LOOP)]


def agent_run(agent: Agent, mode: str, loop: asyncio.AbstractEventLoop) -> Run:
    """What ``Agent.run`` does, with a recorded widget and in ``mode``."""
    return start_run_in(mode, loop, AgentRun(agent.session("go"), display=True))


def no_pool_client(srv: OpenAIServer) -> openai.AsyncOpenAI:
    """No kept-alive connections: every socket the run opened must be closed after it."""
    http = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0))
    return openai.AsyncOpenAI(base_url=srv.base_url, api_key="t", max_retries=0, http_client=http)


@pytest.mark.parametrize(
    ("fault", "mode"),
    TOOL_CASES,
    ids=[f"tool {f.name} [{mode}]".replace(" ", "-") for f, mode in TOOL_CASES],
)
def test_tool_fault(
    fault: ToolFault, mode: str, loop: asyncio.AbstractEventLoop, comms: list[RecordingComm]
) -> None:
    _release.clear()
    name = fault.tool.name
    healthy_run(mode, loop)
    before = footprint()
    abandoned_before = set(threading.enumerate())
    step1 = calls_step(("call_1", name, '{"x": 3}'))
    with OpenAIServer(scripts=[step1, text_chunks(["The tool ", "let me down."])]) as srv:
        agent = Agent("m", tools=[fault.tool], client=no_pool_client(srv))
        run = agent_run(agent, mode, loop)
        transcript = run.wait(15)
        tool_message = srv.requests[1]["messages"][-1]
    state = widget_shows(run)
    (tool,) = [b for b in state["blocks"] if b["type"] == "tool"]
    assert (tool["name"], tool["state"]) == (name, fault.state)
    assert fault.result in str(tool["result"])
    for key, value in fault.extras.items():
        if isinstance(value, str):
            assert value in tool[key]
        else:
            assert tool[key] == value
    assert ("abandoned" in tool) == ("abandoned" in fault.extras)
    assert tool_message["role"] == "tool"
    assert fault.result in tool_message["content"]  # the model was told
    assert (answer(state), state["status"]) == ("The tool let me down.", "completed")
    assert transcript.status == "completed"
    # The one thing allowed to stay: the thread of a sync tool abandoned past its timeout.
    abandoned = [
        t for t in set(threading.enumerate()) - abandoned_before if t.name == "nbagent-tool"
    ]
    assert len(abandoned) == (1 if fault.extras.get("abandoned") else 0)
    assert left_behind(before, loop=loop if mode == LOOP else None, allow=abandoned) == []
    _release.set()
    for thread in abandoned:
        thread.join(5)
        assert not thread.is_alive()
    assert abandoned_threads() == 0
    healthy_run(mode, loop)


# -- a kernel interrupt while a blocking run.wait() waits ----------------------------------------


def endless(closed: threading.Event) -> Iterator[str]:
    try:
        for i in range(100_000):
            yield f"w{i} "
            time.sleep(0.005)
    finally:
        closed.set()


async def endless_async(closed: threading.Event) -> AsyncIterator[str]:
    try:
        for i in range(100_000):
            yield f"w{i} "
            await asyncio.sleep(0.005)
    finally:
        closed.set()


def interrupt_in_wait(run: Run) -> None:
    """Interrupt the main thread, as the kernel's interrupt does, once it blocks in
    ``run.wait()`` and two words are shown (sooner, the KeyboardInterrupt would come
    before the wait, or the answer would have no words yet)."""
    main = threading.main_thread().ident or 0

    def in_wait() -> bool:
        frame = sys._current_frames().get(main)
        stack = traceback.extract_stack(frame) if frame is not None else []
        return any(f.filename.endswith("driver.py") and f.name == "wait" for f in stack)

    wait_for(lambda: "w1 " in run.transcript.text and in_wait(), what="run.wait() streaming")
    _thread.interrupt_main()


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a kernel, for the test: a process started in the
    background by a shell without job control inherits SIGINT ignored, and
    ``_thread.interrupt_main`` then does nothing."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


INTERRUPTED = [("generator", THREAD), ("async generator", THREAD), ("async generator", LOOP)]


@pytest.mark.parametrize(
    ("kind", "mode"), INTERRUPTED, ids=[f"{k}-[{m}]".replace(" ", "-") for k, m in INTERRUPTED]
)
def test_interrupt_during_a_blocking_wait_cancels_the_run(
    kind: str,
    mode: str,
    loop: asyncio.AbstractEventLoop,
    comms: list[RecordingComm],
    sigint_raises: None,
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("a KeyboardInterrupt reaches the main thread only")
    healthy_run(mode, loop)
    before = footprint()
    closed = threading.Event()
    source = endless(closed) if kind == "generator" else endless_async(closed)
    run = start_in(mode, loop, source)
    interrupt = threading.Thread(target=interrupt_in_wait, args=(run,))
    interrupt.start()
    with pytest.raises(KeyboardInterrupt):
        run.wait(2 * PATIENCE)  # past the interrupting thread's own wait, which says more
    interrupt.join()
    assert closed.wait(PATIENCE), "the source was never closed"
    run.wait(PATIENCE)
    state = widget_shows(run)
    assert (state["status"], state["end_reason"]) == ("cancelled", "cancelled")
    assert answer(state).startswith("w0 w1 ")
    assert run.transcript.text == answer(state)
    assert left_behind(before, loop=loop if mode == LOOP else None) == []
    healthy_run(mode, loop)


def test_an_interrupt_landing_in_a_task_that_wait_drives_is_the_cells(
    comms: list[RecordingComm],
) -> None:
    """A kernel's interrupt lands wherever the main thread is: in a cell's ``run.wait()``
    driving the loop, that may be inside the run's own task (raised there by the source, for
    the test). The cell gets the KeyboardInterrupt, the run is cancelled, not failed."""
    closed = threading.Event()

    async def interrupted_after_two_words() -> AsyncIterator[str]:
        try:
            yield "w0 "
            yield "w1 "
            raise KeyboardInterrupt
        finally:
            closed.set()

    run = Run(interrupted_after_two_words(), display=True)
    assert [type(exc) for exc in waited_in_a_cell(run)] == [KeyboardInterrupt]
    assert closed.is_set()
    state = widget_shows(run)
    assert (state["status"], state["end_reason"]) == ("cancelled", "cancelled")
    assert answer(state) == run.transcript.text == "w0 w1 "


def test_an_interrupt_landing_in_the_readers_own_frame_closes_the_source(
    comms: list[RecordingComm],
) -> None:
    """The interrupt may land in the reading task's own frame, between two of the pump's
    events (seen once in CI, in a kernel): the pump and the source, each suspended at a
    yield, are closed there, not left to a traceback that keeps them alive for good."""
    closed = threading.Event()
    run = Run(endless_async(closed), display=True)
    reader = Driver._aread.__code__
    held: list[object] = []

    def in_the_reader(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code is not reader:
            return None

        def at_a_line(frame: FrameType, event: str, arg: object) -> Any:
            if event == "line" and "w1 " in run.transcript.text:
                # The pump held elsewhere too, as in a kernel, where its finalizer's aclose
                # waits for the loop the next cell blocks: dropped here, it would be closed
                # at once, which no kernel promises.
                alive = (o for o in gc.get_objects() if isinstance(o, AsyncGeneratorType))
                held.extend(o for o in alive if o.ag_code is PUMP)
                raise KeyboardInterrupt  # as a signal handler raises it, in this frame
            return at_a_line

        return at_a_line

    closed_by_then: list[bool] = []
    raised = waited_in_a_cell(
        run, trace=in_the_reader, then=lambda: closed_by_then.append(closed.is_set())
    )
    assert [type(exc) for exc in raised] == [KeyboardInterrupt]
    assert held, "the pump was not found"
    assert closed_by_then == [True], "the source was never closed"
    state = widget_shows(run)
    assert (state["status"], state["end_reason"]) == ("cancelled", "cancelled")
    assert answer(state).startswith("w0 w1 ")
