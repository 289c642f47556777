<<<<<<< HEAD
"""What adapters compose: tool-call assembly (``calls.py``), usage readers (``usage.py``) and
the text and thinking messages they open and close (``messages.py``)."""
=======
"""What adapters compose: tool-call assembly (``calls.py``), usage readers (``usage.py``), and
messages and calls that came whole (``whole.py``)."""
>>>>>>> wt-oa

from nbagent.adapters.kit.calls import Call, CallGroup, ToolCalls, args_text, invent_id
from nbagent.adapters.kit.messages import (
    IdScheme,
    Messages,
    ModelStep,
    message_delta,
    numbered,
    whole_message,
    wire_key,
)
from nbagent.adapters.kit.usage import (
    anthropic_usage,
    gemini_usage,
    langchain_usage,
    openai_counts,
    openai_usage,
)
from nbagent.adapters.kit.whole import call_events, distinct_id, message_events

__all__ = [
    "Call",
    "CallGroup",
    "IdScheme",
    "Messages",
    "ModelStep",
    "ToolCalls",
    "anthropic_usage",
    "args_text",
    "call_events",
    "distinct_id",
    "gemini_usage",
    "invent_id",
    "langchain_usage",
<<<<<<< HEAD
    "message_delta",
    "numbered",
=======
    "message_events",
>>>>>>> wt-oa
    "openai_counts",
    "openai_usage",
    "whole_message",
    "wire_key",
]
