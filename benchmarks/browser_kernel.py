"""The kernel side of ``benchmarks/browser.py``: marked answer text, paced streaming, timings.

The benchmark's notebook cells call ``stream_nbagent``, ``stream_naive`` and ``stream_stop``
here (the kernel has the repository on its path). Each writes its timings as JSON to the
file it is given, which the driver reads back: a file, not a cell output, so reading
it back costs the page nothing.

Markers: ``q{k}z`` words, unique in the text (the corpus has no digits between q and z),
so the page can tell which delta reached the DOM. Marker 0 opens the first delta, the last
one closes the last delta, and the others are added between two words at about every
``every``-th delta, so that they render as plain text whatever block they fall in.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.corpus import chunk_deltas, markdown

DELTA_CHARS = 24
EVERY = 20
_WORD_END = re.compile(r"[A-Za-z]$")


@dataclass
class Answer:
    """The deltas of one answer and where its markers are (marker k is in delta marks[k])."""

    deltas: list[str]
    marks: list[int]

    @property
    def chars(self) -> int:
        return sum(len(d) for d in self.deltas)

    def offsets(self) -> list[int]:
        """Characters streamed up to and including the delta of each marker."""
        ends: list[int] = []
        total = 0
        for d in self.deltas:
            total += len(d)
            ends.append(total)
        return [ends[i] for i in self.marks]


def answer(size: int, *, every: int = EVERY, seed: int = 0) -> Answer:
    """``size`` characters of ``markdown()`` cut into ~24-character deltas, with markers."""
    deltas = chunk_deltas(markdown(size, seed=seed), DELTA_CHARS)
    deltas[0] = "q0z\n\n" + deltas[0]
    marks = [0]
    for i in range(1, len(deltas) - 1):
        # Between two words: the marker becomes one more word of the same line.
        due = i >= len(marks) * every
        if due and _WORD_END.search(deltas[i]) and deltas[i + 1].startswith(" "):
            deltas[i] += f" q{len(marks)}z"
            marks.append(i)
    deltas[-1] += f"\n\nq{len(marks)}z\n"
    marks.append(len(deltas) - 1)
    return Answer(deltas, marks)


@dataclass
class Log:
    """What the kernel saw: when each marked delta was yielded, and when the producer ended."""

    first: float = 0.0
    first_mono: float = 0.0
    last: float = 0.0
    sent: dict[int, float] = field(default_factory=dict)
    closed: float | None = None
    count: int = 0

    def write(self, path: str, **extra: Any) -> None:
        data = {
            "first": self.first,
            "first_mono": self.first_mono,
            "last": self.last,
            "sent": self.sent,
            "closed": self.closed,
            "count": self.count,
            "done": time.time(),
            **extra,
        }
        tmp = Path(path + ".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)  # the driver polls for the file: it must appear whole


def paced(
    ans: Answer, rate: float, log: Log, *, cap_s: float | None = None, ttft_s: float = 0
) -> Iterator[str]:
    """Yield the deltas at ``rate`` per second against a deadline (no drift from sleep).

    ``ttft_s``: a model's time to first token, before the first delta (the widget is
    on the page by then, as it is for a real model's first token).
    """
    marker_of = {d: k for k, d in enumerate(ans.marks)}
    time.sleep(ttft_s)
    start = time.monotonic()
    try:
        for i, delta in enumerate(ans.deltas):
            wait = start + i / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if cap_s is not None and time.monotonic() - start > cap_s:
                return
            now = time.time()
            if i == 0:
                log.first, log.first_mono = now, time.monotonic()
            log.last = now
            log.count = i + 1
            if i in marker_of:
                log.sent[marker_of[i]] = now
            yield delta
    finally:
        log.closed = time.time()


def stream_nbagent(size: int, rate: float, out: str, ttft_s: float = 0) -> None:
    """``nbagent.show`` the paced answer and wait for the run (a cell's whole work)."""
    import nbagent

    log = Log()
    run = nbagent.show(paced(answer(size), rate, log, ttft_s=ttft_s))
    run.wait()
    log.write(out, status=run.status)


def stream_naive(size: int, rate: float, out: str, cap_s: float, ttft_s: float = 0) -> None:
    """The naive re-render: one ``update(Markdown(all text so far))`` per delta."""
    from IPython.display import Markdown, display

    log = Log()
    handle = display(Markdown(""), display_id=True)
    acc = ""
    for delta in paced(answer(size), rate, log, cap_s=cap_s, ttft_s=ttft_s):
        acc += delta
        handle.update(Markdown(acc))
    log.write(out, status="completed")


def stream_stop(size: int, rate: float, out: str) -> Any:
    """Start a paced run and return at once; the log is written when the producer closes."""
    import nbagent

    log = Log()

    def producer() -> Iterator[str]:
        try:
            yield from paced(answer(size), rate, log)
        finally:
            log.write(out)

    return nbagent.show(producer())
