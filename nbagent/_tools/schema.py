"""Tools for an agent loop: Python functions described to the model (schema from type hints
and docstring, through pydantic) and called with validated arguments, a timeout and their
printed output captured (``call_tool``), failures reported rather than raised."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import inspect
import itertools
import json
import re
import sys
import threading
import time
import traceback
import typing
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from pydantic import BaseModel, ConfigDict, Field, PydanticUserError, ValidationError, create_model
from pydantic_core import to_jsonable_python

from nbagent._events import NbagentError
from nbagent.runtime.loops import run_fresh


class ToolArgumentsError(NbagentError, ValueError):
    """Arguments not valid JSON or not fitting the signature; a line per problem: ``field: why``."""


@dataclass
class Tool:
    """A function the model may call, with the JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object
    fn: Callable[..., Any]
    timeout_s: float | None = 60.0  # seconds a call may take; None: no limit
    _model: type[BaseModel] | None = field(default=None, init=False, repr=False, compare=False)
    _positional: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout_s: float | None = 60.0,
    ) -> Tool:
        """Describe ``fn`` (sync or async function, bound method, callable, partial).

        The name defaults to ``fn.__name__``, the description to the docstring's first
        paragraph; an ``Args:`` section or ``:param x:`` lines describe the parameters.
        Raises TypeError for ``*args``/``**kwargs`` or types pydantic cannot describe.
        """
        try:
            target, doc, default_name = _introspect(fn)
            sig = inspect.signature(fn)
            hints = typing.get_type_hints(target, include_extras=True)
        except Exception as exc:  # any failure here means fn cannot be described
            raise TypeError(f"cannot describe {fn!r} as a tool: {exc}") from exc
        name = name or default_name
        summary, arg_docs = _parse_docstring(doc)
        fields: dict[str, Any] = {}
        params = sig.parameters.values()
        for i, p in enumerate(params):
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{name}: *args/**kwargs ({p.name}) cannot be described to a model")
            default = ... if p.default is p.empty else p.default
            # Neutral field names, the parameter as alias: parameters may be called "json",
            # "schema", "model_x" or "_x", which pydantic reserves or treats specially.
            fields[f"p{i}"] = (hints.get(p.name, Any), Field(default, alias=p.name))
        try:
            model = create_model(f"{name}_args", __config__=ConfigDict(extra="forbid"), **fields)
            schema = _clean_schema(model.model_json_schema())
        except PydanticUserError as exc:
            raise TypeError(f"{name}: cannot build a schema of its arguments: {exc}") from exc
        schema = {"type": "object", "properties": {}, "required": [], **schema}
        schema["additionalProperties"] = False
        for pname, text in arg_docs.items():  # an explicit Field(description=...) wins
            schema["properties"].get(pname, {}).setdefault("description", text)
        tool = cls(name, summary if description is None else description, schema, fn, timeout_s)
        tool._model = model
        tool._positional = tuple(p.name for p in params if p.kind is p.POSITIONAL_ONLY)
        return tool

    def openai_schema(self) -> dict[str, Any]:
        """The entry for the ``tools=`` list of OpenAI's chat completions API."""
        fn = {"name": self.name, "description": self.description, "parameters": self.parameters}
        return {"type": "function", "function": fn}

    def validate(self, args: Any) -> dict[str, Any]:
        """Keyword arguments from a JSON string or dict (None or "" mean none), converted by
        pydantic, defaults filled in; else ToolArgumentsError. A Tool built by hand (not by
        ``from_function``) only checks that the arguments are a JSON object."""
        data = _parse_arguments(args)
        if self._model is None:
            return data
        try:
            validated = self._model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            lines = (f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in errors)
            raise ToolArgumentsError("\n".join(lines)) from exc
        # getattr rather than model_dump: nested models stay instances, as the function expects.
        fields = type(validated).model_fields
        return {info.alias or f: getattr(validated, f) for f, info in fields.items()}

    def as_code(self, args: Mapping[str, Any]) -> str:
        """The call as Python source, e.g. ``get_weather(city='Paris', unit='C')``."""
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def as_tool(x: Tool | Callable[..., Any]) -> Tool:
    """``x`` itself if it is a Tool, else ``Tool.from_function(x)``."""
    return x if isinstance(x, Tool) else Tool.from_function(x)


@dataclass
class ToolOutcome:
    """What one call of a tool produced."""

    result: Any = None  # the return value made JSON-able; None on error
    error_type: str | None = None  # exception class name, "TimeoutError", "ToolArgumentsError"
    error_message: str | None = None
    traceback: str | None = None  # of a tool that raised (not of timeouts or bad arguments)
    output: str = ""  # what the tool printed, stdout and stderr interleaved in order
    duration_s: float = 0.0
    abandoned: bool = False  # a sync tool overran its timeout: its thread is still running

    @property
    def is_error(self) -> bool:
        """The call failed: bad arguments, timeout or exception."""
        return self.error_type is not None

    @property
    def shown(self) -> Any:
        """What a tool panel shows: the result, or ``"ErrorType: message"``."""
        return f"{self.error_type}: {self.error_message}" if self.is_error else self.result

    def extras(self) -> dict[str, Any]:
        """``output``, ``traceback`` and ``abandoned`` where set (a tool block's keys)."""
        return {k: v for k in ("output", "traceback", "abandoned") if (v := getattr(self, k))}

    def content_for_model(self) -> str:
        """The content of the ``tool`` message sent back to the model."""
        if self.is_error:
            return f"Error: {self.shown}"
        if isinstance(self.result, str):
            return self.result
        return json.dumps(self.result, ensure_ascii=False, default=repr)


async def call_tool(tool: Tool, args: Any) -> ToolOutcome:
    """Validate ``args`` and run the tool (async: in a task, sync: in a daemon thread) within
    ``tool.timeout_s``; its failures come back as an error outcome. Cancelling this cancels an
    async tool; a sync one cannot be stopped, its thread is counted by ``abandoned_threads``."""
    started = time.monotonic()
    outcome = ToolOutcome()
    try:
        kwargs = tool.validate(args)
    except ToolArgumentsError as exc:
        outcome.error_type, outcome.error_message = "ToolArgumentsError", str(exc)
        outcome.duration_s = time.monotonic() - started
        return outcome
    positional = [kwargs.pop(n) for n in tool._positional if n in kwargs]
    invoke = functools.partial(tool.fn, *positional, **kwargs)
    buf: list[str] = []
    try:
        run = _run_in_task if _is_async(tool.fn) else _run_in_thread
        # The tool's own exceptions come back in error: a TimeoutError raised here is ours.
        value, error = await run(invoke, buf, tool.timeout_s)
    except asyncio.TimeoutError:
        outcome.error_type, outcome.abandoned = "TimeoutError", run is _run_in_thread
        outcome.error_message = f"{tool.name} did not finish within {tool.timeout_s:g} s"
    else:
        if error is None:
            outcome.result = _jsonable(value)
        else:
            outcome.error_type, outcome.error_message = type(error).__name__, str(error)
            outcome.traceback = _format_traceback(error)
    outcome.output, outcome.duration_s = "".join(buf), time.monotonic() - started
    return outcome


def call_tool_sync(tool: Tool, args: Any) -> ToolOutcome:
    """``call_tool`` from synchronous code, a notebook cell included (its thread runs a loop:
    the call then gets a loop of its own on another thread, and this thread waits)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_fresh(call_tool(tool, args))
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nbagent-call") as pool:
        return pool.submit(run_fresh, call_tool(tool, args)).result()


def abandoned_threads() -> int:
    """How many sync tool threads are still running after their caller gave up on them."""
    global _abandoned
    with _lock:
        _abandoned = {t for t in _abandoned if t.is_alive()}
        return len(_abandoned)


async def _run_in_task(make: Callable[[], Any], buf: list[str], timeout: float | None) -> _Result:
    async def body() -> _Result:
        # The task runs in its own copy of the context: only its writes land in buf.
        _capture.set(buf)
        try:
            return await make(), None
        except Exception as exc:  # noqa: BLE001 — the tool's failure is reported, not raised
            return None, exc

    _use_streams(+1)
    try:
        return await asyncio.wait_for(asyncio.get_running_loop().create_task(body()), timeout)
    finally:
        _use_streams(-1)


async def _run_in_thread(call: Callable[[], Any], buf: list[str], timeout: float | None) -> _Result:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[_Result] = loop.create_future()
    ctx = copy_context()
    ctx.run(_capture.set, buf)  # the thread runs in this copy: only its writes land in buf

    def deliver(result: _Result) -> None:
        if not done.done():  # else cancelled, by a timeout or by our caller
            done.set_result(result)

    def body() -> None:
        result: _Result
        _use_streams(+1)
        try:
            value = ctx.run(call)
            # A sync wrapper around an async function (a decorator without inspect's marker).
            result = ctx.run(run_fresh, value) if inspect.iscoroutine(value) else value, None
        except BaseException as exc:  # noqa: BLE001 — whatever happens, the loop must hear of it
            result = None, exc
        _use_streams(-1)
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(deliver, result)

    # Not the default executor: a tool that overruns cannot be stopped and must not starve the
    # pool others rely on. The thread holds the proxies till it ends: late prints stay captured.
    thread = threading.Thread(target=body, name="nbagent-tool", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(done, timeout)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        with _lock:
            _abandoned.add(thread)  # until abandoned_threads() sees it has ended
        raise


def _is_async(fn: Callable[..., Any]) -> bool:
    call = getattr(type(fn), "__call__", None)  # noqa: B004 — the class's method, not callable()
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call)


def _format_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # the user needs the tool's frames, not this module's plumbing
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _jsonable(value: Any) -> Any:
    with contextlib.suppress(TypeError, ValueError, RecursionError):
        json.dumps(value, allow_nan=False)  # NaN is no JSON: the browser could not read it
        return value
    # The call succeeded: a result that cannot be converted is shown by repr, never raises.
    with contextlib.suppress(Exception):
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        converted = to_jsonable_python(value)  # dataclasses, datetimes, sets, enums, ...
        json.dumps(converted, allow_nan=False)
        return converted
    with contextlib.suppress(Exception):
        return repr(value)
    return object.__repr__(value)


_Result = tuple[Any, BaseException | None]
_lock = threading.Lock()
_abandoned: set[threading.Thread] = set()
_capture: ContextVar[list[str] | None] = ContextVar("nbagent_tool_output", default=None)
_users = 0  # calls holding the stream proxies installed
_swapped: dict[str, tuple[TextIO, TextIO]] = {}  # "stdout"/"stderr" -> (original, proxy)


class _StreamProxy:
    """Stands in for sys.stdout/sys.stderr while tools run: routes by the writer's context."""

    def __init__(self, original: TextIO | None) -> None:
        self._original = original

    def write(self, s: str) -> int:
        if (buf := _capture.get()) is not None:
            buf.append(s)
            return len(s)
        return len(s) if self._original is None else self._original.write(s)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


def _use_streams(delta: int) -> None:
    """+1 as a tool starts, -1 as it ends: the proxies stand in while any tool runs."""
    global _users
    with _lock:
        _users += delta
        if delta > 0 and _users == 1:
            for stream in ("stdout", "stderr"):
                original = getattr(sys, stream)
                _swapped[stream] = (original, cast(TextIO, _StreamProxy(original)))
                setattr(sys, stream, _swapped[stream][1])
        elif _users == 0:
            for stream, (original, proxy) in _swapped.items():
                if getattr(sys, stream) is proxy:  # who replaced our proxy since keeps theirs
                    setattr(sys, stream, original)
            _swapped.clear()


def _introspect(fn: Callable[..., Any]) -> tuple[Any, str, str]:
    """The object to read type hints from, the docstring and the name, for any callable."""
    target: Any = fn
    while isinstance(target, functools.partial):
        target = target.func
    if inspect.isroutine(target):
        return target, inspect.getdoc(target) or "", target.__name__
    call, cls = type(target).__call__, type(target)  # a callable instance: hints on __call__
    return call, inspect.getdoc(call) or inspect.getdoc(cls) or "", cls.__name__


_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Keyword Args(uments)?):\s*$")
_ANY_HEADER = re.compile(r"^[A-Z][A-Za-z ]*:$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
_REST_PARAM = re.compile(r"^:param\s+(?:[^:]*?\s+)?(\w+)\s*:(.*)$")
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions"}
_SCHEMA_DATA = {"default", "examples", "const", "enum"}


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(first paragraph, {parameter: description}) from a Google-style or reST docstring."""
    lines = doc.splitlines()
    summary = itertools.takewhile(
        lambda s: s and s[0] != ":" and not _ANY_HEADER.match(s), (ln.strip() for ln in lines)
    )
    params: dict[str, str] = {}
    current, section, entry_indent = "", -1, -1  # section: indent of the "Args:" line, or -1
    for line in lines:
        text, indent = line.strip(), len(line) - len(line.lstrip())
        if not text:
            continue
        if _ARGS_HEADER.match(line):
            current, section, entry_indent = "", indent, -1
        elif rest := _REST_PARAM.match(text):
            current, section = rest.group(1), -1
            params[current] = rest.group(2).strip()
        elif section >= 0 and indent > section:
            entry_indent = indent if entry_indent < 0 else entry_indent
            entry = _GOOGLE_ENTRY.match(text)
            if entry and indent == entry_indent:
                current = entry.group(1)
                params[current] = entry.group(2).strip()
            elif current:  # deeper indent: the entry goes on
                params[current] = f"{params[current]} {text}".strip()
        elif current and section < 0 and indent > 0 and text[0] != ":":
            params[current] = f"{params[current]} {text}".strip()  # reST continuation
        else:
            current, section = "", -1
    return " ".join(summary), params


def _clean_schema(node: Any, names: bool = False) -> Any:
    """Drop pydantic's "title" keywords, but not properties or default values named "title"."""
    if isinstance(node, list):
        return [_clean_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    if names:  # keys are property or definition names, values are schemas
        return {k: _clean_schema(v) for k, v in node.items()}
    return {
        k: v if k in _SCHEMA_DATA else _clean_schema(v, k in _SCHEMA_MAPS)
        for k, v in node.items()
        if not (k == "title" and isinstance(v, str))
    }


def _parse_arguments(args: Any) -> dict[str, Any]:
    if args is None or (isinstance(args, str | bytes) and not args.strip()):
        return {}
    if isinstance(args, str | bytes):
        try:
            args = json.loads(args)  # data, never code: no eval
        except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
            raise ToolArgumentsError(f"arguments: not valid JSON ({exc})") from exc
    if isinstance(args, Mapping):
        return dict(args)
    raise ToolArgumentsError(f"arguments: expected a JSON object, got {type(args).__name__}")
