"""The OpenAI Agents SDK's hook: a trace processor (``agents.add_trace_processor``).

The SDK reports every run as a trace of spans (an agent, a model call, a tool, a handoff,
a guardrail) to the processors of its trace provider, synchronously, on the thread and in
the context of the code that runs the agent. The processor hands each span's start and end
to the watch as it comes (the span object itself: the adapter reads it by its fields).

Installed with the SDK's own ``register_processor``; removed with its ``set_processors``
given the list as it is then, less this processor: the user's processors (the default
exporter among them) are the same objects, in the same order, and none is shut down.

``nbagent.watch(agent)``: the processor sees every trace; a trace is a run of the watched
agent when its first agent span is that agent's (the span names the agent by its name, so
another agent of the same name counts too). Its records are held until that span decides.

The spans' adapter: ``nbagent.adapters.openai_agents.hooks``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Any, ClassVar

from nbagent.core.values import type_is
from nbagent.sources.hooks.base import Hook, HookError

__all__ = ["OpenAIAgentsHook"]

_DISABLED_ENV = "OPENAI_AGENTS_DISABLE_TRACING"
_SENSITIVE_ENV = "OPENAI_AGENTS_TRACE_INCLUDE_SENSITIVE_DATA"


class OpenAIAgentsHook(Hook):
    """A ``TracingProcessor`` on the SDK's trace provider while the watch lasts."""

    family: ClassVar[str] = "openai-agents"
    modules: ClassVar[tuple[str, ...]] = ("agents",)
    watches: ClassVar[str] = "an OpenAI Agents SDK agent (agents.Agent)"

    def __init__(self, emit: Any, target: Any = None) -> None:
        super().__init__(emit, target)
        self._provider: Any = None
        self._processor: Any = None
        self._lock = threading.Lock()
        # watch(agent): the records of a trace not yet known to be the agent's, by trace id
        self._held: dict[str, list[tuple[str, Any, bool]]] = {}
        self._mine: dict[str, bool] = {}  # trace id -> whether it is the watched agent's

    @classmethod
    def applies(cls) -> bool:
        # "agents" is a common name: the SDK is the one with its tracing package loaded
        return "agents" in sys.modules and "agents.tracing" in sys.modules

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        return type_is(obj, "agents", "Agent")

    # -- install ----------------------------------------------------------------------------

    def install(self) -> None:
        try:
            from agents.tracing import get_trace_provider
        except ImportError as exc:
            raise HookError(f"the OpenAI Agents SDK's tracing cannot be imported: {exc}") from exc
        provider = get_trace_provider()
        if not isinstance(_processors(provider), tuple) or not hasattr(provider, "set_processors"):
            # uninstall could not remove the processor again: better not to add it
            raise HookError(
                f"the trace provider {type(provider).__name__} keeps its processors in a way "
                "nbagent does not know, so a processor added could not be removed"
            )
        processor = _processor_class()(self)
        provider.register_processor(processor)
        self._provider, self._processor = provider, processor

    def uninstall(self) -> None:
        provider, processor = self._provider, self._processor
        self._provider = self._processor = None
        if provider is None:
            return
        try:
            current = _processors(provider)
            if isinstance(current, tuple) and any(p is processor for p in current):
                # the list as it is now (a processor the user added meanwhile stays), less ours:
                # the same objects, nothing re-created or shut down
                provider.set_processors([p for p in current if p is not processor])
        except Exception:  # noqa: BLE001 - uninstall never raises
            pass
        with self._lock:
            self._held.clear()
            self._mine.clear()

    def note(self) -> str | None:
        provider = self._provider
        if _tracing_disabled(provider):
            return (
                "openai-agents: the SDK's tracing is disabled (set_tracing_disabled(True) or "
                f"{_DISABLED_ENV}), so its runs report nothing to nbagent.watch(); enable it "
                "(set_tracing_disabled(False)) to see them. A run given "
                "RunConfig(tracing_disabled=True) does not show either."
            )
        if os.environ.get(_SENSITIVE_ENV, "true").lower() in ("false", "0"):
            return (
                f"openai-agents: {_SENSITIVE_ENV} is off, so the SDK's spans carry no texts, "
                "tool arguments or results: nbagent.watch() shows the steps, tools and usage only"
            )
        return None

    # -- from the processor (the library's thread) -------------------------------------------

    def seen(self, kind: str, obj: Any, trace_id: str, last: bool = False) -> None:
        """One callback of the processor: to the watch, or held while ``watch(agent)`` does
        not know yet whether the trace is the agent's."""
        if self.target is None:
            self.record(kind, obj, root=trace_id, last=last)
            return
        with self._lock:
            mine = self._mine.get(trace_id)
            if mine is None and kind == "span_start" and _agent_name(obj) is not None:
                mine = self._mine[trace_id] = _agent_name(obj) == _agent_name_of(self.target)
                held = self._held.pop(trace_id, [])
            else:
                held = []
                if mine is None:
                    if last:  # a trace with no agent span: not a run of the agent
                        self._held.pop(trace_id, None)
                    else:
                        self._held.setdefault(trace_id, []).append((kind, obj, last))
                    return
            if last:
                self._mine.pop(trace_id, None)
        if not mine:
            return
        for held_kind, held_obj, held_last in held:
            self.record(held_kind, held_obj, root=trace_id, last=held_last)
        self.record(kind, obj, root=trace_id, last=last)


def _processors(provider: Any) -> Any:
    """The processors of the SDK's ``DefaultTraceProvider`` (a tuple, replaced on change)."""
    multi = getattr(provider, "_multi_processor", None)
    return getattr(multi, "_processors", None)


def _tracing_disabled(provider: Any) -> bool:
    """Whether the provider makes no traces (``set_tracing_disabled``, the env variable)."""
    for attr in ("_manual_disabled", "_env_disabled"):  # the provider's own order
        value = getattr(provider, attr, None)
        if isinstance(value, bool):
            return value
    return os.environ.get(_DISABLED_ENV, "false").lower() in ("true", "1")


def _agent_name(span: Any) -> str | None:
    data = getattr(span, "span_data", None)
    if not type_is(data, "agents", "AgentSpanData"):
        return None
    name = getattr(data, "name", None)
    return name if isinstance(name, str) else ""


def _agent_name_of(agent: Any) -> str:
    name = getattr(agent, "name", None)
    return name if isinstance(name, str) else ""


_CLASS: list[type] = []


def _processor_class() -> type:
    """The ``TracingProcessor`` subclass, made on first install (the SDK is imported then)."""
    if _CLASS:
        return _CLASS[0]
    from agents.tracing import TracingProcessor

    class NbagentTraceProcessor(TracingProcessor):
        """Hands each trace and span to the watch's hook; never raises into the SDK."""

        def __init__(self, hook: OpenAIAgentsHook) -> None:
            self.hook = hook

        def on_trace_start(self, trace: Any) -> None:
            self._pass("trace_start", trace)

        def on_trace_end(self, trace: Any) -> None:
            self._pass("trace_end", trace, last=True)

        def on_span_start(self, span: Any) -> None:
            self._pass("span_start", span)

        def on_span_end(self, span: Any) -> None:
            self._pass("span_end", span)

        def _pass(self, kind: str, obj: Any, last: bool = False) -> None:
            # never into the SDK: a record that fails is dropped
            with contextlib.suppress(Exception):
                self.hook.seen(kind, obj, str(obj.trace_id), last=last)

        def shutdown(self) -> None:
            pass

        def force_flush(self) -> None:
            pass

        def __repr__(self) -> str:
            return "<nbagent.watch() trace processor>"

    _CLASS.append(NbagentTraceProcessor)
    return NbagentTraceProcessor
