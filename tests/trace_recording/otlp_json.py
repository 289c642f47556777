"""OTLP/JSON trace files as the OpenTelemetry Collector's ``file`` exporter writes them.

The spans are encoded by the SDK's own OTLP encoder
(``opentelemetry.exporter.otlp.proto.common.trace_encoder.encode_spans``, the one the OTLP
exporters send), then turned into JSON the way the Collector's ``ptrace.JSONMarshaler`` does
(the OTLP JSON encoding): lowerCamelCase keys, trace and span ids as lowercase hex, 64-bit
integers (nanosecond times) as strings, enums as integers, ``parentSpanId`` and ``status``
written even when empty, and ``<``, ``>``, ``&`` escaped as ``\\u003c`` ... as Go's encoder does.

``JsonLinesExporter(path)``: a ``SpanExporter`` that appends one export request per line, one
line per ``export()`` call, as the Collector's file exporter writes one line per batch it
receives. ``document(spans)``: all spans as one export request (a single JSON document).
``JsonLinesLogExporter(path)``: the same for log records (``resourceLogs``: the GenAI
conventions' events are log records).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

_IDS = ("traceId", "spanId", "parentSpanId")
_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _hex(value: str) -> str:
    return base64.b64decode(value).hex()


def _log(record: dict[str, Any]) -> dict[str, Any]:
    """A log record with its trace and span ids in hex."""
    return {k: _hex(v) if k in ("traceId", "spanId") else v for k, v in record.items()}


def _span(span: dict[str, Any]) -> dict[str, Any]:
    """The span's keys in the Collector's order, its ids in hex."""
    out: dict[str, Any] = {}
    for key in _IDS:
        out[key] = _hex(span[key]) if key in span else ""
    if "traceState" in span:
        out["traceState"] = span["traceState"]
    for key, value in span.items():
        if key in out:
            continue
        if key == "links":
            value = [
                {**link, "traceId": _hex(link["traceId"]), "spanId": _hex(link["spanId"])}
                for link in value
            ]
        out[key] = value
    out.setdefault("status", {})
    return out


def request_dict(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """The export request of ``spans`` as the OTLP JSON encoding's object."""
    data = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for resource_spans in data.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            scope_spans["spans"] = [_span(span) for span in scope_spans.get("spans", [])]
    return data


def logs_dict(records: Sequence[ReadableLogRecord]) -> dict[str, Any]:
    """The export request of log ``records`` as the OTLP JSON encoding's object."""
    data = MessageToDict(encode_logs(records), use_integers_for_enums=True)
    for resource_logs in data.get("resourceLogs", []):
        for scope_logs in resource_logs.get("scopeLogs", []):
            scope_logs["logRecords"] = [_log(r) for r in scope_logs.get("logRecords", [])]
    return data


def dumps(data: dict[str, Any], *, indent: int | None = None) -> str:
    """JSON text as Go's ``encoding/json`` writes it (raw UTF-8, HTML characters escaped)."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, ensure_ascii=False, separators=separators, indent=indent)
    for char, escape in _GO_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def document(spans: Sequence[ReadableSpan]) -> str:
    """All ``spans`` as one export request: a single JSON document, indented as ``jq`` shows it."""
    return dumps(request_dict(spans), indent=2) + "\n"


class JsonLinesExporter(SpanExporter):
    """Appends each exported batch to ``path`` as one line (one export request), and keeps
    every span it was given (``spans``) for ``document()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.spans: list[ReadableSpan] = []
        path.write_text("", encoding="utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if spans:
            self.spans.extend(spans)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(dumps(request_dict(spans)) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class JsonLinesLogExporter(LogRecordExporter):
    """Appends each exported batch of log records to ``path`` as one line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        if batch:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(dumps(logs_dict(batch)) + "\n")
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
