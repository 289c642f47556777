"""The agent of ``agent_loop`` traced with OpenTelemetry, written as OTLP/JSON files.

``genai``: the model calls traced by ``opentelemetry-instrumentation-openai-v2`` on the
current GenAI conventions with the content on the span
(``OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental``,
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_and_event``: on the span, and as the
``gen_ai.client.inference.operation.details`` event of each model call); the agents
(``invoke_agent``) and the tools (``execute_tool``) by the same package family's
``opentelemetry-util-genai`` ``TelemetryHandler``, as an agent framework does.

``openinference``: the model calls traced by ``openinference-instrumentation-openai``; the
agents and the tools by OpenInference's own tracer (``openinference-instrumentation``'s
``TracerProvider``: spans of kind AGENT and TOOL).

Each writes ``<name>.jsonl`` (one export request per line, one line per turn of the agent:
the Collector's ``file`` exporter's form) and ``<name>.json`` (the whole run as one document);
``genai`` also ``<name>.logs.jsonl``, its events (log records) in the same form.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tests.trace_recording import agent_loop
from tests.trace_recording.agent_loop import MODEL, SCHEMAS, AgentSpan
from tests.trace_recording.otlp_json import JsonLinesExporter, JsonLinesLogExporter, document

GENAI_ENV = {
    "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_and_event",
}
RESOURCE = {"service.name": "travel-assistant", "service.version": "0.1.0"}


@dataclass
class _ToolResult:
    sink: Callable[[Any], None]

    def set_result(self, value: Any) -> None:
        self.sink(value)


class GenAITracing:
    """Agents and tools through ``opentelemetry-util-genai``'s ``TelemetryHandler``."""

    def __init__(self, provider: TracerProvider, logger_provider: Any) -> None:
        from opentelemetry.util.genai.handler import TelemetryHandler

        self.handler = TelemetryHandler(tracer_provider=provider, logger_provider=logger_provider)

    @contextmanager
    def agent(self, name: str, prompt: str, system: str) -> Iterator[AgentSpan]:
        from opentelemetry.util.genai.types import (
            FunctionToolDefinition,
            InputMessage,
            OutputMessage,
            Text,
        )

        invocation = self.handler.invoke_local_agent(request_model=MODEL, agent_name=name)
        invocation.input_messages = [InputMessage(role="user", parts=[Text(content=prompt)])]
        invocation.system_instruction = [Text(content=system)]
        if name == "travel_assistant":
            invocation.tool_definitions = [
                FunctionToolDefinition(
                    name=n, description=s["description"], parameters=s["parameters"]
                )
                for n, s in SCHEMAS.items()
            ]
        span = AgentSpan()
        try:
            yield span
        except Exception as exc:
            invocation.fail(exc)
            raise
        invocation.output_messages = [
            OutputMessage(role="assistant", parts=[Text(content=span.answer)], finish_reason="stop")
        ]
        invocation.input_tokens = span.input_tokens
        invocation.output_tokens = span.output_tokens
        invocation.stop()

    @contextmanager
    def tool(self, name: str, call_id: str, arguments: dict[str, Any]) -> Iterator[_ToolResult]:
        invocation = self.handler.tool(
            name,
            tool_call_id=call_id,
            tool_type="function",
            tool_description=SCHEMAS[name]["description"],
        )
        invocation.arguments = arguments

        def sink(value: Any) -> None:
            invocation.tool_result = value

        try:
            yield _ToolResult(sink)
        except Exception as exc:
            invocation.fail(exc)
            raise
        invocation.stop()


class OpenInferenceTracing:
    """Agents and tools as OpenInference's tracer writes them (span kinds AGENT and TOOL)."""

    def __init__(self, provider: TracerProvider) -> None:
        self.tracer = provider.get_tracer(__name__)

    @contextmanager
    def agent(self, name: str, prompt: str, system: str) -> Iterator[AgentSpan]:
        with self.tracer.start_as_current_span(name, openinference_span_kind="agent") as otel_span:
            otel_span.set_attribute("agent.name", name)
            otel_span.set_input(prompt)
            span = AgentSpan()
            yield span
            otel_span.set_output(span.answer)

    @contextmanager
    def tool(self, name: str, call_id: str, arguments: dict[str, Any]) -> Iterator[_ToolResult]:
        with self.tracer.start_as_current_span(name, openinference_span_kind="tool") as otel_span:
            schema = SCHEMAS[name]
            otel_span.set_tool(
                name=name, description=schema["description"], parameters=schema["parameters"]
            )
            otel_span.set_attribute("tool.id", call_id)
            otel_span.set_input(json.dumps(arguments), mime_type="application/json")

            def sink(value: Any) -> None:
                text = value if isinstance(value, str) else json.dumps(value)
                mime = "text/plain" if isinstance(value, str) else "application/json"
                otel_span.set_output(text, mime_type=mime)

            yield _ToolResult(sink)


def record(flavour: str, out_dir: Path, base_url: str) -> list[Path]:
    """Run the agent against the model at ``base_url``, traced as ``flavour``; the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    name = {"genai": "openai-v2", "openinference": "openinference"}[flavour]
    lines = out_dir / f"{name}.jsonl"
    exporter = JsonLinesExporter(lines)
    resource = Resource.create(RESOURCE)
    written = [lines]
    logs: Any = None
    if flavour == "genai":
        os.environ.update(GENAI_ENV)
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

        logs = LoggerProvider(resource=resource)
        written.append(out_dir / f"{name}.logs.jsonl")
        log_exporter = JsonLinesLogExporter(written[-1])
        logs.add_log_record_processor(
            BatchLogRecordProcessor(log_exporter, schedule_delay_millis=3_600_000)
        )
        provider = TracerProvider(resource=resource)
        instrumentor: Any = OpenAIInstrumentor()
        tracing: agent_loop.Tracing = GenAITracing(provider, logs)
    else:
        from openinference.instrumentation import TracerProvider as OITracerProvider
        from openinference.instrumentation.openai import OpenAIInstrumentor as OIInstrumentor

        provider = OITracerProvider(resource=resource)
        instrumentor = OIInstrumentor()
        tracing = OpenInferenceTracing(provider)
    # nothing is exported by the timer: each turn's flush makes one export request, one line
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=3_600_000))
    instrumentor.instrument(tracer_provider=provider, logger_provider=logs)

    def flush() -> None:
        provider.force_flush()
        if logs is not None:
            logs.force_flush()

    try:
        client = openai.OpenAI(base_url=base_url, api_key="local-model")
        answer = agent_loop.run(client, tracing, flush=flush)
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
        if logs is not None:
            logs.shutdown()
    single = out_dir / f"{name}.json"
    single.write_text(document(exporter.spans), encoding="utf-8")
    print(f"{flavour}: {len(exporter.spans)} spans; the answer: {answer!r}")
    return [*written, single]
