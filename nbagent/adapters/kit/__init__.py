"""What adapters compose: tool-call assembly (``calls.py``), usage readers (``usage.py``) and
messages seen whole (``whole.py``)."""

from nbagent.adapters.kit.calls import Call, CallGroup, ToolCalls, args_text, invent_id
from nbagent.adapters.kit.usage import (
    anthropic_usage,
    gemini_usage,
    langchain_usage,
    openai_counts,
    openai_usage,
)
from nbagent.adapters.kit.whole import whole_message

__all__ = [
    "Call",
    "CallGroup",
    "ToolCalls",
    "anthropic_usage",
    "args_text",
    "gemini_usage",
    "invent_id",
    "langchain_usage",
    "openai_counts",
    "openai_usage",
    "whole_message",
]
