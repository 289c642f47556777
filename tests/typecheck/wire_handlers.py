"""What mypy --strict must refuse of the comm messages' handlers (the Makefile's ``typecheck``
checks this module; its ``warn_unused_ignores`` fails it when a line marked ``wrong`` is no
error any more): a handler of another widget's messages, a message of a kind or with a key
its TypedDict has not. The rest must type-check as it is."""

from __future__ import annotations

from nbagent.runtime.run import Run
from nbagent.widget.messages import (
    ChooseRequest,
    EvalRequest,
    ForkRequest,
    LanesRequest,
    PauseAnswer,
    RunRequest,
)
from nbagent.widget.widget import AgentWidget, LanesWidget


def run_page(content: RunRequest) -> None:
    if content["type"] == "pause_answer":
        print(content["id"], content.get("reason"))
        print(content["option"])  # type: ignore[typeddict-item]  # wrong: a choose's key


def lanes_page(content: LanesRequest) -> None:
    print(content.get("type"))


def board_page(content: EvalRequest) -> None:
    print(content.get("type"))


def register(run: AgentWidget, lanes: LanesWidget) -> None:
    run.add_handler(run_page)
    run.add_handler(lanes_page)  # a handler of more kinds takes a run's too
    lanes.add_handler(lanes_page)
    lanes.add_handler(run_page)  # type: ignore[arg-type]  # wrong: a chat prompt is no RunRequest
    run.add_handler(board_page)  # type: ignore[arg-type]  # wrong: an evaluation board's handler


def fork(content: ForkRequest) -> None:
    print(content.get("edit"))


def choose(content: ChooseRequest) -> None:
    print(content["option"])


def extend(run: Run) -> None:
    run.on_message("fork", fork)
    run.on_message("choose", choose)
    run.on_message("fork", choose)  # type: ignore[call-overload]  # wrong: a choose's handler
    run.on_message("forks", fork)  # type: ignore[call-overload]  # wrong: no such request


ANSWER: PauseAnswer = {"type": "pause_answer", "id": "c1", "action": "run"}
WRONG: PauseAnswer = {
    "type": "pause_answer",
    "id": "c1",
    "action": "approve",  # type: ignore[typeddict-item]  # wrong: no such action
}
