"""An evaluation's progress outside a notebook: one line, bounded output.

On a terminal (a TTY) one line is rewritten in place as cases end; elsewhere (a log, a pipe,
CI) a line is printed at most every ``EVERY_S`` seconds or every ``every`` cases, whichever
comes first, so that a thousand cases print tens of lines, not thousands. The summary follows
at the end.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TextIO

from nbagent.evaluation.cases import ENDED, EvalCase
from nbagent.evaluation.records import status_counts

__all__ = ["EVERY_S", "Progress", "progress_line"]

EVERY_S = 5.0
"""At most one line per this many seconds when not on a terminal (unless ``every`` cases)."""


def progress_line(title: str, cases: Sequence[EvalCase], cost: float) -> str:
    """``title: 12/40 done (10 completed, 1 error, 1 cancelled), 3 running, $0.0123``."""
    counts = Counter(c.status for c in cases)
    ended = Counter({s: counts[s] for s in ENDED})
    parts = status_counts(ended)
    detail = f" ({parts})" if parts else ""
    running = f", {counts['running']} running" if counts["running"] else ""
    money = f", ${cost:.4f}" if cost else ""
    return f"{title}: {ended.total()}/{len(cases)} done{detail}{running}{money}"


class Progress:
    """Prints ``progress_line`` as cases end; ``finish(summary)`` prints the last one."""

    def __init__(
        self,
        title: str,
        cases: Sequence[EvalCase],
        cost: Callable[[], float],
        *,
        stream: TextIO | None = None,
        every: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.title = title
        self.cases = cases
        self.cost = cost
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.every = every if every is not None else max(1, len(cases) // 10)
        self.clock = clock
        self._lock = threading.Lock()
        self._last_at = clock()
        self._last_ended = 0
        self._finished = False
        self._printed = ""  # the last line printed when not on a terminal

    def update(self, _case: EvalCase | None = None) -> None:
        """A case changed: print the line when it is due."""
        with self._lock:
            if self._finished:
                return
            ended = sum(c.done for c in self.cases)
            if self.tty:
                self._write("\r\x1b[2K" + self._line())
                return
            now = self.clock()
            if ended == self._last_ended:
                return  # a case started: nothing to say yet
            if ended - self._last_ended >= self.every or now - self._last_at >= EVERY_S:
                self._last_at, self._last_ended = now, ended
                self._printed = self._line()
                self._write(self._printed + "\n")

    def finish(self, summary: str) -> None:
        """The evaluation ended: the final line and the summary."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            line = self._line()
            if self.tty:
                self._write(f"\r\x1b[2K{line}\n{summary}\n")
            else:  # the last line once, not again when the last case printed it
                self._write(("" if line == self._printed else line + "\n") + summary + "\n")

    def _line(self) -> str:
        return progress_line(self.title, self.cases, self.cost())

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed stream: the evaluation goes on
            pass
