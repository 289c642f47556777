"""The ids of a run's messages and tool calls, made the one way.

- a wire id is kept verbatim (``wire``);
- a wire id seen again becomes ``{id}#{n}`` (``#2``, ``#3``…: scripted and local models repeat
  their call ids);
- an id the wire does not give is ``{scope}:{kind}{n}`` (``new``): ``scope`` the nearest wire
  scope (a message, a step, a span or the run), ``kind`` one of ``text``, ``think``,
  ``refusal``, ``call``, ``n`` counting that kind in that scope from 1.

Invented ids are no promise to users (ARCHITECTURE.md); what they read is: the folded
transcript, which these ids only key.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from nbagent.core.events.kinds import Channel

__all__ = ["Ids", "Kind", "kind_of"]

Kind: TypeAlias = Literal["text", "think", "refusal", "call"]
"""What an invented id names."""

RUN = "run"
"""The scope of a run whose wire gives no id at all."""


def kind_of(channel: Channel) -> Kind:
    """The kind of a message of ``channel``: ``think`` for thinking, ``text`` else."""
    return "think" if channel == "thinking" else "text"


class Ids:
    """A run's ids, every one given once. ``scope`` is the default scope of invented ids (the
    run's id once the wire said it; ``run`` until then)."""

    __slots__ = ("_counts", "_used", "scope")

    def __init__(self, scope: str = RUN) -> None:
        self.scope = scope
        self._used: set[str] = set()
        self._counts: dict[tuple[str, str], int] = {}

    def __contains__(self, some_id: object) -> bool:
        return some_id in self._used

    def wire(self, wire_id: str) -> str:
        """``wire_id`` the first time, ``{wire_id}#2``, ``#3``… when seen again."""
        given, n = wire_id, 1
        while given in self._used:
            n += 1
            given = f"{wire_id}#{n}"
        self._used.add(given)
        return given

    def new(self, kind: Kind, scope: str | None = None) -> str:
        """``{scope}:{kind}{n}``: the next ``kind`` in ``scope`` (the default scope when none
        is given), skipping an id the wire gave already."""
        where = scope or self.scope
        while True:
            n = self._counts[(where, kind)] = self._counts.get((where, kind), 0) + 1
            given = f"{where}:{kind}{n}"
            if given not in self._used:
                self._used.add(given)
                return given

    def of(self, wire_id: str | None, kind: Kind, scope: str | None = None) -> str:
        """``wire(wire_id)`` when the wire gave one, else ``new(kind, scope)``."""
        return self.wire(wire_id) if wire_id else self.new(kind, scope)
