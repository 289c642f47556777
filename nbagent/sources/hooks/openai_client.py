"""The ``openai`` family: the ``openai`` client's own calls, without a framework around them.

The SDK has no callbacks, so the hook wraps ``create`` (and ``parse``, structured outputs,
which does not go through it), and only where the user asked:

- ``nbagent.watch(client)``: the methods of that client's resources, as instance attributes
  (``client.chat.completions.create``, ``client.responses.create``; the SDK builds
  ``client.chat`` and the rest with ``functools.cached_property``, one object per client), so
  another client is untouched and ``stop()`` deletes the attributes again;
- ``with nbagent.watch():``: the resource *classes'* methods (sync and async, chat and
  responses) for as long as a block is open. One patch serves every open block (blocks on
  two threads, nested ones): the first block installs it, the last one restores the very
  functions it found, so blocks that end in any order never restore each other's wrappers.

In a block a call is left alone when an OpenTelemetry openai instrumentor is active (the
``otel`` family shows it) or when it comes from inside a framework (its own family shows it:
the calling frames are walked once per call). ``stream=True`` calls are passed through and
not recorded: the user's ``Stream`` must stay the SDK's own object; ``nbagent.show(stream)``
shows it. Records: ``request`` (model, messages / input, tools), then ``response`` (the
``ChatCompletion`` / ``Response``) or ``error``, the latter two ``last`` of their root (a
fresh id per call).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import inspect
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any, ClassVar

from nbagent.adapters.base import type_is
from nbagent.core.errors import error_text
from nbagent.sources.hooks.base import Hook, HookError

__all__ = ["OpenAIClientHook"]

FRAMEWORKS = (
    "agents.",
    "pydantic_ai.",
    "langchain",
    "langgraph.",
    "llama_index.",
    "litellm.",
    "smolagents.",
    "crewai.",
    "dspy.",
)
"""Modules whose calls of the client another family shows: a block skips them."""

INSTRUMENTORS = (
    "opentelemetry.instrumentation.openai_v2",
    "opentelemetry.instrumentation.openai",
    "openinference.instrumentation.openai",
)
"""OpenTelemetry instrumentors of ``openai`` (each an ``OpenAIInstrumentor`` singleton)."""

_RESOURCES = (
    ("openai.resources.chat.completions", "Completions", "chat"),
    ("openai.resources.chat.completions", "AsyncCompletions", "chat"),
    ("openai.resources.responses", "Responses", "responses"),
    ("openai.resources.responses", "AsyncResponses", "responses"),
)
"""The classes whose methods a block wraps, and which API each is."""

METHODS = ("create", "parse")
"""The methods wrapped: ``parse`` (structured outputs) does not go through ``create``."""

RAW_HEADER = "X-Stainless-Raw-Response"
"""The header the SDK's ``with_raw_response`` / ``with_streaming_response`` add to a call."""

_MAX_FRAMES = 200


class OpenAIClientHook(Hook):
    """``client.chat.completions.create`` / ``client.responses.create`` calls (see the module
    docstring)."""

    family: ClassVar[str] = "openai"
    modules: ClassVar[tuple[str, ...]] = ("openai",)
    watches: ClassVar[str] = "an openai client (openai.OpenAI, AsyncOpenAI, AzureOpenAI)"

    def __init__(self, emit: Any, target: Any = None) -> None:
        super().__init__(emit, target)
        self._patches: list[Patch] = []

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        return type_is(obj, "openai", "OpenAI", "AsyncOpenAI")

    def install(self) -> None:
        if self.target is None:
            owners = [(resource_class(module, name), api) for module, name, api in _RESOURCES]
        else:
            try:
                owners = [
                    (self.target.chat.completions, "chat"),
                    (self.target.responses, "responses"),
                ]
            except Exception as exc:  # an SDK version without these resources
                raise HookError(
                    f"this openai client has no chat/responses resources: {exc}"
                ) from exc
        with _LOCK:
            for owner, api in owners:
                for name in METHODS:
                    if not callable(getattr(owner, name, None)):
                        continue  # an SDK version without it
                    key = (id(owner), name)
                    patch = _PATCHES.get(key)
                    if patch is None:
                        patch = _PATCHES[key] = Patch(owner, name, api)
                    patch.hooks = (*patch.hooks, self)
                    self._patches.append(patch)

    def uninstall(self) -> None:
        with _LOCK:
            for patch in self._patches:
                patch.hooks = tuple(h for h in patch.hooks if h is not self)
                if not patch.hooks:
                    _PATCHES.pop((id(patch.owner), patch.name), None)
                    with contextlib.suppress(Exception):  # the other patches still go
                        patch.restore()
            self._patches.clear()

    # -- recording (on the caller's thread: quick, never raises) ---------------------------

    def request(self, api: str, kwargs: dict[str, Any]) -> str:
        root = uuid.uuid4().hex
        with contextlib.suppress(Exception):  # never raise into the user's call
            self.record("request", request_data(api, kwargs), root=root)
        return root

    def response(self, root: str, result: Any) -> None:
        with contextlib.suppress(Exception):  # never raise into the user's call
            self.record("response", result, root=root, last=True)

    def error(self, root: str, exc: BaseException) -> None:
        with contextlib.suppress(Exception):  # never raise into the user's call
            self.record("error", error_data(exc), root=root, last=True)


def request_data(api: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """What the adapter reads of a request. The messages / input list is copied (the user's
    loop appends to it before the run's thread reads the record); an iterable that is not a
    list is not read here (reading a generator would consume it)."""
    data: dict[str, Any] = {"api": api, "model": kwargs.get("model")}
    for key in ("messages", "input", "tools", "instructions"):
        value = kwargs.get(key)
        if isinstance(value, (list, tuple)):
            data[key] = list(value)
        elif isinstance(value, str):
            data[key] = value
    return data


def error_data(exc: BaseException) -> dict[str, Any]:
    """The failure as the adapter shows it (the exception itself would keep its frames)."""
    if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt)):
        return {"message": f"cancelled ({type(exc).__name__})", "error_type": type(exc).__name__}
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None)
    text = error_text(exc)  # names the server of a connection error
    if text == str(exc):
        text = str(getattr(exc, "message", None) or exc)
    return {
        "message": text or type(exc).__name__,
        "error_type": type(exc).__name__,
        "status": status if isinstance(status, int) else None,
        "code": code if isinstance(code, (str, int)) else None,
    }


def unread(kwargs: dict[str, Any]) -> bool:
    """A call whose answer is not a whole object: ``stream=True`` (the user reads the SDK's
    ``Stream``; ``nbagent.show(stream)`` shows it), ``with_raw_response`` /
    ``with_streaming_response`` (an HTTP response the user parses, or reads as it comes).
    Passed through and not recorded."""
    if kwargs.get("stream"):
        return True
    headers = kwargs.get("extra_headers")
    return isinstance(headers, Mapping) and RAW_HEADER in headers


def resource_class(module: str, name: str) -> type:
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise HookError(f"this openai version has no {module}.{name}: {exc}") from exc
    if not isinstance(found, type) or "create" not in found.__dict__:
        raise HookError(f"this openai version's {module}.{name} has no create()")
    return found


# -- the patches: one wrapper per create, shared by the hooks that want it ---------------------

_LOCK = threading.Lock()
_PATCHES: dict[tuple[int, str], Patch] = {}
"""(id(owner), method) → its patch while a hook wants it (the patch holds the owner: the id
stays its)."""


class Patch:
    """One wrapper over one method (``create``, ``parse``): a resource class's (``with
    watch():`` blocks; calls that an instrumentor or a framework shows are left alone) or one
    client's resource object's (``watch(client)``: an instance attribute, every call). Hooks
    come and go (``hooks``); the first puts the wrapper in, the last takes it out and puts
    back exactly what was there. A wrapper that something else wrapped over since cannot be
    taken out without dropping the other: it stays, switched off (``on``), a pass-through."""

    def __init__(self, owner: Any, name: str, api: str) -> None:
        self.owner = owner
        self.name = name
        self.api = api
        self.hooks: tuple[OpenAIClientHook, ...] = ()  # replaced whole: read without the lock
        self.on = True
        self.is_class = isinstance(owner, type)
        self.original: Any = owner.__dict__.get(name)  # None: the class's, for an object
        self.wrapper = self._wrap()
        if self.is_class:
            setattr(owner, name, self.wrapper)
        else:
            owner.__dict__[name] = self.wrapper  # shadows the class's function for it alone

    def restore(self) -> None:
        self.on = False
        if self.owner.__dict__.get(self.name) is not self.wrapper:
            return  # wrapped over since: ours stays below, switched off
        if self.is_class:
            setattr(self.owner, self.name, self.original)
        elif self.original is None:
            del self.owner.__dict__[self.name]
        else:
            self.owner.__dict__[self.name] = self.original

    def target(self) -> Any:
        """What the wrapper calls: the function it replaced; for an object, the class's
        method looked up at each call (a block's patch, opened or closed since, applies)."""
        if self.is_class or self.original is not None:
            return self.original
        return getattr(type(self.owner), self.name).__get__(self.owner)

    def hooks_for(self, frame: FrameType | None) -> tuple[OpenAIClientHook, ...]:
        """The hooks that record this call: in a block none when an instrumentor shows it or a
        framework made it; ``watch(client)`` records every call."""
        hooks = self.hooks
        if not self.on or not hooks:
            return ()
        if self.is_class and (instrumented() or from_framework(frame)):
            return ()
        return hooks

    def _wrap(self) -> Callable[..., Any]:
        """The wrapper has the shape of what it wraps: the async resources' ``create`` is a
        plain function that returns a coroutine (the SDK's ``required_args`` decorator), and so
        is the wrapper, which decides at call time, on the caller's frame, whether to record;
        an ``async def`` (``parse``) gets an ``async def``."""
        func = self.original if self.is_class else getattr(type(self.owner), self.name)
        owner_type = self.owner if self.is_class else type(self.owner)
        is_async = any(c.__name__ == "AsyncAPIResource" for c in owner_type.__mro__)
        api = self.api

        @functools.wraps(func)
        def create(*args: Any, **kwargs: Any) -> Any:
            call = self.target()
            hooks = () if unread(kwargs) else self.hooks_for(sys._getframe(1))
            if not hooks:
                return call(*args, **kwargs)
            roots = [hook.request(api, kwargs) for hook in hooks]
            try:
                result = call(*args, **kwargs)
            except BaseException as exc:
                _failed(hooks, roots, exc)
                raise
            if is_async and inspect.isawaitable(result):
                return _awaited(result, hooks, roots)
            _answered(hooks, roots, result)
            return result

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def acall(*args: Any, **kwargs: Any) -> Any:
                return await create(*args, **kwargs)  # the frames walked go on to our awaiter

            return acall
        return create


async def _awaited(awaitable: Any, hooks: tuple[OpenAIClientHook, ...], roots: list[str]) -> Any:
    try:
        result = await awaitable
    except BaseException as exc:
        _failed(hooks, roots, exc)
        raise
    _answered(hooks, roots, result)
    return result


def _answered(hooks: tuple[OpenAIClientHook, ...], roots: list[str], result: Any) -> None:
    for hook, root in zip(hooks, roots, strict=True):
        hook.response(root, result)


def _failed(hooks: tuple[OpenAIClientHook, ...], roots: list[str], exc: BaseException) -> None:
    for hook, root in zip(hooks, roots, strict=True):
        hook.error(root, exc)


# -- what a block leaves to other families -----------------------------------------------------


def instrumented() -> bool:
    """An OpenTelemetry instrumentor of ``openai`` is on (its spans go to the ``otel``
    family): three dictionary lookups, done per call since it can be turned on any time."""
    for name in INSTRUMENTORS:
        module = sys.modules.get(name)
        if module is None:
            continue
        instance = getattr(getattr(module, "OpenAIInstrumentor", None), "_instance", None)
        if instance is not None and getattr(instance, "_is_instrumented_by_opentelemetry", False):
            return True
    return False


def is_framework(module: Any) -> bool:
    return isinstance(module, str) and module.startswith(FRAMEWORKS)


def from_framework(frame: FrameType | None) -> bool:
    """A framework module among the calling frames (walked from the caller of ``create``:
    the call expression runs on the caller's frame, sync or async alike)."""
    for _ in range(_MAX_FRAMES):
        if frame is None:
            return False
        if is_framework(frame.f_globals.get("__name__")):
            return True
        frame = frame.f_back
    return False
