"""The ids of a run's messages and tool calls, made the one way.

- a wire id is kept verbatim (``wire``);
- a wire id seen again becomes ``{id}#{n}`` (``#2``, ``#3``…: scripted and local models repeat
  their call ids);
- an id the wire does not give is ``{scope}:{kind}{n}`` (``new``): ``scope`` the nearest wire
  scope (a message, a step, a span or the run), ``kind`` one of ``text``, ``think``,
  ``refusal``, ``call``, ``media`` (a picture or a sound), ``n`` counting that kind in that
  scope from 1;
- a scope the wire does not name (a step, a turn, a sub-agent) is ``{kind}{n}`` (``scope_id``):
  ``step1``, ``turn2``, ``{scope}:step1`` inside a wire scope (a parent agent, a span).

Invented ids are no promise to users (ARCHITECTURE.md); what they read is: the folded
transcript, which these ids only key.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from nbagent.core.events.envelope import Channel

__all__ = ["Ids", "Kind", "ScopeKind", "kind_of"]

Kind: TypeAlias = Literal["text", "think", "refusal", "call", "media"]
"""What an invented id names."""

ScopeKind: TypeAlias = Literal["step", "turn", "agent"]
"""What an invented scope names: a model call, a turn of a conversation, a sub-agent."""

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
        return self._next(f"{scope or self.scope}:", kind)

    def scope_id(self, kind: ScopeKind = "step", within: str | None = None) -> str:
        """``{kind}{n}``: the next step (turn, sub-agent) of the run, ``{within}:{kind}{n}``
        inside the wire scope ``within``; skipping an id the wire gave already. The run is no
        part of it: a scope's id is what the ids inside it start with."""
        return self._next(f"{within}:" if within else "", kind)

    def _next(self, prefix: str, kind: str) -> str:
        while True:
            n = self._counts[(prefix, kind)] = self._counts.get((prefix, kind), 0) + 1
            given = f"{prefix}{kind}{n}"
            if given not in self._used:
                self._used.add(given)
                return given

    def of(self, wire_id: str | None, kind: Kind, scope: str | None = None) -> str:
        """``wire(wire_id)`` when the wire gave one, else ``new(kind, scope)``."""
        return self.wire(wire_id) if wire_id else self.new(kind, scope)
