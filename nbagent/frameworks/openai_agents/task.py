"""An Agents SDK ``Agent`` as ``nbagent.evaluate()``'s task: each case's input run with
``Runner.run_streamed`` (a list as the SDK's input items, anything else as a prompt), read as
``show()`` reads it."""

from __future__ import annotations

from typing import Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.tasks import TaskRun, prompt_of

__all__ = ["task_run"]


def task_run(task: Any) -> TaskRun | None:
    """The run of ``task`` on a case's input, when ``task`` is an Agents SDK ``Agent``."""
    if not type_is(task, "agents", "Agent"):
        return None

    def run(value: Any) -> Any:
        from agents import Runner  # type: ignore[import-not-found,unused-ignore]

        return Runner.run_streamed(task, value if isinstance(value, list) else prompt_of(value))

    return run
