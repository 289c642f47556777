"""``nbagent.watch()``'s own plumbing: the feed, the hooks adapter's records, a block's and a
watched object's life (install, routing, uninstall, errors, Stop).

The hooks here are this module's: they stand for no library, they only let a test hand
records to a watch the way a library's callback does. Each family's hook is tested against
its real library in ``tests/frameworks/test_watch_*.py``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, ClassVar

import pytest

import nbagent
from nbagent.adapters.base import BadItemError
from nbagent.adapters.hooks import FAMILIES, HookAdapter, HookRecord, HooksAdapter
from nbagent.apps import watch as _watch
from nbagent.core.events import Event, MessageEnd, MessageStart, TextDelta
from nbagent.sources.feed import Feed
from nbagent.sources.hooks import Hook, HookError
from tests import aio
from tests.wait import PATIENCE, wait_for


class Said(HookAdapter):
    """A record ``say`` is a whole message of its text; ``fail`` a failed call."""

    family: ClassVar[str] = "test"

    def feed(self, record: HookRecord) -> list[Event]:
        if record.kind == "fail":
            return [nbagent.ErrorEvent(message=str(record.data), recoverable=True)]
        mid = f"m{record.ts}"
        return [
            MessageStart(message_id=mid, whole=True),
            TextDelta(message_id=mid, delta=str(record.data)),
            MessageEnd(message_id=mid),
        ]


class Handle(Hook):
    """The test's way in: ``Handle.live`` lists the installed hooks, ``say`` records."""

    family: ClassVar[str] = "test"
    modules: ClassVar[tuple[str, ...]] = ("pytest",)
    watches: ClassVar[str] = "a Target"
    live: ClassVar[list[Handle]] = []
    pending: ClassVar[int] = 0
    broken: ClassVar[bool] = False  # install() fails as a library that changed would

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        return isinstance(obj, Target)

    def install(self) -> None:
        if isinstance(self.target, Target) and self.target.broken:
            raise HookError("this target cannot be watched")
        if Handle.broken:
            raise AttributeError("'Library' object has no attribute 'callbacks'")
        Handle.live.append(self)

    def uninstall(self) -> None:
        Handle.live.remove(self)

    def busy(self) -> bool:
        return Handle.pending > 0

    def say(self, text: str, *, root: str = "", last: bool = False, kind: str = "say") -> None:
        self.record(kind, text, root=root, last=last)


class Target:
    def __init__(self, name: str = "t", broken: bool = False) -> None:
        self.name, self.broken = name, broken


@pytest.fixture(autouse=True)
def test_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_watch, "HOOKS", (Handle,))
    monkeypatch.setitem(FAMILIES, "test", Said)
    Handle.live.clear()
    Handle.pending = 0
    Handle.broken = False


def hook() -> Handle:
    assert len(Handle.live) == 1
    return Handle.live[0]


# -- the feed -------------------------------------------------------------------------------


def test_feed_hands_items_from_threads_in_order_then_ends() -> None:
    feed = Feed("hooks")
    got: list[Any] = []
    reader = threading.Thread(target=lambda: got.extend(feed))
    reader.start()
    for i in range(100):
        assert feed.put(i)
    feed.finish()
    reader.join(5)
    assert got == list(range(100))
    assert not feed.put(100)  # finished: dropped


def test_feed_close_wakes_the_reader_and_drops_the_rest() -> None:
    feed = Feed()
    feed.put(1)
    items = iter(feed)
    assert next(items) == 1
    threading.Timer(0.05, feed.close).start()
    assert list(items) == []  # blocked on an empty feed until close()
    assert feed.finished
    assert not feed.put(2)


# -- the hooks adapter's own records ------------------------------------------------------------


def fold(records: list[HookRecord]) -> nbagent.Transcript:
    return nbagent.Transcript.from_events(nbagent.iter_events(records))


def test_records_are_detected_and_each_family_has_its_adapter() -> None:
    t = fold([HookRecord("test", "say", "Hello", 10.0), HookRecord("test", "say", "again", 11.0)])
    assert t.text == "Hello\n\nagain"  # two answers that came whole: two paragraphs
    state = t.to_dict()
    assert state["whole"] is True
    assert [b.get("whole") for b in state["blocks"]] == [True, True]
    assert nbagent.Transcript.from_dict(state).text == t.text
    assert "first message" in t.to_text()
    assert "first token" not in t.to_text()
    assert t.status == "completed"
    with pytest.raises(BadItemError, match="no adapter for hook family 'nope'"):
        HooksAdapter().feed(HookRecord("nope", "x", None, 1.0))


def test_watch_records_warn_fail_and_interrupt() -> None:
    t = fold([HookRecord("watch", "warning", {"message": "careful"}, 1.0)])
    assert [w["message"] for w in t.warnings] == ["careful"]
    assert t.status == "completed"
    data = {"message": "ValueError: boom", "error_type": "ValueError"}
    t = fold([HookRecord("test", "say", "partial", 1.0), HookRecord("watch", "error", data, 2.0)])
    assert (t.status, t.error, t.text) == (
        "error",
        {"message": "ValueError: boom", "error_type": "ValueError", "code": None},
        "partial",
    )
    t = fold([HookRecord("watch", "interrupted", {"message": "interrupted"}, 1.0)])
    assert t.end_reason == "interrupted"


def test_per_root_mode_ends_the_run_with_its_roots_failure() -> None:
    mode = HookRecord("watch", "mode", {"per_root": True}, 1.0)
    t = fold([mode, HookRecord("test", "fail", "tool broke", 2.0, "r", last=True)])
    assert t.status == "error"
    assert t.error is not None
    assert t.error["message"] == "tool broke"
    # in a block, the same failure is a warning: the block's code may catch it and go on
    t = fold([HookRecord("test", "fail", "tool broke", 2.0, "r", last=True)])
    assert t.status == "completed"
    assert t.warnings[0]["message"] == "tool broke"


# -- a block -------------------------------------------------------------------------------------


def test_block_installs_while_open_and_shows_what_its_calls_report() -> None:
    with nbagent.watch(title="Weather") as run:
        assert isinstance(run, nbagent.WatchRun)
        assert run.title == "Weather"
        hook().say("Oslo: 4 °C")
        library = threading.Thread(target=lambda: hook().say("and rain"))  # a library's thread
        library.start()
        library.join(PATIENCE)  # its call ends inside the block
    assert Handle.live == []  # removed
    assert run.status == "completed"
    assert run.done
    assert run.transcript.text == "Oslo: 4 °C\n\nand rain"
    assert run.format == "hooks"


def test_block_removes_its_hooks_and_reraises_the_same_exception() -> None:
    error = ValueError("boom")

    runs: list[nbagent.Run] = []

    def block() -> None:
        with nbagent.watch() as run:
            runs.append(run)
            hook().say("before")
            raise error

    with pytest.raises(ValueError, match="boom") as caught:
        block()
    run = runs[0]
    assert caught.value is error
    assert Handle.live == []
    assert run.status == "error"
    assert run.transcript.text == "before"
    assert run.transcript.error == {
        "message": "ValueError: boom",
        "error_type": "ValueError",
        "code": None,
    }


def test_a_keyboard_interrupt_ends_the_block_interrupted() -> None:
    with pytest.raises(KeyboardInterrupt), nbagent.watch() as run:
        raise KeyboardInterrupt
    assert run.transcript.end_reason == "interrupted"
    assert Handle.live == []


def test_leaving_waits_for_calls_the_library_reports_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Handle.pending = 1
    leaving = threading.Event()

    def busy(self: Handle) -> bool:
        leaving.set()  # asked only once the block's code is done: the block is leaving
        return Handle.pending > 0

    def late() -> None:
        # Reported after the block began to leave, however the threads are scheduled.
        leaving.wait(PATIENCE)
        hook().say("late answer")
        Handle.pending = 0

    monkeypatch.setattr(Handle, "busy", busy)
    monkeypatch.setattr(_watch, "SETTLE_S", PATIENCE)  # the wait is the test, not its length
    with nbagent.watch() as run:
        threading.Thread(target=late).start()
    assert run.transcript.text == "late answer"


def test_two_blocks_keep_their_own_calls() -> None:
    """A hook called in one block's context is that block's, even with another open."""
    seen: dict[str, nbagent.Run] = {}
    ready = threading.Barrier(2)

    def block(name: str) -> None:
        with nbagent.watch() as run:
            ready.wait(PATIENCE)  # both blocks are open before either one's calls
            for h in list(Handle.live):  # every open block's hook is called ...
                h.say(name)  # ... from this block's context
        seen[name] = run

    threads = [threading.Thread(target=block, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PATIENCE)
    assert seen["a"].transcript.text == "a"
    assert seen["b"].transcript.text == "b"


def test_a_block_runs_once() -> None:
    w = nbagent.watch()
    with w:
        pass
    with pytest.raises(RuntimeError, match="already run"), w:
        pass


def test_async_block_and_stop_cancels_the_task_running_it() -> None:
    async def main() -> tuple[nbagent.Run, bool]:
        reached_end = False
        async with nbagent.watch() as run:
            hook().say("working")

            def stop() -> None:  # the Stop button, once the page shows what came
                wait_for(lambda: run.transcript.text == "working", what="the call shown")
                run.cancel()  # reaches this task on its loop: at the await below

            threading.Thread(target=stop).start()
            await asyncio.sleep(PATIENCE)
            reached_end = True
        return run, reached_end

    run, reached_end = aio.run(main())
    assert not reached_end  # the awaited call was cancelled ...
    assert run.status == "cancelled"
    assert run.transcript.text == "working"
    assert Handle.live == []


def test_stop_of_a_sync_block_says_the_call_goes_on() -> None:
    with nbagent.watch() as run:
        run.cancel()
        assert run.status == "cancelled"
    assert run.transcript.error is None
    assert "cannot be cancelled" in str(run.events[-1].to_dict().get("message"))


# -- watched objects -----------------------------------------------------------------------------


def test_watch_an_object_a_run_per_root_call_until_stop() -> None:
    w = nbagent.watch(Target("weather"))
    h = hook()
    h.say("one", root="r1")
    h.say("two", root="r2")
    h.say("more", root="r1", last=True)
    h.say("late", root="r1")  # after its root ended: dropped
    h.say("broke", root="r2", last=True, kind="fail")
    for run in w.runs:
        run.wait(PATIENCE)
    assert [r.transcript.text for r in w.runs] == ["one\n\nmore", "two"]
    assert [r.status for r in w.runs] == ["completed", "error"]
    assert w.runs[0].title == "Target 'weather'"
    w.stop()
    assert Handle.live == []
    assert "stopped" in repr(w)


def test_watch_refuses_what_no_hook_can_watch_and_what_cannot_install() -> None:
    with pytest.raises(TypeError, match=r"cannot watch a builtins\.int; it watches a Target"):
        nbagent.watch(3)
    with pytest.raises(HookError, match="cannot be watched"):
        nbagent.watch(Target(broken=True))
    assert Handle.live == []


def test_watch_an_object_as_a_context_manager() -> None:
    with nbagent.watch(Target()) as w:
        assert isinstance(w, _watch.Watch)
        hook().say("x", root="a", last=True)
    assert Handle.live == []
    assert len(w.runs) == 1
    assert w.runs[0].wait(PATIENCE).text == "x"


def test_a_hook_that_cannot_install_is_a_warning_and_the_block_runs() -> None:
    Handle.broken = True
    ran = False
    with nbagent.watch() as run:
        ran = True
    assert ran
    assert run.status == "completed"
    [warning] = run.transcript.warnings
    assert warning["message"].startswith("test: could not install its hook: AttributeError(")
