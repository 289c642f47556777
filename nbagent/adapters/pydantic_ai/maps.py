"""Pure readers of pydantic-ai's objects (or their JSON dicts): kinds, usage, tool results."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nbagent.adapters.base import field, int_or_none, plain, str_or_none, type_is
from nbagent.core.events import Usage

__all__ = [
    "EVENT_KINDS",
    "NODE_NAMES",
    "args_text",
    "cost_usd",
    "event_kind",
    "is_run_result",
    "read_usage",
    "result_of",
    "to_plain",
    "usage_event",
]

EVENT_KINDS = frozenset(
    {
        "part_start",
        "part_delta",
        "part_end",
        "final_result",
        "function_tool_call",
        "function_tool_result",
        "output_tool_call",
        "output_tool_result",
        "builtin_tool_call",  # pydantic-ai < 1.0 sent native tool parts as events of their own
        "builtin_tool_result",
        "deferred_tool_requests",
        "deferred_tool_results",
        "enqueued_messages",
        "tool_availability_delta",
        "capability_load_delta",
        "model_settings_delta",
        "custom",
        "capability",
        "agent_run_result",
    }
)
"""The ``event_kind`` of the events a run streams (realtime sessions add more: kept as Custom)."""

NODE_NAMES = ("UserPromptNode", "ModelRequestNode", "CallToolsNode", "SetFinalResult")
"""The nodes of ``agent.iter()``'s graph run (``pydantic_ai._agent_graph``)."""


def event_kind(item: Any) -> str | None:
    """The ``event_kind`` discriminator of a stream event, object or dict."""
    return str_or_none(field(item, "event_kind"))


def is_run_result(item: Any) -> bool:
    """``AgentRunResult``: what ``run.result`` is after ``agent.iter()``."""
    return type_is(item, "pydantic_ai", "AgentRunResult", "StreamedRunResult")


def to_plain(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy: pydantic-ai's dataclasses (parts, ``DeferredToolRequests``) as dicts
    of their public fields, everything else as ``plain`` makes it."""
    if depth > 32:
        return plain(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name, None), depth + 1)
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, depth + 1) for v in value]
    return plain(value)


def args_text(args: Any) -> str | None:
    """A tool call's arguments as JSON text: a str as it is, a dict dumped, else None."""
    if isinstance(args, str):
        return args
    if isinstance(args, Mapping):
        try:
            return json.dumps(to_plain(args), ensure_ascii=False)
        except (TypeError, ValueError):
            return None
    return None


def _count(usage: Any, name: str) -> int | None:
    return int_or_none(field(usage, name))


def read_usage(owner: Any) -> Any:
    """``owner.usage``: a property since pydantic-ai 1.x, a method before."""
    usage = field(owner, "usage")
    if usage is not None and _count(usage, "input_tokens") is None and callable(usage):
        try:
            usage = usage()
        except Exception:  # noqa: BLE001 - a usage that cannot be read is no usage
            return None
    return usage


def cost_usd(usage: Any) -> float | None:
    """``usage.cost`` (USD, priced by genai-prices) when the library could price the run."""
    cost = field(usage, "cost")
    if isinstance(cost, (Decimal, int, float)) and not isinstance(cost, bool):
        number = float(cost)
        return number if math.isfinite(number) and number >= 0 else None
    return None


def usage_event(
    usage: Any, *, scope: str, step_id: str | None = None, model: str | None = None
) -> Usage | None:
    """A ``RequestUsage`` (a step) or ``RunUsage`` (the run) as ``Usage``; None when it has no
    token count."""
    inp = _count(usage, "input_tokens")
    outp = _count(usage, "output_tokens")
    if inp is None and outp is None:
        return None
    details = field(usage, "details")
    reasoning = _count(usage, "output_reasoning_tokens") or _count(details, "reasoning_tokens")
    cached = _count(usage, "cache_read_tokens")
    written = _count(usage, "cache_write_tokens")
    meta: dict[str, Any] = {}
    cost: float | None = None
    if scope == "run":  # a step's counts are its one request, and its cost is the run's
        for name in ("requests", "tool_calls"):
            count = _count(usage, name)
            if count:
                meta[name] = count
        cost = cost_usd(usage)
    return Usage(
        cost_usd=cost,
        input_tokens=inp,
        output_tokens=outp,
        total_tokens=(inp or 0) + (outp or 0),
        reasoning_tokens=reasoning or None,
        cached_input_tokens=cached or None,
        cache_write_tokens=written or None,
        cache_write_1h_tokens=_count(usage, "cache_write_1h_tokens") or None,
        cumulative=True,
        scope="run" if scope == "run" else "step",
        step_id=step_id,
        model=model,
        meta=meta or None,
    )


def result_of(part: Any) -> tuple[Any, bool]:
    """``(content, is_error)`` of a tool's return part.

    A ``ToolReturnPart`` whose ``outcome`` is not ``"success"`` (``retried``: ``ModelRetry`` or
    invalid arguments, ``failed``, ``denied``, ``interrupted``) is an error the model sees; so is
    a ``RetryPromptPart`` (pydantic-ai < 2), whose text is what the model is told.
    """
    if field(part, "part_kind") == "retry-prompt":
        describe = getattr(part, "model_response", None)
        if callable(describe):
            try:
                return describe(), True
            except Exception:  # noqa: BLE001 - fall back to the raw content
                pass
        return to_plain(field(part, "content")), True
    outcome = field(part, "outcome")
    failed = isinstance(outcome, str) and outcome != "success"
    return to_plain(field(part, "content")), failed
