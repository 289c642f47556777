"""LlamaIndex's hook: an event handler and a span handler on the root instrumentation
dispatcher (``llama_index_instrumentation.get_dispatcher()``).

Every ``@dispatcher.span`` method (an LLM's ``chat``/``astream_chat``/``complete``, a tool's
``call``/``acall``, each step of a workflow, the workflow's run) reports its enter, exit and
drop to the span handlers of its dispatcher and, by propagation, of the root; every
instrumentation event (``LLMChatStartEvent``, ``LLMChatInProgressEvent``, ...) goes to the
event handlers the same way. Both handlers only record: the ``llama-index`` adapter reads the
spans' arguments and results and the events' fields.

Roots: a span whose parent this hook has not seen is the top of a call. Under
``nbagent.watch(obj)`` only a span whose ``instance`` is the watched object starts a root
(a workflow's run span, an LLM's public model call), so the object's calls made inside other
code are still its own runs. An LLM's streaming call returns its generator at once (its span
exits then): its root ends with the generator's end event instead.
"""

from __future__ import annotations

import importlib
import inspect
import re
import threading
from typing import Any

from nbagent.adapters.llama_index.read import method_of
from nbagent.core.values import type_is
from nbagent.sources.hooks.base import Emit, Hook, HookError

__all__ = ["LlamaIndexHook"]

_MODEL_CALL = re.compile(r"chat|complete|predict|stream")
"""The public LLM methods that are a model call (not ``_prepare_chat_with_tools``)."""
_STREAM_ENDS = frozenset({"LLMChatEndEvent", "LLMCompletionEndEvent", "ExceptionEvent"})


def _library() -> tuple[Any, type[Any], type[Any]]:
    """``(get_dispatcher, BaseEventHandler, BaseSpanHandler)``: from the standalone
    ``llama-index-instrumentation`` package, or from ``llama_index.core`` where older
    releases kept them."""
    for package in ("llama_index_instrumentation", "llama_index.core.instrumentation"):
        found = _handlers_in(package)
        if found is not None:
            return found
    raise HookError("LlamaIndex's instrumentation dispatcher was not found (llama-index-core)")


def _handlers_in(package: str) -> tuple[Any, type[Any], type[Any]] | None:
    try:
        root = importlib.import_module(package)
        events = importlib.import_module(f"{package}.event_handlers")
        spans = importlib.import_module(f"{package}.span_handlers")
        return root.get_dispatcher, events.BaseEventHandler, spans.BaseSpanHandler
    except (ImportError, AttributeError):
        return None


class LlamaIndexHook(Hook):
    """Handlers on LlamaIndex's root dispatcher, removed again on ``uninstall``."""

    family = "llama-index"
    modules = ("llama_index", "llama_index_instrumentation")
    watches = (
        "a LlamaIndex agent or workflow (FunctionAgent, ReActAgent, AgentWorkflow, any "
        "Workflow) or LLM"
    )

    def __init__(self, emit: Emit, target: Any = None) -> None:
        super().__init__(emit, target)
        self._lock = threading.Lock()
        self._root_of: dict[str, str] = {}  # span id -> its root's span id
        self._members: dict[str, list[str]] = {}  # root -> its spans (forgotten together)
        self._streaming: set[str] = set()  # roots whose span returned a generator
        self._dispatcher: Any = None
        self._handlers: tuple[Any, Any] | None = None

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        return _is_workflow(obj) or _is_llm(obj)

    # -- install ----------------------------------------------------------------------

    def install(self) -> None:
        get_dispatcher, event_base, span_base = _library()
        hook = self

        class NbagentEventHandler(event_base):  # type: ignore[misc,valid-type]
            """Hands each instrumentation event to the watch."""

            @classmethod
            def class_name(cls) -> str:
                return "NbagentEventHandler"

            def handle(self, event: Any, **kwargs: Any) -> None:
                hook._on_event(event)

        class NbagentSpanHandler(span_base):  # type: ignore[misc,valid-type]
            """Hands each span's enter, exit and drop to the watch; keeps no spans (its
            ``new_span`` returns None, so ``open_spans`` stays empty)."""

            @classmethod
            def class_name(cls) -> str:
                return "NbagentSpanHandler"

            def new_span(
                self,
                id_: str,
                bound_args: inspect.BoundArguments,
                instance: Any = None,
                parent_span_id: str | None = None,
                tags: dict[str, Any] | None = None,
                **kwargs: Any,
            ) -> None:
                hook._on_enter(id_, parent_span_id, instance, bound_args)

            def prepare_to_exit_span(
                self,
                id_: str,
                bound_args: inspect.BoundArguments,
                instance: Any = None,
                result: Any = None,
                **kwargs: Any,
            ) -> None:
                hook._on_exit(id_, "span_end", {"id": id_, "result": result})

            def prepare_to_drop_span(
                self,
                id_: str,
                bound_args: inspect.BoundArguments,
                instance: Any = None,
                err: BaseException | None = None,
                **kwargs: Any,
            ) -> None:
                hook._on_exit(id_, "span_drop", {"id": id_, "err": err})

        try:
            dispatcher = get_dispatcher()
            events, spans = NbagentEventHandler(), NbagentSpanHandler()
        except Exception as exc:
            raise HookError(f"cannot make LlamaIndex instrumentation handlers: {exc}") from exc
        self._dispatcher, self._handlers = dispatcher, (events, spans)
        dispatcher.add_event_handler(events)
        dispatcher.add_span_handler(spans)

    def uninstall(self) -> None:
        dispatcher, handlers = self._dispatcher, self._handlers
        self._dispatcher = self._handlers = None
        if dispatcher is None or handlers is None:
            return
        # In place, by identity: the lists stay the objects they were (``add_*_handler``
        # appends in place too) and another copy of an equal handler is left alone.
        for name, handler in zip(("event_handlers", "span_handlers"), handlers, strict=True):
            try:
                listed = getattr(dispatcher, name)
                for i, item in enumerate(listed):
                    if item is handler:
                        del listed[i]
                        break
            except Exception:  # noqa: BLE001 - never raise; the other list still goes
                continue

    # -- the library's callbacks (its threads): bookkeeping of roots, then a record -----

    def _starts_root(self, span_id: str, instance: Any) -> bool:
        if self.target is None:
            return True
        if instance is not self.target or method_of(span_id).startswith("_"):
            return False
        return not _is_llm(instance) or bool(_MODEL_CALL.search(method_of(span_id)))

    def _on_enter(
        self, span_id: str, parent: str | None, instance: Any, bound: inspect.BoundArguments
    ) -> None:
        try:
            with self._lock:
                root = self._root_of.get(parent) if parent else None
                if root is None:
                    if not self._starts_root(span_id, instance):
                        return
                    root = span_id
                    self._members[root] = []
                self._root_of[span_id] = root
                self._members[root].append(span_id)
            data = {"id": span_id, "parent": parent, "instance": instance}
            data["args"] = dict(bound.arguments)
            self.record("span_start", data, root=root)
        except Exception:  # noqa: BLE001 - never raise into LlamaIndex
            pass

    def _on_exit(self, span_id: str, kind: str, data: dict[str, Any]) -> None:
        try:
            with self._lock:
                root = self._root_of.get(span_id)
                if root is None:
                    return
                last = span_id == root
                result = data.get("result")
                if last and (inspect.isgenerator(result) or inspect.isasyncgen(result)):
                    # A streaming model call: its events come as the caller reads it.
                    self._streaming.add(root)
                    last = False
                elif last:
                    self._forget(root)
            self.record(kind, data, root=root, last=last)
        except Exception:  # noqa: BLE001 - never raise into LlamaIndex
            pass

    def _on_event(self, event: Any) -> None:
        try:
            span_id = getattr(event, "span_id", None)
            with self._lock:
                root = self._root_of.get(span_id) if isinstance(span_id, str) else None
                last = False
                if root is None:
                    if self.target is not None:
                        return  # not a call of the watched object
                    root = ""
                elif (
                    root == span_id
                    and root in self._streaming
                    and type(event).__name__ in _STREAM_ENDS
                ):
                    last = True
                    self._forget(root)
            self.record("event", event, root=root, last=last)
        except Exception:  # noqa: BLE001 - never raise into LlamaIndex
            pass

    def _forget(self, root: str) -> None:
        """The root ended: its spans are no one's (a late record is a root of its own)."""
        self._streaming.discard(root)
        for span_id in self._members.pop(root, ()):
            self._root_of.pop(span_id, None)


def _is_workflow(obj: Any) -> bool:
    return type_is(obj, "workflows", "Workflow") or type_is(obj, "llama_index", "Workflow")


def _is_llm(obj: Any) -> bool:
    return type_is(obj, "llama_index", "BaseLLM")
