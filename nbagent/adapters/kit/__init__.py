"""What adapters compose: a run's ids (``ids.py``), tool-call assembly (``calls.py``), usage
readers (``usage.py``), the run's lifecycle (``lifecycle.py``: started once with its
``RunStart``, ended once, its bad-item error), the text and thinking messages they open and
close (``messages.py``), the content parts they stream by the wire's key (``parts.py``: messages
and call arguments), messages and calls that came whole (``whole.py``), full texts after their
deltas (``reconcile.py``), a provider's finish word (``finish.py``), an item's handler by its
type and a ``detect`` that never raises (``dispatch.py``) and the base of every hook family's
adapter (``hooks.py``: ``HookAdapter``; ``hook_record.py``: ``HookRecord``). The last four are
imported from their modules."""

from nbagent.adapters.kit.calls import Call, CallGroup, ToolCalls, args_text
from nbagent.adapters.kit.ids import Ids, Kind, kind_of
from nbagent.adapters.kit.lifecycle import Lifecycle, ModelStep
from nbagent.adapters.kit.messages import (
    ANSWER_SEEN_WHOLE,
    SEEN_WHOLE,
    Channel,
    IdScheme,
    Messages,
    invented,
    message_delta,
    whole_message,
    wire_key,
)
from nbagent.adapters.kit.parts import Part, PartKind, Parts
from nbagent.adapters.kit.usage import (
    anthropic_usage,
    cache_writes,
    gemini_usage,
    langchain_usage,
    openai_counts,
    openai_usage,
)
from nbagent.adapters.kit.whole import call_events

__all__ = [
    "ANSWER_SEEN_WHOLE",
    "SEEN_WHOLE",
    "Call",
    "CallGroup",
    "Channel",
    "IdScheme",
    "Ids",
    "Kind",
    "Lifecycle",
    "Messages",
    "ModelStep",
    "Part",
    "PartKind",
    "Parts",
    "ToolCalls",
    "anthropic_usage",
    "args_text",
    "cache_writes",
    "call_events",
    "gemini_usage",
    "invented",
    "kind_of",
    "langchain_usage",
    "message_delta",
    "openai_counts",
    "openai_usage",
    "whole_message",
    "wire_key",
]
