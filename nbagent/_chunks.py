"""The lazy chunks of the widget's code (``CodeModel``'s ``math`` and ``answer`` traits,
``nbagent/static/<name>.js``): what they are, and what in a widget's messages makes the
browser need each (a formula, a paused call)."""

from __future__ import annotations

import functools
import pathlib
from typing import Any, Literal

Chunk = Literal["math", "answer"]
"""The lazy chunks a ``CodeModel`` carries, each in the trait of its name."""

_STATIC = pathlib.Path(__file__).parent / "static"
_MATH_MARKS = ("$", "\\(", "\\[")
_CODE_TRAITS = frozenset(("_esm", "_css"))


@functools.cache
def chunk(name: Chunk) -> str:
    """Read once (``nbagent/static/<name>.js``; empty when not built): hashed into the code
    model's version, sent when first needed."""
    path = _STATIC / f"{name}.js"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def mentions_math(value: Any, depth: int = 0) -> bool:
    """Whether a message or state holds text that may be a formula (a ``$``, ``\\(`` or
    ``\\[`` in any string value but a widget's own code, ``_esm`` and ``_css`` at a state's
    top level, which anywidget sends as state): the browser may then need the math chunk."""
    if isinstance(value, str):
        return any(mark in value for mark in _MATH_MARKS)
    if depth > 32:
        return False
    if isinstance(value, dict):
        # A state (depth 0) or a message's state (depth 1): its code is no formula.
        values = (v for k, v in value.items() if depth > 1 or k not in _CODE_TRAITS)
        return any(mentions_math(v, depth + 1) for v in values)
    if isinstance(value, (list, tuple)):
        return any(mentions_math(v, depth + 1) for v in value)
    return False


def mentions_pause(value: Any, depth: int = 0) -> bool:
    """Whether a message or state holds a paused tool call (a block's ``pause`` detail): the
    browser may then need the answer chunk. Only containers are looked into (no text)."""
    if depth > 32:
        return False
    if isinstance(value, dict):
        if isinstance(value.get("pause"), dict):
            return True
        values: Any = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return False
    return any(isinstance(v, (dict, list, tuple)) and mentions_pause(v, depth + 1) for v in values)
