"""The event vocabulary: one small dataclass per kind, shared by every source.

Adapters translate a wire format into these events; the lifecycle normalizer
(`nbagent.pipeline.normalize`) repairs their order; the transcript reducer folds them.
Events are pure data: JSON-serializable fields, no callables, no widgets.

Every event shares the envelope ``kind``, ``seq``, ``ts``, ``run_id``, ``source``
and ``meta``. Constructors are keyword-only: ``TextDelta(message_id="m", delta="Hi")``.
"""

from nbagent.core.events.decode import EVENT_TYPES, event_from_dict, event_from_json
from nbagent.core.events.envelope import (
    END_REASONS,
    STATUSES,
    EndReason,
    Event,
    EventDecodeError,
    NbagentError,
    RunStatus,
)
from nbagent.core.events.kinds import (
    Custom,
    ErrorEvent,
    Media,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    State,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)

__all__ = [
    "END_REASONS",
    "EVENT_TYPES",
    "STATUSES",
    "Custom",
    "EndReason",
    "ErrorEvent",
    "Event",
    "EventDecodeError",
    "Media",
    "MessageEnd",
    "MessageStart",
    "NbagentError",
    "RunEnd",
    "RunStart",
    "RunStatus",
    "State",
    "Status",
    "StepEnd",
    "StepStart",
    "TextDelta",
    "ThinkingDelta",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResult",
    "Usage",
    "event_from_dict",
    "event_from_json",
]
