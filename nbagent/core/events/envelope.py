"""The envelope every event kind shares (``Event``: its fields, ``to_dict``, ``to_json``), the
words a run ends and stands in (``EndReason``, ``RunStatus``), a message's channel, and the
errors nbagent raises on bad input (the package's docstring)."""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Literal

__all__ = [
    "END_REASONS",
    "STATUSES",
    "Channel",
    "EndReason",
    "Event",
    "EventDecodeError",
    "NbagentError",
    "RunStatus",
]

EndReason = Literal[
    "completed",
    "tool_calls",
    "max_tokens",
    "content_filter",
    "refusal",
    "cancelled",
    "interrupted",
    "expired",
    "error",
    "incomplete",
    "max_steps",
    "unknown",
]
END_REASONS: tuple[str, ...] = EndReason.__args__  # type: ignore[attr-defined]

RunStatus = Literal["running", "completed", "error", "cancelled"]
STATUSES: tuple[str, ...] = RunStatus.__args__  # type: ignore[attr-defined]

Channel = Literal["text", "thinking"]


class NbagentError(Exception):
    """Base class of the errors nbagent raises on bad input (a source it cannot read, a
    recording or event line it cannot decode): ``except nbagent.NbagentError`` catches them."""


class EventDecodeError(NbagentError, ValueError):
    """A dict or JSON line could not be decoded as an nbagent event: no known ``kind``, a
    missing required field, or a field that is not one of that kind's."""


@dataclass(slots=True, kw_only=True)
class Event:
    """Envelope shared by every event kind: the one vocabulary every source is normalized to.

    Subclasses set ``kind`` (``"text_delta"``, ``"tool_call_start"``, ...). Events are pure
    data: ``to_dict()`` / ``to_json()`` write them, ``nbagent.event_from_dict`` /
    ``event_from_json`` read them back, and an iterable of them is a source for ``show()``.
    ``seq`` and ``ts`` are stamped by the normalizer (adapters have no clock); ``run_id`` names
    the run the event belongs to.
    """

    kind: ClassVar[str] = ""
    seq: int = 0
    """Monotonic position within the run, assigned by the normalizer (1-based)."""
    ts: float = 0.0
    """Epoch seconds at receipt."""
    run_id: str = ""
    """The run this event belongs to."""
    source: str = ""
    """Adapter id that produced the event, e.g. ``"openai-chat"``."""
    meta: dict[str, Any] | None = None
    """Source-specific extras (``choice_index``, ``sse_id``, ...)."""
    parent: str | None = None
    """The scope the event belongs to: None at the top level; inside a sub-agent, the id of
    what started it, a tool call (``ToolCallStart.tool_call_id``: an agent used as a tool, a
    Claude sub-agent's ``parent_tool_use_id``) or a sub-agent step
    (``StepStart(step_type="subagent").step_id``: a LangGraph subgraph). The transcript folds
    a scope's blocks into the block that started it (docs/develop/contracts.md, "Nesting")."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: ``kind`` plus every field that differs from its default."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.default is not MISSING and value == f.default:
                continue
            if f.default_factory is not MISSING and value == f.default_factory():
                continue
            out[f.name] = value
        return out

    def to_json(self) -> str:
        """One line of nbagent's own JSONL format (``format="events"``)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
