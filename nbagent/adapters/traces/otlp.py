"""OTLP/JSON export requests → the span snapshots the otel adapter reads (``otel.common``).

The JSON encoding of OTLP (what OpenTelemetry's OTLP file exporter and the Collector's ``file``
exporter write, one export request per line, or one per file): ``resourceSpans[]
.scopeSpans[].spans[]`` with hex ``traceId`` / ``spanId`` / ``parentSpanId`` (``""`` on a
root), times in nanoseconds (decimal strings), attributes as ``[{"key", "value":
{"stringValue" | "intValue" | "doubleValue" | "boolValue" | "arrayValue" | "kvlistValue" |
"bytesValue"}}]``, ``status.code`` 0 / 1 / 2 (or its enum name); and ``resourceLogs[]
.scopeLogs[].logRecords[]``, where the GenAI conventions put a model call's messages (the
``gen_ai.client.inference.operation.details`` event, tied to its span by ``spanId``).

A log event of a span in the file adds what the span's attributes lack (its messages, when
content is captured in events only); one whose span is not in the file is a span of its own,
at its time. A span event of that name is read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nbagent.adapters.base import list_or_empty, str_or_none
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.traces.times import nanos

__all__ = ["DETAILS_EVENT", "any_value", "attributes", "log_records", "spans", "with_logs"]

DETAILS_EVENT = "gen_ai.client.inference.operation.details"
"""The GenAI conventions' event of a model call's details: its messages among them."""

_STATUS = {
    0: "UNSET",
    1: "OK",
    2: "ERROR",
    "STATUS_CODE_UNSET": "UNSET",
    "STATUS_CODE_OK": "OK",
    "STATUS_CODE_ERROR": "ERROR",
}


def any_value(value: Any) -> Any:
    """An OTLP ``AnyValue`` as plain data (``intValue`` strings as ints)."""
    if not isinstance(value, Mapping):
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        raw = value["intValue"]
        try:
            return int(raw)
        except (TypeError, ValueError):
            return raw
    if "doubleValue" in value:
        raw = value["doubleValue"]
        return float(raw) if isinstance(raw, (int, float, str)) and _is_number(raw) else raw
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        array = value["arrayValue"]
        values = array.get("values") if isinstance(array, Mapping) else ()
        return [any_value(v) for v in list_or_empty(values)]
    if "kvlistValue" in value:
        kv = value["kvlistValue"]
        return attributes(kv.get("values") if isinstance(kv, Mapping) else ())
    if "bytesValue" in value:
        return value["bytesValue"]
    return None


def attributes(items: Any) -> dict[str, Any]:
    """``[{"key", "value"}]`` as a dict."""
    out: dict[str, Any] = {}
    for item in list_or_empty(items):
        if isinstance(item, Mapping) and isinstance(item.get("key"), str):
            out[item["key"]] = any_value(item.get("value"))
    return out


def spans(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every span of an export request, as a finished span's snapshot."""
    out: list[dict[str, Any]] = []
    for resource in _list(request, "resourceSpans"):
        for scope in _list(resource, "scopeSpans"):
            name = str_or_none(_map(scope, "scope").get("name"))
            out.extend(_span(span, name) for span in _list(scope, "spans"))
    return out


def log_records(request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every log record of an export request: ``name`` (its event name), ``trace_id``,
    ``span_id``, ``ts``, ``attributes``, ``body``."""
    out: list[dict[str, Any]] = []
    for resource in _list(request, "resourceLogs"):
        for scope in _list(resource, "scopeLogs"):
            for record in _list(scope, "logRecords"):
                if not isinstance(record, Mapping):
                    continue
                out.append(
                    {
                        "name": str_or_none(record.get("eventName")) or "log",
                        "trace_id": _id(record.get("traceId")),
                        "span_id": _id(record.get("spanId")),
                        "ts": nanos(record.get("timeUnixNano"))
                        or nanos(record.get("observedTimeUnixNano"))
                        or 0.0,
                        "attributes": attributes(record.get("attributes")),
                        "body": any_value(record.get("body")),
                    }
                )
    return out


def with_logs(
    snapshots: list[dict[str, Any]], records: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Add each log event's attributes to its span's where the span has none of its own (in
    place); return the records of no span here as spans at their time, each with the
    record's index."""
    by_id = {s["span_id"]: s for s in snapshots}
    out: list[tuple[int, dict[str, Any]]] = []
    ids = Ids()  # a record of no span is a step of its own: step1, step2…
    for n, record in enumerate(records):
        span = by_id.get(record["span_id"]) if record["span_id"] else None
        if span is not None:
            _add_missing(span["attributes"], record["attributes"])
            continue
        attrs = dict(record["attributes"])
        if isinstance(record["body"], Mapping):
            _add_missing(attrs, record["body"])
        op, model = attrs.get("gen_ai.operation.name"), attrs.get("gen_ai.request.model")
        named = " ".join(str(v) for v in (op, model) if isinstance(v, str) and v)
        span = {
            "name": named or record["name"],
            "trace_id": record["trace_id"],
            "span_id": record["span_id"] or ids.scope_id("step"),
            "parent_id": None,
            "start": record["ts"],
            "end": record["ts"],
            "attributes": attrs,
            "status": "UNSET",
            "status_description": None,
            "events": [],
            "scope": None,
        }
        by_id[span["span_id"]] = span
        out.append((n, span))
    return out


def _span(span: Any, scope: str | None) -> dict[str, Any]:
    span = span if isinstance(span, Mapping) else {}
    start = nanos(span.get("startTimeUnixNano")) or 0.0
    end = nanos(span.get("endTimeUnixNano")) or start
    status = _map(span, "status")
    attrs = attributes(span.get("attributes"))
    events = []
    for event in _list(span, "events"):
        if not isinstance(event, Mapping):
            continue
        event_attrs = attributes(event.get("attributes"))
        if event.get("name") == DETAILS_EVENT:
            _add_missing(attrs, event_attrs)
        events.append(
            {
                "name": str_or_none(event.get("name")) or "",
                "attributes": event_attrs,
                "ts": nanos(event.get("timeUnixNano")) or start,
            }
        )
    return {
        "name": str_or_none(span.get("name")) or "span",
        "trace_id": _id(span.get("traceId")),
        "span_id": _id(span.get("spanId")),
        "parent_id": _id(span.get("parentSpanId")) or None,
        "start": start,
        "end": end,
        "attributes": attrs,
        "status": _STATUS.get(status.get("code", 0), "UNSET"),
        "status_description": str_or_none(status.get("message")),
        "events": events,
        "scope": scope,
    }


def _add_missing(attrs: dict[str, Any], more: Mapping[str, Any]) -> None:
    for key, value in more.items():
        attrs.setdefault(key, value)


def _id(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _map(obj: Any, key: str) -> Mapping[str, Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _list(obj: Any, key: str) -> Sequence[Any]:
    return list_or_empty(obj.get(key)) if isinstance(obj, Mapping) else ()


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
