"""``ToolOutcome``, what one call of a tool produced (its result or error, printed output,
duration, display bundles), and ``_jsonable``: a tool's return value made JSON-able, never
raising; ``_result``: a return value as (JSON-able result, display bundles)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from nbagent.core.data import to_display

__all__ = ["Shown", "ToolOutcome", "_jsonable", "_result"]


@dataclass(frozen=True)
class Shown:
    """A tool's return value that brings its own display: ``result`` goes to the model,
    ``display`` (mime bundles checked by ``nbagent.core.data``, e.g. an MCP tool's images and
    audio) to the call's panel."""

    result: Any
    display: list[dict[str, Any]]


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
    display: list[dict[str, Any]] | None = None
    """Mime bundles of a result that is data (a DataFrame, a figure, an image: nbagent.core.data);
    ``result`` is then its text form (a truncated markdown table, the repr), the model's."""

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


def _result(value: Any) -> tuple[Any, list[dict[str, Any]] | None]:
    """A tool's return value as (its JSON-able result, its display bundles or None): data
    (``nbagent.core.data.to_display``) as its text form and bundles, anything else by
    ``_jsonable``."""
    if isinstance(value, Shown):
        return _jsonable(value.result), value.display or None
    shown = to_display(value)
    if shown is not None:
        return shown.text, shown.bundles
    return _jsonable(value), None


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
