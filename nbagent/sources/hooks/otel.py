"""The ``otel`` hook: an OpenTelemetry ``SpanProcessor`` that records the spans of GenAI calls.

Where it listens, without setting anything global the user did not set:
1. the global tracer provider, when it is the SDK's ``TracerProvider`` (the user's own:
   every instrumentor that reports to it, e.g. ``opentelemetry-instrumentation-openai-v2``
   or OpenInference's): the processor is added for the block and taken out after;
2. pydantic-ai, whose agents report through OpenTelemetry: when its default
   instrumentation (``Agent.instrument_all``) is off, or on but going nowhere, it is set for
   the block to a private provider that holds only this processor (nothing is exported),
   and put back after; ``nbagent.watch(agent)`` sets that agent's ``instrument`` likewise;
   settings the user gave already (an SDK provider of their own) get the processor added.

Each span is recorded twice (``span_start``, ``span_end``) as a plain snapshot
(``nbagent.adapters.otel.common``): the span is still being written to at its start
and belongs to the library. ``root`` is the trace (plus the span, when the top span has a
parent this hook never saw); ``last`` is on the end of that top span.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from typing import Any

from nbagent.core.values import type_is
from nbagent.sources.hooks.base import Emit, Hook, HookError

__all__ = ["OtelHook"]

INSTALL_SDK = (
    "pydantic-ai reports its runs through OpenTelemetry, and the OpenTelemetry SDK is not "
    "installed: pip install 'jupyter-nbagent[otel]'"
)


class OtelHook(Hook):
    """Records GenAI spans (``gen_ai.*`` or OpenInference conventions) as they start and end."""

    family = "otel"
    modules = ("opentelemetry", "pydantic_ai")
    watches = "a pydantic-ai Agent"

    def __init__(self, emit: Emit, target: Any = None) -> None:
        super().__init__(emit, target)
        self._lock = threading.Lock()
        self._spans: dict[int, str] = {}  # span id → its root, for the spans still open
        self._tops: dict[int, str] = {}  # the top spans of the roots still open
        self._members: dict[str, list[int]] = {}
        self._undo: list[Callable[[], None]] = []
        self.processor: Any = None

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        return type_is(obj, "pydantic_ai", "Agent")

    # -- install --------------------------------------------------------------------------

    def install(self) -> None:
        try:
            from opentelemetry import trace
        except ImportError as exc:  # pydantic-ai needs the API: a broken environment
            raise HookError(f"the OpenTelemetry API cannot be imported: {exc}") from None
        sdk: Any
        try:
            from opentelemetry.sdk import trace as sdk
        except ImportError:
            sdk = None
        if self.target is not None:
            if sdk is None:
                raise HookError(INSTALL_SDK)
            self.processor = _processor(self)
            self._watch_agent(self.target)
            return
        if sdk is not None:
            self.processor = _processor(self)
            provider = trace.get_tracer_provider()
            if isinstance(provider, sdk.TracerProvider):
                self._add_to(getattr(provider, "_active_span_processor", None))
        if "pydantic_ai" in sys.modules:
            self._watch_pydantic_ai(sdk)

    def _watch_pydantic_ai(self, sdk: Any) -> None:
        from pydantic_ai import Agent

        if "_instrument_default" not in vars(Agent):
            raise HookError("this pydantic-ai version keeps no Agent._instrument_default")
        previous = Agent._instrument_default
        if self._add_to(_span_processor_of(previous)):
            return  # the user's own instrumentation, to an SDK provider: listened to there
        if previous is True and self._global_is_sdk(sdk):
            return  # InstrumentationSettings() per run, to the global provider: added to it
        if not isinstance(previous, bool) and not _goes_nowhere(previous):
            return  # settings of a kind this hook cannot listen to: left alone
        if sdk is None:
            raise HookError(INSTALL_SDK)
        settings = self._settings()
        Agent.instrument_all(settings)

        def restore() -> None:
            if Agent._instrument_default is settings:
                Agent.instrument_all(previous)

        self._undo.append(restore)

    def _watch_agent(self, agent: Any) -> None:
        previous = agent.instrument
        if self._add_to(_span_processor_of(previous)):
            return
        settings = self._settings()
        agent.instrument = settings

        def restore() -> None:
            if agent.instrument is settings:
                agent.instrument = previous

        self._undo.append(restore)

    def _settings(self) -> Any:
        """pydantic-ai's instrumentation to a provider of our own: it exports nothing, its
        spans carry the messages and tool arguments/results, and no metrics are recorded in
        the user's meter provider."""
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.sampling import ALWAYS_ON
        from pydantic_ai.models.instrumented import InstrumentationSettings

        provider = TracerProvider(
            sampler=ALWAYS_ON, resource=Resource.get_empty(), shutdown_on_exit=False
        )
        provider.add_span_processor(self.processor)
        return InstrumentationSettings(
            tracer_provider=provider,
            meter_provider=NoOpMeterProvider(),
            include_content=True,
            include_binary_content=False,
        )

    @staticmethod
    def _global_is_sdk(sdk: Any) -> bool:
        from opentelemetry import trace

        return sdk is not None and isinstance(trace.get_tracer_provider(), sdk.TracerProvider)

    def _add_to(self, multi: Any) -> bool:
        """Add the processor to an SDK provider's multi-processor (once); True if listening."""
        if multi is None or self.processor is None:
            return False
        if not hasattr(multi, "_span_processors") or not hasattr(multi, "_lock"):
            return False
        if any(p is self.processor for p in multi._span_processors):
            return True
        multi.add_span_processor(self.processor)
        processor = self.processor

        def remove() -> None:
            # The SDK has no remove: rebuild its tuple under its own lock, as its add does.
            with multi._lock:
                multi._span_processors = tuple(
                    p for p in multi._span_processors if p is not processor
                )

        self._undo.append(remove)
        return True

    def uninstall(self) -> None:
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            with contextlib.suppress(Exception):  # every other step must still be undone
                step()
        with self._lock:
            self._spans.clear()
            self._tops.clear()
            self._members.clear()

    # -- spans (on the library's thread) --------------------------------------------------

    def on_start(self, span: Any) -> None:
        ctx = span.context
        parent = span.parent
        with self._lock:
            root = self._spans.get(parent.span_id) if parent is not None else None
            if root is None:
                root = format(ctx.trace_id, "032x")
                if parent is not None:  # under a span we never saw: several calls may share it
                    root = f"{root}-{ctx.span_id:016x}"
                self._tops[ctx.span_id] = root
            self._spans[ctx.span_id] = root
            self._members.setdefault(root, []).append(ctx.span_id)
        data = _snapshot(span, ended=False)
        self.record("span_start", data, root=root, ts=data["start"])

    def on_end(self, span: Any) -> None:
        sid = span.context.span_id
        with self._lock:
            root = self._spans.get(sid)
            if root is None:
                return  # started before the hook was installed
            last = self._tops.pop(sid, None) is not None
            if last:
                for member in self._members.pop(root, []):
                    self._spans.pop(member, None)
        data = _snapshot(span, ended=True)
        self.record("span_end", data, root=root, last=last, ts=data["end"])


def _processor(hook: OtelHook) -> Any:
    """A span processor of the SDK's class (its multi-processors call ``_on_ending`` too)
    that hands spans to ``hook``; never raises into the library."""
    from opentelemetry.sdk.trace import SpanProcessor

    class NbagentSpanProcessor(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            with contextlib.suppress(Exception):  # drop the record, never fail the library
                hook.on_start(span)

        def on_end(self, span: Any) -> None:
            with contextlib.suppress(Exception):  # drop the record, never fail the library
                hook.on_end(span)

        def shutdown(self) -> None:
            return None

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return True

    return NbagentSpanProcessor()


def _span_processor_of(settings: Any) -> Any:
    """The SDK multi-processor behind pydantic-ai ``InstrumentationSettings`` (its tracer's),
    or None (no settings, ``True``/``False``, a no-op or proxy tracer)."""
    tracer = getattr(settings, "tracer", None)
    multi = getattr(tracer, "span_processor", None) if tracer is not None else None
    return multi if hasattr(multi, "_span_processors") else None


def _goes_nowhere(settings: Any) -> bool:
    """Settings whose tracer records nothing (the API's no-op or proxy tracer)."""
    tracer = getattr(settings, "tracer", None)
    return type(tracer).__name__ in ("NoOpTracer", "ProxyTracer")


def _snapshot(span: Any, *, ended: bool) -> dict[str, Any]:
    """A span as plain data (read at once: at its start the library still writes to it)."""
    ctx = span.context
    parent = span.parent
    scope = getattr(span, "instrumentation_scope", None)
    data: dict[str, Any] = {
        "name": span.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_id": format(parent.span_id, "016x") if parent is not None else None,
        "start": (span.start_time or 0) / 1e9,
        "attributes": dict(span.attributes or {}),
        "scope": getattr(scope, "name", None),
    }
    if ended:
        status = span.status
        data["end"] = (span.end_time or 0) / 1e9
        data["status"] = status.status_code.name
        data["status_description"] = status.description
        data["events"] = [
            {"name": e.name, "attributes": dict(e.attributes or {}), "ts": e.timestamp / 1e9}
            for e in span.events
        ]
    return data
