"""The ``otel`` hook family's adapter: OpenTelemetry spans that follow the GenAI semantic
conventions (``gen_ai.*``, ``genai``) or OpenInference's (``openinference``)."""

from __future__ import annotations

from nbagent.adapters.otel.adapter import OtelAdapter

__all__ = ["OtelAdapter"]
