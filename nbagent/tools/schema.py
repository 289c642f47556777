"""``Tool``: a function described to the model, the JSON schema of its arguments built by
pydantic from the signature's type hints, descriptions from the docstring (Google-style
``Args:`` or reST ``:param x:``); ``Tool.validate`` turns the model's arguments into keyword
arguments or raises ``ToolArgumentsError``."""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PydanticUserError, ValidationError, create_model

from nbagent.core.events import NbagentError
from nbagent.pipeline.normalize import parse_arguments

__all__ = ["Tool", "ToolArgumentsError", "as_tool", "py_str"]


class ToolArgumentsError(NbagentError, ValueError):
    """Arguments not valid JSON or not fitting the signature; a line per problem: ``field: why``."""


@dataclass
class Tool:
    """A function the model may call, with the JSON schema of its arguments.

    ``nbagent.Agent(tools=[fn])`` makes one per function (``Tool.from_function``: the schema
    from the type hints, the description from the docstring); make one yourself to set the
    name, description or ``timeout_s``. ``openai_schema()`` is what the model is sent,
    ``validate(args)`` checks arguments against the schema (``ToolArgumentsError``)."""

    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object
    fn: Callable[..., Any]
    timeout_s: float | None = 60.0  # seconds a call may take; None: no limit
    hints: frozenset[str] = frozenset()
    """What the tool's provider says of it (an MCP server's annotations): "destructive",
    "read_only", "idempotent", "open_world"; ``pause_before`` may name these."""
    origin: str = ""
    """Where the tool lives when not in this process: the MCP server's name."""
    call_as: str | None = None
    """Python source of a call of this tool from a notebook, for Copy as code
    (``ToolCallStart.call_as``); None: the tool's own name."""
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


def py_str(text: str) -> str:
    """``text`` as a Python string literal for a ``call_as`` template: ``{`` escaped, so the
    template's first ``{args}`` is its own (a tool may be named ``{args}``)."""
    return json.dumps(text).replace("{", "\\x7b")


def as_tool(x: Tool | Callable[..., Any]) -> Tool:
    """``x`` itself if it is a Tool, else ``Tool.from_function(x)``."""
    return x if isinstance(x, Tool) else Tool.from_function(x)


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
# Each character has one place in these patterns (no two `\s*` side by side): linear.
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\)\s*)?:(.*)$")
# ":param [type] name: description": the name is the last word before the first colon.
_REST_PARAM = re.compile(r"^:param(\s[^:]*):(.*)$")
_WORD = re.compile(r"\w+")


def _rest_param(text: str) -> tuple[str, str] | None:
    """(name, description) of a reST ``:param`` line, or None."""
    m = _REST_PARAM.match(text)
    words = m.group(1).split() if m else []
    if m is None or not words or not _WORD.fullmatch(words[-1]):
        return None
    return words[-1], m.group(2)


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
        elif rest := _rest_param(text):
            current, section = rest[0], -1
            params[current] = rest[1].strip()
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
    if isinstance(args, bytes):
        try:
            args = args.decode()
        except ValueError as exc:
            raise ToolArgumentsError(f"arguments: not valid JSON ({exc})") from exc
    if isinstance(args, str):  # as the transcript reads them: one rule (data, never code)
        args, error = parse_arguments(args)
        if error is not None:
            raise ToolArgumentsError(f"arguments: not valid JSON ({error})")
    if isinstance(args, Mapping):
        return dict(args)
    raise ToolArgumentsError(f"arguments: expected a JSON object, got {type(args).__name__}")
