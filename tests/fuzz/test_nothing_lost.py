"""Nothing lost: random streams (delta sizes, emoji, CJK, combining marks, astral
characters, pauses, flush timing, a view that connects at any time, a dropped message and
the resync that follows), each read by a real ``Run`` whose controller runs on a fake clock.

The source's text, ``run.transcript.text``, the final snapshot and the text the browser's
store holds (the real ``js/src/store/store.js`` in Node, fed the exact messages the widget sent;
once from the custom messages alone, once with the trait updates too) are the same UTF-8
bytes.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbagent.core.events import (
    Event,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallStart,
    ToolResult,
)
from nbagent.runtime.controller import Controller, Send
from nbagent.runtime.run import Run
from nbagent.runtime.views import OwnWidget
from nbagent.transcript.transcript import Transcript
from tests.browser.conftest import unavailable
from tests.fuzz.budget import fuzz, ran
from tests.recording import RecordingComm, snapshots
from tests.test_controller import Clock, ManualScheduler
from tests.wait import PATIENCE

REPLAY = Path(__file__).with_name("store_replay.mjs")

_PIECES = [
    *("😀", "👩‍💻", "👍🏽", "🇫🇷", "🏳️‍🌈", "汉字", "日本語", "한국어", "e\u0301", "a\u0308\u0304"),
    *("\U0001d54f", "𠀀", "𓂀", "\u200d", "\ufeff", "\u202e", "עברית", "\n\n", "```", " ", "\t"),
]
characters = st.one_of(
    st.sampled_from(_PIECES),
    st.characters(exclude_categories=["Cs"]),  # any code point but a lone surrogate
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=["Cs"]),
)
deltas = st.lists(characters, min_size=1, max_size=12).map("".join)


@dataclass(frozen=True)
class Step:
    """One thing the source does: an event, then a pause (fake seconds)."""

    event: Event
    pause: float


def _step(delta: str, kind: int, pause: float) -> Step:
    event: Event
    if kind == 1:
        event = ThinkingDelta(message_id="think", delta=delta)
    elif kind == 2:
        event = ToolCallArgsDelta(tool_call_id="call_1", delta=json.dumps(delta)[:8])
    else:
        event = TextDelta(message_id="answer", delta=delta)
    return Step(event, pause)


pauses = st.one_of(st.just(0.0), st.floats(0, 0.004), st.floats(0, 0.3))
steps = st.lists(
    st.builds(_step, deltas, st.sampled_from([0, 0, 0, 0, 0, 0, 1, 2]), pauses),
    min_size=1,
    max_size=60,
)


@dataclass
class Recorded:
    source_text: str
    run: Run
    comm: RecordingComm
    drop: int | None


def record(
    story: list[Step],
    throttle_ms: float,
    min_batch_chars: int,
    view_at: int,
    drop: int | None,
) -> Recorded:
    """Read ``story`` through a Run on this thread; the browser's ``sync`` is answered when
    its view connects (before step ``view_at``) and after the ``drop``-th message is lost."""
    clock = Clock()
    scheduler = ManualScheduler(clock)

    def controller_of(send: Send) -> Controller:
        return Controller(
            send,
            throttle_ms=throttle_ms,
            min_batch_chars=min_batch_chars,
            clock=clock,
            wall=lambda: 1.7e9 + clock.now,
            scheduler=scheduler,
        )

    view = OwnWidget(
        Transcript().to_dict(),
        title=None,
        show_thinking=True,
        throttle_ms=throttle_ms,
        controller=controller_of,
    )
    controller = view.controller
    resynced = False

    def sync() -> None:  # what the browser asks when its view connects or sees a gap
        view.widget._dispatch(view.widget, {"type": "sync"}, [])

    def source() -> Iterator[Event]:
        nonlocal resynced
        yield ToolCallStart(tool_call_id="call_1", name="lookup")
        for i, step in enumerate(story):
            if i == view_at:
                sync()
            yield step.event
            scheduler.advance(step.pause)
            if drop is not None and not resynced and controller.seq > drop:
                sync()  # a message after the lost one showed the gap
                resynced = True
        yield ToolResult(tool_call_id="call_1", content="found")

    run = Run(source(), view=view, format="events")
    run.start()
    run.wait(60)
    if drop is not None and not resynced:
        sync()  # the gap shows at the end: the browser asks then
    text = "".join(s.event.delta for s in story if isinstance(s.event, TextDelta))
    comm = run.widget.comm
    assert isinstance(comm, RecordingComm)
    return Recorded(text, run, comm, drop)


def log_of(comm: RecordingComm) -> dict[str, Any]:
    """The widget's traffic as the browser gets it: the opening snapshot, then in order
    every custom message and every update of the snapshot trait."""
    opened = comm.log[0][1]["state"]["snapshot"]
    log: list[list[Any]] = []
    for kind, data in comm.log[1:]:
        if kind != "comm_msg":
            continue
        if data.get("method") == "custom":
            log.append(["msg", data["content"]])
        elif data.get("method") == "update" and "snapshot" in data.get("state", {}):
            log.append(["trait", data["state"]["snapshot"]])
    return {"open": opened, "log": log}


class Browser:
    """One Node process running ``store_replay.mjs``: a stream in, what the store holds out."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            unavailable("node is not installed: the browser-side store runs in Node")
        self.process = subprocess.Popen(
            [str(node), str(REPLAY)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def replay(self, stream: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(stream, allow_nan=False) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(PATIENCE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def utf8(b64: str) -> bytes:
    return base64.b64decode(b64)


def answer_of(state: dict[str, Any]) -> str:
    return "".join(b["text"] for b in state["blocks"] if b["type"] == "text")


@fuzz(5 / 6, at_least=1_000, quick_at_least=300)
@given(
    story=steps,
    throttle_ms=st.sampled_from([0, 16, 50, 100]),
    min_batch_chars=st.sampled_from([0, 16, 256]),
    view_at=st.integers(0, 60),
    drop=st.none() | st.integers(1, 8),
)
def test_nothing_lost(
    browser: Browser,
    comms: list[RecordingComm],
    story: list[Step],
    throttle_ms: float,
    min_batch_chars: int,
    view_at: int,
    drop: int | None,
) -> None:
    ran("nothing lost (streams)")
    rec = record(story, throttle_ms, min_batch_chars, view_at, drop)
    expected = rec.source_text.encode("utf-8")
    assert rec.run.transcript.text.encode("utf-8") == expected
    final = snapshots(rec.comm)[-1]
    assert answer_of(final["state"]).encode("utf-8") == expected
    stream = log_of(rec.comm)
    messages = [m for kind, m in stream["log"] if kind == "msg" and "ops" in m]
    if drop is not None and drop > len(messages):
        drop = None  # fewer messages than that: none is lost
    shown = browser.replay({**stream, "drop": drop})
    assert shown["warnings"] == []
    assert utf8(shown["live"]) == expected  # from the custom messages alone
    assert utf8(shown["final"]) == expected  # and with the trait updates
    if drop is not None and gap_shows(stream["log"], drop):
        assert shown["syncs"] == 2  # the view's sync, then the one the gap asked for


def gap_shows(log: list[list[Any]], drop: int) -> bool:
    """Whether the browser, its first sync answered before the lost message, gets the
    message after it before any answer that covers it: then it must ask again."""
    answered = False
    for kind, m in log:
        if kind != "msg":
            continue
        if m.get("type") == "snapshot":
            if m["seq"] >= drop:
                return False
            answered = True
        elif m["seq"] == drop + 1:
            return answered
    return False
