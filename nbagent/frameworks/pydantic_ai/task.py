"""A pydantic-ai ``Agent`` as ``nbagent.evaluate()``'s task: each case's input as the prompt of
``agent.run_stream_events``, read as ``show()`` reads it."""

from __future__ import annotations

from typing import Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.tasks import TaskRun, prompt_of
from nbagent.frameworks.pydantic_ai.rerun import AGENTS

__all__ = ["task_run"]


def task_run(task: Any) -> TaskRun | None:
    """The run of ``task`` on a case's input, when ``task`` is a pydantic-ai agent."""
    if not type_is(task, "pydantic_ai", *AGENTS):
        return None
    return lambda value: task.run_stream_events(prompt_of(value))
