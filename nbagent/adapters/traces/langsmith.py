"""A LangSmith run tree → span snapshots the otel adapter reads.

LangSmith keeps a trace as runs (``id``, ``trace_id``, ``parent_run_id``, ``dotted_order``,
``name``, ``run_type`` ``llm`` / ``chain`` / ``tool`` / ``retriever`` / ..., ``start_time``,
``end_time``, ``inputs``, ``outputs``, ``error``, ``extra.metadata``). The files: a list of
runs (linked by ``parent_run_id``), the nested form (a run with its ``child_runs``, as
``Client.read_run(id, load_child_runs=True)`` gives it), or the SDK's batch bodies
(``{"post": [...], "patch": [...]}``, a run's patch applied to its post).

Each run is a span: an ``llm`` run a model call (its output in any shape ``outputs`` reads,
its usage from ``usage_metadata`` or the counts LangSmith computed), a ``tool`` run a tool's
execution (the call's id from its metadata or its ``ToolMessage``), the top run the agent
itself, a chain directly inside a tool run an agent used as that tool (its calls nest
under it), any other run a plain step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.base import field, int_or_none, list_or_empty, str_or_none
from nbagent.adapters.kit.usage import langchain_usage
from nbagent.adapters.otel.common import number
from nbagent.adapters.traces.outputs import input_messages, output_messages
from nbagent.adapters.traces.times import epoch_seconds

__all__ = ["is_run", "run_spans", "runs_of"]

_RUN_TYPES = frozenset({"llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"})


def is_run(obj: Any) -> bool:
    """A LangSmith run: an ``id``, a known ``run_type``."""
    return isinstance(obj, Mapping) and obj.get("run_type") in _RUN_TYPES and "id" in obj


def _is_batch(obj: Any) -> bool:
    return isinstance(obj, Mapping) and any(isinstance(obj.get(k), list) for k in ("post", "patch"))


def runs_of(doc: Any) -> list[dict[str, Any]] | None:
    """Every run of a document, flat (``child_runs`` unnested, batches merged), in the order
    they came; None when the document holds no runs."""
    items = list(list_or_empty(doc)) if not isinstance(doc, Mapping) else [doc]
    if not items:
        return None
    if all(_is_batch(item) for item in items):
        return _batches(items)
    if not all(is_run(item) for item in items):
        return None
    out: list[dict[str, Any]] = []
    stack = list(reversed(items))
    while stack:
        run = dict(stack.pop())
        children = list_or_empty(run.pop("child_runs", None))
        out.append(run)
        stack.extend(reversed([c for c in children if is_run(c)]))
    return out


def _batches(bodies: list[Any]) -> list[dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}
    for body in bodies:
        for run in list_or_empty(body.get("post")):
            if is_run(run):
                runs.setdefault(str(run["id"]), {}).update(run)
        for run in list_or_empty(body.get("patch")):
            if isinstance(run, Mapping) and "id" in run:
                runs.setdefault(str(run["id"]), {}).update(run)
    return [run for run in runs.values() if is_run(run)]


def run_spans(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs as finished spans' snapshots."""
    kinds = {str(run.get("id")): run.get("run_type") for run in runs}
    return [_span(run, kinds) for run in runs]


def _span(run: Mapping[str, Any], kinds: Mapping[str, Any]) -> dict[str, Any]:
    kind = run.get("run_type")
    parent = str_or_none(run.get("parent_run_id"))
    name = str_or_none(run.get("name")) or str(kind)
    attrs: dict[str, Any] = {"langsmith.run_type": kind}
    if kind == "llm":
        _model(attrs, run)
    elif kind == "tool":
        _tool(attrs, run, name)
    elif kind == "chain" and (parent is None or kinds.get(parent) == "tool"):
        attrs["gen_ai.operation.name"] = "invoke_agent"
        attrs["gen_ai.agent.name"] = name
    start = epoch_seconds(run.get("start_time")) or 0.0
    span: dict[str, Any] = {
        "name": name,
        "trace_id": str(run.get("trace_id") or run.get("id") or ""),
        "span_id": str(run.get("id") or ""),
        "parent_id": parent,
        "start": start,
        "end": epoch_seconds(run.get("end_time")) or start,
        "attributes": attrs,
        "status": "UNSET",
        "status_description": None,
        "events": [],
        "scope": None,
    }
    error = str_or_none(run.get("error"))
    if error:
        event = _exception(error, span["end"])
        span["status"] = "ERROR"
        span["events"] = [event]
        if "exception.type" not in event["attributes"]:
            span["status_description"] = event["attributes"]["exception.message"]
    return span


def _model(attrs: dict[str, Any], run: Mapping[str, Any]) -> None:
    attrs["gen_ai.operation.name"] = "chat"
    outputs, inputs = run.get("outputs"), run.get("inputs")
    metadata = field(run.get("extra"), "metadata")
    model = (
        str_or_none(field(outputs, "model"))
        or str_or_none(field(metadata, "ls_model_name"))
        or str_or_none(field(inputs, "model"))
    )
    if model:
        attrs["gen_ai.request.model"] = attrs["gen_ai.response.model"] = model
    messages = output_messages(outputs)
    if messages is not None:
        attrs["gen_ai.output.messages"] = messages
    said = input_messages(field(inputs, "messages"))
    if said is not None:
        attrs["gen_ai.input.messages"] = said
    usage = (
        field(outputs, "usage_metadata")
        or field(metadata, "usage_metadata")
        or field(outputs, "usage")
        or field(field(outputs, "llm_output"), "token_usage")
    )
    counts = langchain_usage(usage) if usage else None
    inp = counts.input_tokens if counts else None
    out = counts.output_tokens if counts else None
    inp = inp if inp is not None else run.get("prompt_tokens")
    out = out if out is not None else run.get("completion_tokens")
    found = {
        "gen_ai.usage.input_tokens": inp,
        "gen_ai.usage.output_tokens": out,
        "gen_ai.usage.reasoning.output_tokens": counts.reasoning_tokens if counts else None,
        "gen_ai.usage.cache_read.input_tokens": counts.cached_input_tokens if counts else None,
        "gen_ai.usage.cache_creation.input_tokens": counts.cache_write_tokens if counts else None,
    }
    attrs.update({key: n for key, n in found.items() if int_or_none(n) is not None})
    cost = number(run.get("total_cost"))
    if cost:
        attrs["operation.cost"] = cost


def _tool(attrs: dict[str, Any], run: Mapping[str, Any], name: str) -> None:
    attrs["gen_ai.operation.name"] = "execute_tool"
    attrs["gen_ai.tool.name"] = name
    outputs, inputs = run.get("outputs"), run.get("inputs")
    result = outputs
    if isinstance(outputs, Mapping) and set(outputs) == {"output"}:
        result = outputs["output"]  # LangChain's and @traceable's wrapping of a return value
    message = field(result, "kwargs") if isinstance(field(result, "kwargs"), Mapping) else None
    call_id = (
        str_or_none(field(field(run.get("extra"), "metadata"), "tool_call_id"))
        or str_or_none(field(message, "tool_call_id"))
        or str_or_none(field(result, "tool_call_id"))
        or str_or_none(field(inputs, "tool_call_id"))
    )
    if call_id:
        attrs["gen_ai.tool.call.id"] = call_id
    if message is not None:  # a serialized ToolMessage: what the model read is its content
        result = message.get("content")
    if inputs is not None:
        args = inputs
        if isinstance(inputs, Mapping) and set(inputs) == {"input"}:
            args = inputs["input"]
        attrs["gen_ai.tool.call.arguments"] = args
    if not str_or_none(run.get("error")) and (result is not None and result != {}):
        attrs["gen_ai.tool.call.result"] = result


def _exception(error: str, ts: float) -> dict[str, Any]:
    """The run's ``error`` (the exception's repr, then its traceback) as an ``exception``
    span event: ``ToolError("…")`` → type ``ToolError``, message ``…``."""
    first = error.strip().splitlines()[0] if error.strip() else error
    # The exception's repr: a dotted name, then its arguments in brackets (read without a
    # pattern: one pass over the line, whatever it holds).
    kind, bracket, text = first.partition("(")
    attrs: dict[str, Any] = {"exception.message": first}
    if bracket and text.endswith(")") and all(part.isidentifier() for part in kind.split(".")):
        text = text[:-1]
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
        attrs = {"exception.type": kind, "exception.message": text}
    return {"name": "exception", "attributes": attrs, "ts": ts}
