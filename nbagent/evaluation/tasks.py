"""What an evaluation's task is, and how one case's input becomes an ordinary nbagent run.

A task is an ``nbagent.Agent``; an ACP agent (``acp_task``: a session per case); a
framework's agent or graph that nbagent shows (pydantic-ai ``Agent``, the Agents SDK's
``Agent``, a LangGraph graph, a LlamaIndex agent or workflow), read through the same stream
``show()`` reads; or a function ``fn(input)`` returning a source nbagent shows, a ``Run``, an
awaitable, or a plain value. A function runs inside a ``watch()`` block, so that the calls it
makes through the libraries nbagent hooks are its case's run. Every run goes to a ``Hidden``
view: the same pipeline as ``show()``, no widget.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from nbagent.apps.watch import Watch
from nbagent.frameworks import langchain, llama_index
from nbagent.frameworks.kit.tasks import TaskRun, prompt_of
from nbagent.frameworks.openai_agents import task as openai_agents
from nbagent.frameworks.pydantic_ai import task as pydantic_ai
from nbagent.frameworks.rerun import attach
from nbagent.runtime.controller import Op
from nbagent.runtime.run import Run
from nbagent.runtime.views import RunView
from nbagent.sources import resolve_source
from nbagent.transcript.transcript import Transcript

__all__ = ["Hidden", "MakeView", "Outcome", "Performer", "performer"]


class Hidden:
    """A ``RunView`` that shows nothing: a case's run folds its transcript as any run does,
    but no widget is made (an evaluation shows its cases in a table of its own)."""

    widget: Any = None

    def __init__(self) -> None:
        self.lock = threading.RLock()

    def push(self, ops: list[Op], *, urgent: bool = False) -> None:
        pass

    def push_late(self, ops: list[Op]) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def save_state(self, transcript: Transcript) -> None:
        pass

    def sync(self, transcript: Transcript) -> None:
        pass

    def set_can_rerun(self, value: bool | str) -> None:
        pass


@dataclass
class Outcome:
    """What a case's task did: its run (ended) and its output."""

    run: Run
    output: Any


OnRun = Callable[[Run], None]
"""Told of a case's run as soon as it exists (before it streams): a cancel reaches it."""
MakeView = Callable[[], RunView]
"""A case's run's view: ``Hidden``, or a case of an evaluation's widget (``CaseView``)."""
Performer = Callable[[Any, str, OnRun, MakeView], Awaitable[Outcome]]
"""``perform(input, title, on_run, view)``: run one case's input to its end."""


def performer(task: Any, executor: Executor) -> Performer:
    """How ``task`` runs one input (``TypeError`` at once for what cannot be a task);
    ``executor``: the threads a sync function runs on."""
    source_of = _framework(task)
    if source_of is not None:
        return lambda value, title, on_run, view: _stream(source_of(value), title, on_run, view)
    if callable(getattr(task, "prepare", None)) and hasattr(task, "raw_events"):
        return lambda value, title, on_run, view: _agent(task, value, title, on_run, view)
    if callable(task):
        return lambda value, title, on_run, view: _call(task, value, title, on_run, view, executor)
    raise TypeError(
        "evaluate() takes as task an nbagent.Agent, an nbagent.acp agent, a pydantic-ai / "
        "Agents SDK agent, a LangGraph graph, a LlamaIndex agent, or a function of the "
        "case's input; got "
        f"{type(task).__name__}"
    )


TASK_RUNS: tuple[Callable[[Any], TaskRun | None], ...] = (
    pydantic_ai.task_run,
    openai_agents.task_run,
    langchain.task_run,
    llama_index.task_run,
)
"""Each framework's ``task_run`` (in its home, ``nbagent/frameworks/``): None for another
object, else how its agent or graph runs on a case's input."""


def _framework(task: Any) -> TaskRun | None:
    """The stream ``show()`` reads for a framework's agent or graph run on an input."""
    return next((run for each in TASK_RUNS if (run := each(task)) is not None), None)


async def _agent(agent: Any, value: Any, title: str, on_run: OnRun, view: MakeView) -> Outcome:
    run: Run = agent.prepare(prompt_of(value), title=title, view=view())
    return await _follow(run, on_run)


async def _stream(source: Any, title: str, on_run: OnRun, view: MakeView) -> Outcome:
    run = Run(source, title=title, view=view())
    attach(run, run.source)  # its tools re-run where show() would re-run them
    return await _follow(run, on_run)


async def _follow(run: Run, on_run: OnRun) -> Outcome:
    on_run(run)
    if not run.done:  # a cancel as it was told may have ended it already
        run.start()
    transcript = await run.wait_async()
    return Outcome(run, transcript.text)


async def _call(
    fn: Callable[[Any], Any],
    value: Any,
    title: str,
    on_run: OnRun,
    view: MakeView,
    executor: Executor,
) -> Outcome:
    """``fn(value)`` inside a watch block (its hooked calls are the case's run)."""
    result: Any = None
    watch = Watch(title=title, view=view)
    try:
        async with watch as block:
            on_run(block)
            if inspect.iscoroutinefunction(fn):
                result = await fn(value)
            else:
                # On a thread of the evaluation's own (the block's context with it: the hooks
                # find their block), so that a blocking call leaves the loop free.
                context = contextvars.copy_context()
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(executor, context.run, fn, value)
            if inspect.isawaitable(result):
                result = await result
    except Exception:  # noqa: BLE001 - the block's run has the error, shown as the case's
        return Outcome(block, None)
    if block.status == "cancelled":  # stopped: the block swallowed the task's cancellation
        return Outcome(block, None)
    if isinstance(result, Run):  # e.g. nbagent.show(...) inside the function
        on_run(result)
        await result.wait_async()
        return Outcome(result, result.transcript.text)
    if _is_source(result):
        return await _stream(result, title, on_run, view)
    return Outcome(block, result)


def _is_source(value: Any) -> bool:
    """A stream to read (a generator, an iterator such as an OpenAI ``Stream``, an async
    iterable, a framework's run object), not a value: lists, dicts, models are outputs."""
    if isinstance(value, (str, bytes, bytearray, Mapping, list, tuple, set, int, float)):
        return False
    if value is None or hasattr(value, "model_dump"):
        return False
    if resolve_source(value) is not value:
        return True
    return hasattr(value, "__aiter__") or hasattr(value, "__next__")
