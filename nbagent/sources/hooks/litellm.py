"""LiteLLM's hook: a ``CustomLogger`` in ``litellm.callbacks`` for the block.

LiteLLM copies ``litellm.callbacks`` into its other lists on each call (``function_setup``:
``input_callback``, ``success_callback``, ``failure_callback``, ``_async_success_callback``,
``_async_failure_callback``, and ``litellm.utils.callback_list`` the first time), so
``uninstall`` takes the logger out of every one of them and puts back the list it replaced.

What LiteLLM 1.83 calls, and when:
- ``log_pre_api_call``: on the call's thread, before the request (every call);
- a sync call's success: ``log_success_event`` on its thread pool, AFTER ``completion()``
  returned (``busy()`` counts such calls);
- an async call's success: ``async_log_success_event`` on a worker task of the loop, later:
  a sync ``with`` block around an ``await`` (a cell's top-level await) blocks that loop
  while it waits at its end. So the hook also puts a no-op function in
  ``litellm.success_callback``: with a plain function there, LiteLLM runs its sync success
  handler for async calls too, on the pool, and that handler calls the logger's
  ``logging_hook`` (its redaction point) with the response: no loop needed. The first of
  these per call counts;
- failures: ``log_failure_event`` (sync) or ``async_log_failure_event`` (awaited before the
  call raises);
- ``stream=True``: per-chunk stream events come from a pool of threads in no order (and
  twice: sync and async), so they are not used: the assembled response comes whole at the
  stream's end, like a call without a stream.

The records carry small copies of what the adapter reads: LiteLLM keeps mutating its
``model_call_details`` dict (the callbacks' ``kwargs``) after the callback returned.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import deque
from datetime import datetime
from typing import Any, ClassVar

from nbagent.sources.hooks.base import Emit, Hook, HookError

__all__ = ["LiteLLMHook"]

LISTS = (
    "callbacks",
    "input_callback",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
    "service_callback",
)
"""LiteLLM's global callback lists: the logger may be in any of them once a call ran."""

KEYS = ("model", "custom_llm_provider", "stream", "call_type", "response_cost")
"""The fields of LiteLLM's ``kwargs`` a record keeps (besides the messages and times)."""

_LOGGER_CLASS: type[Any] | None = None


class _Found:
    """What LiteLLM's module-level ``utils.callback_list`` and ``customLogger`` were before the
    first of the hooks installed at once (watches in two threads overlap): put back when the
    last of them leaves, not by each, since one block's list may hold another's logger."""

    lock = threading.Lock()
    installed = 0
    callback_list: Any = None
    custom_logger: Any = None


class LiteLLMHook(Hook):
    """Every LiteLLM call (``completion``, ``acompletion``, a ``Router``'s) while installed.

    ``watch(obj)`` takes nothing: a ``Router``'s callbacks go to LiteLLM's global lists too
    (``Router.optional_callbacks`` are added to ``litellm.callbacks``), so no per-object list
    exists to attach to.
    """

    family: ClassVar[str] = "litellm"
    modules: ClassVar[tuple[str, ...]] = ("litellm",)
    watches: ClassVar[str] = ""

    def __init__(self, emit: Emit, target: Any = None) -> None:
        super().__init__(emit, target)
        self._logger: Any = None
        self._enabler: Any = None
        self._lock = threading.Lock()
        self._open: set[str] = set()  # calls started whose end has not come
        self._ended: deque[str] = deque(maxlen=512)  # ended calls: a second end is dropped

    def install(self) -> None:
        try:
            import litellm
            import litellm.utils
        except ImportError as exc:  # pragma: no cover - modules says it is imported
            raise HookError(f"litellm cannot be imported: {exc}") from exc
        if not isinstance(getattr(litellm, "callbacks", None), list):
            raise HookError(
                "litellm.callbacks is not a list (a LiteLLM version nbagent does not know)"
            )
        if not isinstance(getattr(litellm, "success_callback", None), list):
            raise HookError("litellm.success_callback is not a list")
        self._logger = _logger_class()(self)
        with _Found.lock:
            if _Found.installed == 0:
                _Found.callback_list = getattr(litellm.utils, "callback_list", None)
                _Found.custom_logger = _logging_module().customLogger
            _Found.installed += 1

        def nbagent_sync_success(*args: Any, **kwargs: Any) -> None:
            """Does nothing: its presence makes LiteLLM run the sync success handler (and
            so ``logging_hook``) for async calls. One per hook: two watches stay apart."""

        nbagent_sync_success.nbagent_hook = True  # type: ignore[attr-defined]
        self._enabler = nbagent_sync_success
        litellm.callbacks.append(self._logger)
        litellm.success_callback.append(nbagent_sync_success)

    def uninstall(self) -> None:
        logger, self._logger = self._logger, None
        if logger is None:
            return
        try:
            import litellm
            import litellm.utils
        except ImportError:  # pragma: no cover
            return
        enabler, self._enabler = self._enabler, None
        for name in LISTS:
            _remove(getattr(litellm, name, None), logger)
            _remove(getattr(litellm, name, None), enabler)
        current = getattr(litellm.utils, "callback_list", None)
        # Only hooks' items (or none left: another watch took its own out): the list is the
        # one LiteLLM built during the watches, and nothing of the user's is in it.
        ours = isinstance(current, list) and all(_is_hook(cb) for cb in current)
        with _Found.lock:
            _Found.installed -= 1
            last = _Found.installed == 0
            found, custom = _Found.callback_list, _Found.custom_logger
        if last and ours and isinstance(found, list) and found is not current:
            # LiteLLM sets it once, from an empty list, on the first call with callbacks (and
            # then, for a function among them, its module's ``customLogger``): a block's call
            # did. Both come back; a later call sets them again from what is registered then.
            litellm.utils.callback_list = found
            _logging_module().customLogger = custom
        else:
            _remove(current, logger)
            _remove(current, enabler)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._open)

    # -- from LiteLLM's threads (the logger's methods call these) -------------------------

    def started(self, kwargs: Any) -> None:
        call_id = _call_id(kwargs)
        if call_id is None:
            return
        with self._lock:
            self._open.add(call_id)
            if call_id in self._ended:  # a retry of a call that failed: a new attempt
                self._ended.remove(call_id)
        data = _snapshot(kwargs)
        messages = _get(kwargs, "messages")
        data["messages"] = list(messages) if isinstance(messages, list) else messages
        self.record("pre_api_call", data, root=call_id)

    def ended(
        self, kind: str, kwargs: Any, response: Any, start: Any, end: Any, *, final: bool = True
    ) -> None:
        """A call's success or failure, from whichever callback tells first."""
        call_id = _call_id(kwargs)
        if call_id is None:
            return
        with self._lock:
            if call_id in self._ended:
                return
            self._ended.append(call_id)
            self._open.discard(call_id)
        data = _snapshot(kwargs)
        data.update(
            response=response,
            start_time=_seconds(start),
            end_time=_seconds(end),
            exception=_get(kwargs, "exception") if kind == "failure" else None,
        )
        self.record(kind, data, root=call_id, last=final)


def _logger_class() -> type[Any]:
    """The ``CustomLogger`` subclass, made once LiteLLM is imported (never at nbagent's)."""
    global _LOGGER_CLASS
    if _LOGGER_CLASS is not None:
        return _LOGGER_CLASS
    from litellm.integrations.custom_logger import CustomLogger

    class NbagentWatchLogger(CustomLogger):
        """Hands each call's start and end to the hook; never raises into LiteLLM."""

        nbagent_hook = True  # a class field: LiteLLM compares its loggers' instance fields

        def __init__(self, hook: LiteLLMHook) -> None:
            super().__init__()
            self._hook = hook
            # LiteLLM keeps one logger per class and public fields in each list: a field of
            # its own keeps two watches' loggers apart (two blocks in two threads).
            self.nbagent_watch = uuid.uuid4().hex

        def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
            with contextlib.suppress(Exception):  # a record lost, never LiteLLM's call
                self._hook.started(kwargs)

        def logging_hook(self, kwargs: Any, result: Any, call_type: Any) -> tuple[Any, Any]:
            # Called by the sync success handler, also for async calls (on the pool, with
            # no loop needed): the response as a call without a stream gives it, or the
            # assembled stream once complete. Returns what it got, unchanged.
            with contextlib.suppress(Exception):
                response = _get(kwargs, "complete_streaming_response")
                if response is None and not _get(kwargs, "stream"):
                    response = result
                if response is not None and _whole(response):
                    start, end = _get(kwargs, "start_time"), _get(kwargs, "end_time")
                    self._hook.ended("success", kwargs, response, start, end)
            return kwargs, result

        def log_success_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._success(kwargs, response_obj, start_time, end_time)

        async def async_log_success_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._success(kwargs, response_obj, start_time, end_time)

        def log_failure_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._failure(kwargs, response_obj, start_time, end_time)

        async def async_log_failure_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            self._failure(kwargs, response_obj, start_time, end_time)

        def _success(self, kwargs: Any, response: Any, start: Any, end: Any) -> None:
            with contextlib.suppress(Exception):
                self._hook.ended("success", kwargs, response, start, end)

        def _failure(self, kwargs: Any, response: Any, start: Any, end: Any) -> None:
            with contextlib.suppress(Exception):
                self._hook.ended("failure", kwargs, response, start, end)

    _LOGGER_CLASS = NbagentWatchLogger
    return NbagentWatchLogger


def _logging_module() -> Any:
    from litellm.litellm_core_utils import litellm_logging

    return litellm_logging


def _is_hook(callback: Any) -> bool:
    """A hook's logger or its no-op success function (of this watch or another)."""
    return getattr(callback, "nbagent_hook", False) is True


def _remove(items: Any, logger: Any) -> None:
    """Take ``logger`` (by identity) out of one of LiteLLM's lists, in place."""
    if not isinstance(items, list):
        return
    with contextlib.suppress(IndexError, ValueError):  # another thread changed the list
        for i in range(len(items) - 1, -1, -1):
            if items[i] is logger:
                del items[i]


def _get(kwargs: Any, key: str) -> Any:
    return kwargs.get(key) if isinstance(kwargs, dict) else None


def _call_id(kwargs: Any) -> str | None:
    call_id = _get(kwargs, "litellm_call_id")
    if not isinstance(call_id, str) or not call_id:
        params = _get(kwargs, "litellm_params")
        call_id = params.get("litellm_call_id") if isinstance(params, dict) else None
    return call_id if isinstance(call_id, str) and call_id else None


def _snapshot(kwargs: Any) -> dict[str, Any]:
    """The fields the adapter reads, copied now (LiteLLM changes its dict later)."""
    data = {key: _get(kwargs, key) for key in KEYS}
    data["call_id"] = _call_id(kwargs)
    data["start_time"] = _seconds(_get(kwargs, "start_time"))
    standard = _get(kwargs, "standard_logging_object")
    if isinstance(standard, dict):
        data["standard_cost"] = standard.get("response_cost")
    return data


def _seconds(value: Any) -> float | None:
    """LiteLLM's times (naive local ``datetime``s, or epoch floats) as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _whole(response: Any) -> bool:
    """A response to show: not a stream's chunk (those carry ``delta``s)."""
    return type(response).__name__ != "ModelResponseStream"
