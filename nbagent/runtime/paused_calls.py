"""``PausedCalls``: what a ``Run`` offers for its paused tool calls (``runtime/answers.py``
answers them): ``pending``, ``until_paused()``, ``approve``, ``mock``, ``deny``, ``dismiss``,
``choose``, and the page's ``pause_answer``, whose refusal its call's panel shows."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from nbagent.core.threads import in_background
from nbagent.runtime import answers
from nbagent.runtime.answers import PendingCall
from nbagent.runtime.pause import Pauses
from nbagent.transcript.transcript import Transcript
from nbagent.widget.messages import PauseAnswer

__all__ = ["PausedCalls"]


class PausedCalls:
    """The paused-call half of ``Run`` (which extends it): its calls wait in ``pauses``."""

    pauses: Pauses
    source: Any
    transcript: Transcript

    if TYPE_CHECKING:  # the Run's own (run.py)

        @property
        def done(self) -> bool: ...
        @property
        def lock(self) -> threading.RLock: ...
        def push_late(self, ops: list[dict[str, Any]]) -> None: ...

    @property
    def pending(self) -> list[PendingCall]:
        """The tool calls waiting for an answer (``index``, ``tool_call_id``, ``name``,
        ``args``), in the order they paused."""
        return answers.pending_calls(self.pauses)

    async def until_paused(self, timeout: float | None = None) -> list[PendingCall]:
        """Wait until a tool call waits for an answer, or the run ends: ``pending`` then
        (``[]``: it ended). ``await run.until_paused()`` in a cell, then answer from code.
        ``TimeoutError`` after ``timeout`` seconds."""
        return await answers.wait_until_paused(lambda: self.pending, lambda: self.done, timeout)

    def approve(self, i: int | str = 0, **overrides: Any) -> None:
        """Run paused call ``i`` (a position in ``pending`` or a tool call id), ``overrides``
        replacing arguments (checked against the tool's: ``ValueError`` keeps it paused)."""
        answers.answer_call(self.pauses, i, "run", overrides=overrides)

    def mock(self, i: int | str, result: Any) -> None:
        """Answer paused call ``i`` with ``result``, as if the tool had returned it (it never
        runs)."""
        answers.answer_call(self.pauses, i, "mock", result=result)

    def deny(self, i: int | str = 0, reason: str | None = None) -> None:
        """Refuse paused call ``i``: the model is told so (with ``reason``) and goes on."""
        answers.answer_call(self.pauses, i, "deny", reason=reason)

    def dismiss(self, i: int | str = 0) -> None:
        """Dismiss the question paused call ``i`` waits on: the server is told the question was
        dismissed (MCP ``cancel``); the call goes on as the server decides. Only a question
        offers it: elsewhere ``ValueError``, and the call stays paused."""
        answers.answer_call(self.pauses, i, "dismiss")

    def choose(self, i: int | str, option_id: str) -> None:
        """Answer paused call ``i`` with ``option_id``, an option its producer offered (an ACP
        agent's own: allow always, reject always...); ``TypeError`` where none are offered."""
        answers.choose_option(self.source, i, option_id)

    def _pause_answer_from_view(self, content: PauseAnswer) -> None:
        # Off the comm thread: the answer takes the run's lock to show a refusal.
        in_background(self._answer_from_view, content, name="nbagent-answer")

    def _answer_from_view(self, content: PauseAnswer) -> None:
        try:
            answers.answer_from_view(self.pauses, content)
        except (ValueError, LookupError, RuntimeError) as exc:
            self._refused(str(content.get("id")), str(exc))

    def _refused(self, tool_call_id: str, error: str) -> None:
        """A refused answer: the call stays paused, its panel shows why (``pause.error``)."""
        with self.lock:
            try:
                i, tool = self.transcript.tool_call_at(tool_call_id)
            except KeyError:
                return
            if tool.pause is None:
                return
            tool.pause = tool.pause | {"error": error}
            self.push_late([{"op": "set", "i": i, "set": {"pause": dict(tool.pause)}}])
