"""What an ACP agent offers, as ``nbagent.acp`` lists it (``Mode``, ``Command``), and the error
its client raises (``AcpError``)."""

from __future__ import annotations

import dataclasses

__all__ = ["AcpError", "Command", "Mode"]


class AcpError(RuntimeError):
    """An ACP agent could not be started, or failed: the message names the command and ends
    with the agent's stderr (its last lines)."""


@dataclasses.dataclass(frozen=True)
class Mode:
    """A session mode the agent offers (``agent.modes``; ``agent.set_mode(id)``)."""

    id: str
    name: str
    description: str | None = None


@dataclasses.dataclass(frozen=True)
class Command:
    """A slash command the agent offers (``agent.commands``): run it with
    ``agent.prompt("/name args")``; ``hint`` says what input it takes."""

    name: str
    description: str
    hint: str | None = None
