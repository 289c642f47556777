"""An adapter's run, the one way: started once, ended once, and the one way to say an item
cannot be read.

``Lifecycle`` is an object the adapter holds (composed, not inherited): ``start()`` is true the
first time only (``begin`` emits the ``RunStart`` then), ``end()`` true the first time only
(every later end, a ``feed`` after a terminal item included, gives nothing), and ``bad`` /
``takes`` / ``unwrap`` make the format's ``BadItemError``, named by the format.

``ModelStep`` is the lifecycle of a stream that is one model's response: the run and its one
step started on the first item, the step ended once, the run ended by the last item, a fatal
error or the stream's end (``incomplete``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from nbagent.adapters.base import BadItemError, ended_before_any, unwrap_object
from nbagent.adapters.kit.ids import Ids
from nbagent.core.events import ErrorEvent, Event, RunEnd, RunStart, StepEnd, StepStart
from nbagent.core.values import short_repr, type_path

__all__ = ["Closer", "Lifecycle", "ModelStep"]

_NO_ITEM: Any = object()


class Lifecycle:
    """Whether the run ``started`` and is ``done``; ``fmt`` names the format in its errors,
    ``what`` says what it takes (``"ChatCompletionChunk objects, dicts or JSON strings"``)."""

    __slots__ = ("done", "fmt", "started", "what")

    def __init__(self, fmt: str, what: str = "") -> None:
        self.fmt = fmt
        self.what = what
        self.started = False
        self.done = False

    def start(self) -> bool:
        """True the first time only: the run starts now."""
        if self.started:
            return False
        self.started = True
        return True

    def begin(self, out: list[Event], ids: Ids | None = None, **run: Any) -> bool:
        """The run's ``RunStart`` (the ``run`` fields) into ``out``, the first time only (True
        then); ``ids`` scoped in the run's id when the wire gave one."""
        if not self.start():
            return False
        if ids is not None and run.get("run_id"):
            ids.scope = run["run_id"]
        out.append(RunStart(**run))
        return True

    def end(self) -> bool:
        """True the first time only: the run ends now (False once it has)."""
        if self.done:
            return False
        self.done = True
        return True

    # -- the bad-item error -----------------------------------------------------------------

    def bad(self, message: str, item: Any = _NO_ITEM) -> BadItemError:
        """``{fmt}: {message}``, and ``: {item}`` (shortened) when an item is given."""
        shown = "" if item is _NO_ITEM else f": {short_repr(item)}"
        return BadItemError(f"{self.fmt}: {message}{shown}")

    def takes(self, item: Any, what: str | None = None) -> BadItemError:
        """``{fmt} takes {what}, got {type}: {item}``: an item of a type the format never
        has (``what``: the format's ``what`` unless given)."""
        kind = type(item)
        name = kind.__name__ if kind.__module__ == "builtins" else type_path(item)
        return BadItemError(f"{self.fmt} takes {what or self.what}, got {name}: {short_repr(item)}")

    def again(self, exc: BadItemError) -> BadItemError:
        """A shared reader's error (``unwrap``: not JSON), named by the format."""
        return BadItemError(f"{self.fmt}: {exc}")

    def unwrap(self, item: Any) -> tuple[str | None, Any]:
        """``base.unwrap_object`` with the format's name and ``what``: an SSE event's name and
        its payload, an object."""
        return unwrap_object(item, self.fmt, self.what)


Closer: TypeAlias = Callable[[list[Event]], object]
"""What closes an adapter's open messages and calls into ``out`` before its step ends."""


class ModelStep:
    """A run of one model step (``name="model"``) over the adapter's ``life`` (its own when
    none is given): started at the first item, done once the run ended. ``step_id`` may be set
    until ``start``."""

    def __init__(self, step_id: str, life: Lifecycle | None = None) -> None:
        self.life = life if life is not None else Lifecycle("model")
        self.step_id = step_id
        self._step_open = False

    @property
    def started(self) -> bool:
        return self.life.started

    @property
    def done(self) -> bool:
        return self.life.done

    def start(self, out: list[Event], **run: Any) -> None:
        """``RunStart`` (with the ``run`` fields) and ``StepStart``, the first time only."""
        if self.life.start():
            self._step_open = True
            out.append(RunStart(**run))
            out.append(StepStart(step_id=self.step_id, name="model", step_type="model"))

    def end_step(self, out: list[Event], reason: str, raw: str | None = None) -> None:
        """The step's ``StepEnd``, once."""
        if self._step_open:
            self._step_open = False
            out.append(
                StepEnd(
                    step_id=self.step_id, name="model", finish_reason=reason, raw_finish_reason=raw
                )
            )

    def fail(
        self, out: list[Event], close: Closer, error: ErrorEvent, raw: str | None = None
    ) -> list[Event]:
        """A fatal error: what is open closed, the step ended ``error``, ``error`` and the
        run's ``error`` end (``raw`` its raw reason); ``out``."""
        self.life.end()
        if self.started:
            close(out)
            self.end_step(out, "error")
        out.append(error)
        out.append(RunEnd(reason="error", raw_reason=raw, message=error.message))
        return out

    def cut_off(self, close: Closer, what: str, message: str) -> list[Event]:
        """``end()`` of a stream that stopped before its last item: before any ``what``
        (``ended_before_any``), or what is open closed and the step and run ended
        ``incomplete``, saying ``message``. Nothing once the run is done."""
        if not self.life.end():
            return []
        if not self.started:
            return [ended_before_any(what)]
        out: list[Event] = []
        close(out)
        self.end_step(out, "incomplete")
        out.append(RunEnd(reason="incomplete", message=message))
        return out
