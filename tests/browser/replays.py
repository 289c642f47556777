"""Runs recorded without a kernel, played into the bare page: the widget alone in Chromium,
fed the very messages a kernel sends it, in their order and at their pace, with no wait.

``record(make)`` runs a run (or lanes) in this process with its comms recorded
(``tests/recording.py``) until it ends: its widget's opening traits and every message after
them with the time it was sent. ``Playback`` mounts that widget on a bare page (conftest's
``bare_page_factory()``) and pushes the messages one by one, each once the page's clock (a fake
one, moved by hand) reads the time it was sent, and a frame after each: the page's clock and
the kernel's agree, as in a notebook, and what the page shows after a message is the same on
any machine (a loaded one only plays it slower).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.recording import RecordingComm, browser_state, ours, page_messages, record_comms
from tests.wait import PAGE_PATIENCE, PATIENCE

# Opening traits the bare page cannot take: the widget's other models (its code, layout,
# lanes' saved states) are the page's own fakes, and a store key would share one store
# between the page's mounts.
_NOT_FOR_THE_PAGE = {"code", "layout", "store_key", "tabbable", "tooltip"}


@dataclass
class Recording:
    traits: dict[str, Any]
    """The widget's opening traits, as the bare page's ``nba.mount`` takes them."""
    messages: list[tuple[float, dict[str, Any]]]
    """``tests.recording.page_messages``: (time sent, message)."""
    run: Any
    """The run (or lanes) recorded, ended."""


def _is_ref(value: Any) -> bool:
    if isinstance(value, list):
        return any(_is_ref(v) for v in value)
    return isinstance(value, str) and value.startswith("IPY_MODEL_")


class Recorder:
    """What ``record``'s ``during`` gets: the run, and what its widget has sent so far."""

    def __init__(self, run: Any, comms: list[RecordingComm]) -> None:
        self.run = run
        self._comms = comms

    def shown(self) -> dict[str, Any]:
        """The state a page that took every message sent so far holds (a run's widget)."""
        return browser_state(ours(self._comms))


def record(make: Callable[[], Any], during: Callable[[Recorder], None] | None = None) -> Recording:
    """Record the run (or lanes) ``make()`` makes with a widget and starts, until it ends;
    ``during`` runs meanwhile (it may release what the run waits for once a page would have
    shown something)."""
    with pytest.MonkeyPatch.context() as mp:
        comms = record_comms(mp)
        run = make()
        if during is not None:
            during(Recorder(run, comms))
        run.wait(PATIENCE)
    c = ours(comms)
    opening = c.log[0][1]["state"]
    traits = {
        k: v
        for k, v in opening.items()
        if not k.startswith("_") and k not in _NOT_FOR_THE_PAGE and not _is_ref(v)
    }
    return Recording(traits, page_messages(c), run)


# Push a message, then wait for one MessageChannel round trip: a render the view queued there
# for right after a quiet spell (js/src/view/view.js) has run by then, as its task came first.
_PUSH_JS = """(m) => {
  nba.push(m);
  return new Promise((done) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => done(true);
    c.port2.postMessage(null);
  });
}"""


class Playback:
    """A recording played into a bare page (``bare_page_factory()``, on the page's clock, which
    moves only when this says). ``until(js)`` pushes messages until the page shows what ``js``
    says; ``rest()`` pushes what is left; ``wait(js)`` lets the page's time pass until it
    shows it."""

    def __init__(self, bare: Any, recording: Recording) -> None:
        self.bare = bare
        self.recording = recording
        self.next = 0
        first = recording.messages[0][0] if recording.messages else 0.0
        clock = bare.page.clock
        # Paused at the first message's time: it moves only when a message is due.
        clock.install(time=first * 1000 - 1000)
        clock.pause_at(first * 1000)
        self.now = first
        bare.eval("(traits) => nba.mount(traits)", recording.traits)

    def push(self) -> None:
        """Move the page's clock to the next message's time, push the message, and move the
        clock past the next animation frame, which renders it."""
        at, message = self.recording.messages[self.next]
        self.tick(max(at - self.now, 0.0))
        self.bare.eval(_PUSH_JS, message)
        self.next += 1
        self.tick(0.02)
        # A chunk the message needed (the tool panels') is imported outside the page's clock:
        # once it is here, a frame draws what waited for it.
        if self.bare.eval("() => nba.settled()"):
            self.tick(0.02)

    def tick(self, seconds: float) -> None:
        """The page's clock moves on ``seconds``: its timers and animation frames run."""
        ms = round(seconds * 1000)
        self.bare.page.clock.run_for(ms)
        self.now += ms / 1000

    @property
    def done(self) -> bool:
        return self.next >= len(self.recording.messages)

    def until(self, js: str, arg: Any = None) -> None:
        """Push messages until ``js`` (a function of ``arg``) holds on the page, checked after
        each; fails if the run's messages are all pushed first."""
        while not self.bare.eval(js, arg):
            if self.done:
                pytest.fail(
                    f"all {self.next} messages pushed and never {js} ({arg!r}); the page shows: "
                    f"{self.bare.eval('nba.text()')[:600]!r}",
                    pytrace=False,
                )
            self.push()

    def rest(self) -> None:
        """Push every message left."""
        while not self.done:
            self.push()

    def wait(self, js: str, arg: Any = None, what: str = "") -> None:
        """Move the page's clock on, a frame at a time, until ``js`` holds (what a chunk the
        page loads, or a timer, brings); fails after ``PAGE_PATIENCE`` seconds of this
        process's clock."""
        deadline = time.monotonic() + PAGE_PATIENCE
        while not self.bare.eval(js, arg):
            if time.monotonic() > deadline:
                pytest.fail(
                    f"waited {PAGE_PATIENCE} s for {what or js}; the page shows: "
                    f"{self.bare.eval('nba.text()')[:600]!r}",
                    pytrace=False,
                )
            self.tick(0.05)
