"""A Langfuse trace as downloaded JSON → span snapshots the otel adapter reads.

Langfuse keeps a trace as observations (``id``, ``traceId``, ``parentObservationId``, ``type``
``SPAN`` / ``GENERATION`` / ``TOOL`` / ``AGENT`` / ``CHAIN`` / ``EVENT`` / ..., ``name``,
``startTime``, ``endTime``, ``level``, ``statusMessage``, ``input``, ``output``, ``model``,
``usageDetails``, ``costDetails``, ``metadata``). Observations ingested from OpenTelemetry keep
their span's attributes in ``metadata.attributes``, but for the messages, moved to ``input`` /
``output``: each observation is its span again, its attributes completed from the
observation's own fields where they do not say (the role from ``type``, the output, the
tool's arguments and result), its usage and cost Langfuse's (what its UI shows).

The files: ``{"trace": {...}, "observations": [...]}`` (the UI's download merged with its log
view), a trace as the public API gives it (the trace's fields with ``observations``), or the
observations alone (a list, or one per line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import int_or_none, list_or_empty, str_or_none
from nbagent.adapters.otel.common import number
from nbagent.adapters.otel.conventions import role_of
from nbagent.adapters.traces.outputs import input_messages, output_messages
from nbagent.adapters.traces.times import epoch_seconds

__all__ = ["TYPES", "is_observation", "observation_span", "trace_of"]

TYPES = frozenset(
    {"SPAN", "GENERATION", "TOOL", "AGENT", "CHAIN", "EVENT", "RETRIEVER", "EVALUATOR"}
    | {"EMBEDDING", "GUARDRAIL"}
)
"""Langfuse's observation types."""

_ROLE_BY_TYPE = {"GENERATION": "chat", "TOOL": "execute_tool", "AGENT": "invoke_agent"}
_ROLE_BY_TYPE_CHAIN = "invoke_workflow"
_TOOL_PREFIXES = ("running tool: ", "execute_tool ")
_ARGUMENTS = ("gen_ai.tool.call.arguments", "tool_arguments", "input.value")
_RESULTS = ("gen_ai.tool.call.result", "tool_response", "output.value")
_CACHED = (
    "input_cached_tokens",
    "cache_read_input_tokens",
    "input_cache_read",
    "prompt_details.cache_read",
)
_WRITES = (
    "input_cache_creation",
    "cache_creation_input_tokens",
    "input_cache_write",
    "prompt_details.cache_write",
)
_REASONING = ("output_reasoning_tokens", "completion_details.reasoning", "output_reasoning")


def is_observation(obj: Any) -> bool:
    """A Langfuse observation: its ``id``, ``traceId``, ``startTime`` and a known ``type``."""
    return (
        isinstance(obj, Mapping)
        and obj.get("type") in TYPES
        and isinstance(obj.get("traceId"), str)
        and "startTime" in obj
    )


def trace_of(doc: Any) -> tuple[Mapping[str, Any], list[Any]] | None:
    """The trace's own fields and its observations, from either file shape; None for a
    document that is neither a trace nor observations."""
    if isinstance(doc, Mapping) and isinstance(doc.get("observations"), list):
        trace = doc.get("trace")
        return (trace if isinstance(trace, Mapping) else doc), doc["observations"]
    if is_observation(doc):
        return {}, [doc]
    items = list_or_empty(doc)
    if items and all(is_observation(item) for item in items):
        return {}, list(items)
    return None


def observation_span(obs: Mapping[str, Any]) -> dict[str, Any]:
    """One observation as a finished span's snapshot."""
    metadata = obs.get("metadata")
    attrs = metadata.get("attributes") if isinstance(metadata, Mapping) else None
    attrs = dict(attrs) if isinstance(attrs, Mapping) else {}
    kind = str(obs.get("type") or "SPAN").upper()
    name = str_or_none(obs.get("name")) or kind.lower()
    if not role_of(attrs):
        op = _ROLE_BY_TYPE.get(kind) or (_ROLE_BY_TYPE_CHAIN if kind == "CHAIN" else None)
        if op is not None:
            attrs["gen_ai.operation.name"] = op
    role = role_of(attrs)
    if role == "model":
        _model(attrs, obs)
    elif role == "tool":
        _tool(attrs, obs, name)
    start = epoch_seconds(obs.get("startTime")) or 0.0
    error = obs.get("level") == "ERROR"
    return {
        "name": name,
        "trace_id": str(obs.get("traceId") or ""),
        "span_id": str(obs.get("id") or ""),
        "parent_id": str_or_none(obs.get("parentObservationId")),
        "start": start,
        "end": epoch_seconds(obs.get("endTime")) or start,
        "attributes": attrs,
        "status": "ERROR" if error else "UNSET",
        "status_description": str_or_none(obs.get("statusMessage")) if error else None,
        "events": [],
        "scope": None,
    }


def _model(attrs: dict[str, Any], obs: Mapping[str, Any]) -> None:
    """A generation's output, model, usage and cost, where its attributes lack them."""
    has_output = "gen_ai.output.messages" in attrs or any(
        key.startswith("llm.output_messages.") for key in attrs
    )
    if not has_output:
        messages = output_messages(obs.get("output"))
        if messages is not None:
            attrs["gen_ai.output.messages"] = messages
    has_input = "gen_ai.input.messages" in attrs or any(
        key.startswith("llm.input_messages.") for key in attrs
    )
    if not has_input and (said := input_messages(obs.get("input"))) is not None:
        attrs["gen_ai.input.messages"] = said
    model = str_or_none(obs.get("model"))
    if model:
        attrs.setdefault("gen_ai.response.model", model)
        attrs.setdefault("gen_ai.request.model", model)
    usage = obs.get("usageDetails")
    usage = usage if isinstance(usage, Mapping) else {}
    counts = {
        "gen_ai.usage.input_tokens": _count(usage.get("input"), obs.get("inputUsage")),
        "gen_ai.usage.output_tokens": _count(usage.get("output"), obs.get("outputUsage")),
        "gen_ai.usage.cache_read.input_tokens": _first(usage, _CACHED),
        "gen_ai.usage.cache_creation.input_tokens": _first(usage, _WRITES),
        "gen_ai.usage.reasoning.output_tokens": _first(usage, _REASONING),
    }
    attrs.update({key: value for key, value in counts.items() if value is not None})
    cost = obs.get("costDetails")
    total = number(cost.get("total")) if isinstance(cost, Mapping) else None
    total = total if total is not None else number(obs.get("totalCost"))
    if total:
        attrs["operation.cost"] = total


def _tool(attrs: dict[str, Any], obs: Mapping[str, Any], name: str) -> None:
    """A tool's name, arguments and result, where its attributes lack them."""
    if not str_or_none(attrs.get("gen_ai.tool.name")) and not str_or_none(attrs.get("tool.name")):
        for prefix in _TOOL_PREFIXES:
            name = name.removeprefix(prefix)
        attrs["gen_ai.tool.name"] = name
    if obs.get("input") is not None and not any(k in attrs for k in _ARGUMENTS):
        attrs["gen_ai.tool.call.arguments"] = obs["input"]
    if obs.get("output") is not None and not any(k in attrs for k in _RESULTS):
        attrs["gen_ai.tool.call.result"] = obs["output"]


def _count(*values: Any) -> int | None:
    return next((n for v in values if (n := int_or_none(v)) is not None), None)


def _first(usage: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    return _count(*(usage.get(k) for k in keys))
