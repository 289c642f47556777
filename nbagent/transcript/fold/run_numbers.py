"""The run's numbers as a transcript's properties: time to first token, elapsed and
generation time, output tokens and tokens/s, each computed by ``numbers`` (what each means)
from the folded state."""

from __future__ import annotations

from typing import Any

from nbagent.transcript.fold import numbers
from nbagent.transcript.fold.state import FoldState

__all__ = ["RunNumbers"]


class RunNumbers(FoldState):
    """The run's numbers of the reducer's state."""

    @property
    def ttft_s(self) -> float | None:
        """Seconds from run start to the first token, None when either is unknown."""
        if self.first_token_at is None or self.started_at is None:
            return None
        return self.first_token_at - self.started_at

    @property
    def elapsed_s(self) -> float | None:
        """Seconds from run start to its end (or to the latest event while running), less
        the time it was paused (``nbagent/transcript/fold/numbers.py``)."""
        if self.ended_at is None and self.last_event is None:
            return None
        return numbers.elapsed(self._numbers_state(), self._now())

    def _now(self) -> float:
        """The latest time the transcript knows: its end, or its latest event's."""
        if self.ended_at is not None:
            return self.ended_at
        return self.last_event.ts if self.last_event is not None else self.started_at or 0.0

    @property
    def generation_s(self) -> float:
        """Seconds the model was producing (``nbagent/transcript/fold/numbers.py``): from each
        step's first token to the step's end, not waiting for first tokens, not tools' time."""
        return numbers.generation_s(self._numbers_state(), self._now())

    @property
    def output_tokens(self) -> float | None:
        """Output tokens: reported, or one per content delta (``output_tokens_estimated``)."""
        rate = numbers.output_tokens(self._numbers_state())
        return None if rate is None else rate.value

    @property
    def output_tokens_estimated(self) -> bool:
        rate = numbers.output_tokens(self._numbers_state())
        return rate is not None and rate.estimated

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens over generation time; None when that means nothing (too few tokens,
        too short, no output, whole messages)."""
        rate = numbers.tokens_per_s(self._numbers_state(), self._now())
        return None if rate is None else rate.value

    def _numbers_state(self) -> dict[str, Any]:
        """The fields ``numbers`` reads (``to_dict()`` without the blocks' copies)."""
        return {
            "status": self.status,
            "started_at": self.started_at,
            "first_token_at": self.first_token_at,
            "ended_at": self.ended_at,
            "generating_s": self.generating_s,
            "generating_since": self.generating_since,
            "paused_s": self.paused_s,
            "paused_since": self.paused_since,
            "usage": self._usage,
            "steps": self._steps,
            "whole": self.whole,
            "deltas": self.deltas,
        }
