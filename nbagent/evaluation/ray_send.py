"""``evaluate(..., executor="ray")``: what goes to Ray's workers, and an error of what cannot.

What is sent. The task once (``ray.put``), pickled with Ray's cloudpickle: an
``nbagent.Agent`` goes with its tools and settings, its OpenAI client as the settings it is
made again from on the worker (``ClientSpec``: base URL, API key, headers; the scripted demo
model's in-process client as the demo model). Per case: the input and the title out, batches
of events back. A task that cannot be pickled fails before any case starts (``sendable``),
naming the part that could not be sent.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nbagent.core.errors import first_line

__all__ = ["ClientSpec", "portable", "sendable", "sendable_error", "unpacked"]


@dataclass(frozen=True)
class ClientSpec:
    """An OpenAI client as what makes it again on a worker (a client holds locks and
    connections, which cannot be pickled): its settings, and its HTTP transport where that
    pickles (the scripted demo model's in-process one does: ``demo.in_process``)."""

    base_url: str
    api_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sync: bool = False
    http: tuple[Any, Any] | None = None
    """The HTTP client's class and its transport, made again on the worker; None: the
    default ones."""

    @classmethod
    def of(cls, client: Any) -> ClientSpec | None:
        """The spec of an ``openai`` client; None for anything else (sent as it is)."""
        if not type(client).__module__.startswith("openai"):
            return None
        http_client = getattr(client, "_client", None)
        transport = getattr(http_client, "_transport", None)
        http = None
        if transport is not None and _pickle_error(transport, pickle.dumps) is None:
            http = (type(http_client), transport)
        custom = getattr(client, "_custom_headers", None) or {}
        return cls(
            str(client.base_url),
            getattr(client, "api_key", None),
            {str(k): str(v) for k, v in custom.items()},
            sync=not type(client).__name__.startswith("Async"),
            http=http,
        )

    def make(self) -> Any:
        """The client, on the worker."""
        import openai

        cls = openai.OpenAI if self.sync else openai.AsyncOpenAI
        extra: dict[str, Any] = {}
        if self.http is not None:
            http_class, transport = self.http
            extra["http_client"] = http_class(transport=transport)
        return cls(
            base_url=self.base_url, api_key=self.api_key, default_headers=self.headers, **extra
        )


def portable(task: Any) -> Any:
    """``task`` as it is sent: an ``nbagent.Agent``'s client as its ``ClientSpec``."""
    client = getattr(task, "_client", None)
    if callable(getattr(task, "prepare", None)) and client is not None:
        spec = ClientSpec.of(client)
        if spec is not None:
            task = copy.copy(task)
            task._client = spec
    return task


def unpacked(task: Any) -> Any:
    """``task`` as a worker runs it: an agent sent with a ``ClientSpec`` has a client of the
    worker's own."""
    spec = getattr(task, "_client", None)
    if isinstance(spec, ClientSpec):
        task = copy.copy(task)
        task._client = spec.make()
    return task


def sendable(task: Any, dumps: Any) -> bytes:
    """``task`` pickled (``dumps``: Ray's cloudpickle); ``TypeError`` naming the part of it
    that cannot be (an attribute, a tool, a closure's variable)."""
    try:
        return bytes(dumps(task))
    except Exception as exc:  # noqa: BLE001 - pickling raises TypeError, PicklingError, ...
        path, culprit, error = _culprit(task, "task", dumps, exc, 0)
        raise TypeError(
            f"evaluate(executor='ray') cannot send the task to Ray's workers: {path} "
            f"({type(culprit).__name__}) cannot be pickled ({error}); make it on the worker "
            "instead (e.g. a task function that builds it)"
        ) from None


def _culprit(obj: Any, path: str, dumps: Any, exc: Exception, depth: int) -> tuple[str, Any, str]:
    """The deepest part of ``obj`` that does not pickle, its path and its error."""
    if depth < 6:
        for name, child in _parts(obj):
            inner = _pickle_error(child, dumps)
            if inner is not None:
                return _culprit(child, f"{path}{name}", dumps, inner, depth + 1)
    return path, obj, first_line(exc)


def _pickle_error(obj: Any, dumps: Any) -> Exception | None:
    """Why ``obj`` does not pickle; None when it does."""
    try:
        dumps(obj)
    except Exception as exc:  # noqa: BLE001 - TypeError, PicklingError, ...
        return exc
    return None


def _parts(obj: Any) -> Iterator[tuple[str, Any]]:
    """What ``obj`` is made of, each with how to name it."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield f"[{key!r}]", value
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, value in enumerate(obj):
            label = getattr(value, "name", None) or getattr(value, "__qualname__", None)
            yield f"[{i}]" + (f" ({label})" if isinstance(label, str) else ""), value
    else:
        code = getattr(obj, "__code__", None)
        cells = getattr(obj, "__closure__", None) or ()
        if code is not None:
            for name, cell in zip(code.co_freevars, cells, strict=False):
                yield f" (its variable {name})", cell.cell_contents
            wrapped = getattr(obj, "__wrapped__", None)
            if wrapped is not None:
                yield ".__wrapped__", wrapped
        for name, value in getattr(obj, "__dict__", {}).items():
            yield f".{name}", value


def sendable_error(exc: Exception) -> Exception:
    """``exc`` as a worker sends it back: itself, or one that does not pickle as a
    ``RuntimeError`` saying what it was."""
    if _pickle_error(exc, pickle.dumps) is None:
        return exc
    return RuntimeError(f"{type(exc).__name__}: {exc}")
