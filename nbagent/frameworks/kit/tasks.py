"""What frameworks' agents as ``nbagent.evaluate()``'s task share. Each framework's
``task_run(task)`` (its ``task.py``, or in its module) is None for another object, else a
``TaskRun``: given a case's input, it starts the framework's run and returns the stream
``show()`` reads for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["TaskRun", "prompt_of"]

TaskRun = Callable[[Any], Any]
"""A case's input → the stream of the framework's run on it."""


def prompt_of(value: Any) -> str:
    """A case's input as a prompt: a str as it is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
