"""Forks of an agent's run: the conversation up to a finished step, maybe edited, run again.

    fork = run.fork(1, {"call_1": "22°C"})  # after model step 1, with call_1's result edited
    fork = run.fork(0, "Weather in Oslo?")   # before the first model call, another prompt
    fork = run.fork(2, "And in F?")          # after step 2, one more user message

``Agent.raw_events`` records in its session where each model step ends in the messages
(``StepMarks``); ``fork_messages`` cuts a copy of the messages there and applies the edit.
``AgentRun.fork`` starts the fork as a run of its own and ``show_beside`` lists its widget in
the original's ``forks`` trait: the original's view shows it as a lane beside itself.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "Edit",
    "StepMarks",
    "fork_messages",
    "fork_title",
    "show_beside",
    "shows_forks",
    "step_number",
]

Message = dict[str, Any]
Edit = str | Mapping[str | int, Any] | None
"""A fork's edit: a prompt (str), new results of the step's tool calls (a mapping from a call's
id or its position in the step), or None (the same conversation)."""


@dataclasses.dataclass
class StepMark:
    """Where one model step of a run ends in its session's messages."""

    after_model: int
    """The number of messages once the step's assistant message was added."""
    calls: list[str]
    """The ids of the tool calls the model asked for, in order."""
    after_tools: int | None = None
    """The number of messages once the calls' results were added (None: not yet, or none)."""

    @property
    def finished(self) -> bool:
        return not self.calls or self.after_tools is not None


class StepMarks:
    """Each finished model step's boundaries in a session's messages (``Agent.raw_events``)."""

    def __init__(self) -> None:
        self.base: int | None = None
        """The number of messages before the first model call (None: the loop has not begun)."""
        self.steps: dict[int, StepMark] = {}

    def begin(self, count: int) -> None:
        self.base = count

    def model_done(self, step: int, count: int, calls: list[str]) -> None:
        self.steps[step] = StepMark(count, list(calls))

    def tools_done(self, step: int, count: int) -> None:
        self.steps[step].after_tools = count

    def step_of(self, tool_call_id: str) -> int | None:
        """The model step that asked for the call ``tool_call_id``."""
        return next((n for n, m in self.steps.items() if tool_call_id in m.calls), None)


def step_number(step: int | str) -> int:
    """``step`` as a model-call number: an int (1-based; 0 = before the first call) or a step
    id of the transcript (``"model-2"``)."""
    if isinstance(step, str) and step.startswith("model-") and step[6:].isdigit():
        return int(step[6:])
    if isinstance(step, int) and not isinstance(step, bool) and step >= 0:
        return step
    raise ValueError(f"step must be a model-call number (0, 1, 2, ...) or 'model-N', got {step!r}")


def fork_messages(
    messages: list[Message], marks: StepMarks, step: int, edit: Edit
) -> list[Message]:
    """A copy of ``messages`` up to the end of model step ``step`` (its tool results
    included), with ``edit`` applied. ``step`` 0 is the conversation before the first model
    call: a str edit replaces the prompt there. After a later step a str edit is the next user
    message, and a mapping replaces results of that step's tool calls."""
    if marks.base is None:
        raise RuntimeError("this run has not started its first model call: nothing to fork yet")
    if step == 0:
        forked = copy.deepcopy(messages[: marks.base])
        if isinstance(edit, str):
            if forked and forked[-1].get("role") == "user":
                forked[-1] = {"role": "user", "content": edit}
            else:  # a fork's own start may end with tool results: the prompt comes after them
                forked.append({"role": "user", "content": edit})
        elif edit is not None:
            raise ValueError("step 0 has no tool calls: give a prompt (a str) or None")
        return forked
    mark = marks.steps.get(step)
    if mark is None or not mark.finished:
        done = sorted(n for n, m in marks.steps.items() if m.finished)
        raise RuntimeError(
            f"model step {step} has not finished: finished steps are {done or 'none'} "
            "(0: before the first model call)"
        )
    forked = copy.deepcopy(messages[: mark.after_tools or mark.after_model])
    if isinstance(edit, str):
        forked.append({"role": "user", "content": edit})
    elif isinstance(edit, Mapping):
        if not mark.calls:
            raise ValueError(f"model step {step} called no tools: there is no result to edit")
        for key, value in edit.items():
            call_id = _call_id(mark, step, key)
            for message in forked[mark.after_model :]:
                if message.get("role") == "tool" and message.get("tool_call_id") == call_id:
                    message["content"] = _content(value)
    elif edit is None and not mark.calls:
        raise ValueError(
            f"model step {step} is the run's answer: the model would only answer again; "
            "give a prompt to continue with (edit='...')"
        )
    elif edit is not None:
        raise TypeError(f"edit must be a str, a mapping or None, got {type(edit).__name__}")
    return forked


def _call_id(mark: StepMark, step: int, key: str | int) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        if 0 <= key < len(mark.calls):
            return mark.calls[key]
    elif key in mark.calls:
        return key
    raise ValueError(f"model step {step} has no tool call {key!r}: its calls are {mark.calls}")


def _content(value: Any) -> str:
    """An edited result as the model reads it: a str as it is, anything else as JSON (as
    ``ToolOutcome.content_for_model`` sends a tool's result)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=repr)


def fork_title(messages: list[Message], marks: StepMarks, step: int, edit: Edit) -> str:
    """The fork's heading: ``fork after step 1 — edited: get_weather → 22°C`` (``edit`` is one
    ``fork_messages`` accepted)."""
    where = "fork of the prompt" if step == 0 else f"fork after step {step}"
    if isinstance(edit, str):
        return f"{where} — {'prompt' if step == 0 else 'asked'}: {_short(edit)}"
    if isinstance(edit, Mapping) and edit:
        names = _call_names(messages)
        mark = marks.steps[step]
        shown = [
            f"{names.get(_call_id(mark, step, k), str(k))} → {_short(_content(v))}"
            for k, v in edit.items()
        ]
        return f"{where} — edited: {'; '.join(shown)}"
    return where


def _call_names(messages: list[Message]) -> dict[str, str]:
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name"))
    return names


def _short(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def shows_forks(run: Any) -> bool:
    """Whether the run's widget shows forks beside it: a widget of its own (not a lane or a
    chat turn, whose widget shows several runs), in a notebook."""
    widget = getattr(run, "widget", None)
    return widget is not None and widget.has_trait("forks")


def show_beside(original: Any, fork: Any) -> bool:
    """List the fork's widget in the original's ``forks`` trait (the original's view shows it
    as a lane); False when the original's widget shows no forks (``shows_forks``)."""
    own = getattr(fork, "widget", None)
    if own is None or not shows_forks(original):
        return False
    original.widget.forks = [*original.widget.forks, own]
    return True
