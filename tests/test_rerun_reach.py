"""Where nbagent reaches no tools, the run says why (``run.no_rerun``, the widget's ``can_rerun``,
``rerun_tool``'s error), with no framework in sight: a stream, a replay, a watch block, a
source nbagent cannot look into; and a paused call takes only the answers its producer offers.
The frameworks' own runs: ``tests/frameworks/test_rerun_*.py``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nbagent
from nbagent.apps.watch import BLOCK
from nbagent.core.events import ToolCallEnd, ToolCallStart, ToolResult
from nbagent.frameworks.rerun import RECORDING, STREAM, attach
from nbagent.runtime.answers import answer_call
from nbagent.runtime.pause import Answer, PauseRequest, Pauses
from tests.recording import RecordingComm
from tests.wait import PATIENCE, wait_for

CALL = [
    ToolCallStart(tool_call_id="c1", name="get_weather"),
    ToolCallEnd(tool_call_id="c1", arguments='{"city": "Oslo"}'),
    ToolResult(tool_call_id="c1", content="sunny"),
]


def says(run: nbagent.Run, why: str) -> None:
    assert (run.reruns, run.no_rerun) == (None, why)
    with pytest.raises(RuntimeError) as refused:
        run.rerun_tool(0)
    assert str(refused.value) == f"Re-run: nbagent cannot reach this tool ({why})"


def test_a_stream_of_events_cannot_reach_its_tools(comms: list[RecordingComm]) -> None:
    run = nbagent.show(iter(CALL))
    run.wait(PATIENCE)
    says(run, STREAM)
    shown = nbagent.Run(iter(CALL), display=True)  # its widget: what the panels read
    attach(shown, shown.source)
    assert shown.widget is not None
    assert shown.widget.can_rerun == STREAM


def test_a_replay_says_it_is_one(tmp_path: Path) -> None:
    run = nbagent.show(iter(CALL))
    run.wait(PATIENCE)
    replayed = nbagent.replay(run.save(tmp_path / "run.jsonl"), speed=0)
    replayed.wait(PATIENCE)
    says(replayed, RECORDING)
    assert replayed.transcript.tool_calls[0].no_rerun is None  # the run's reason, not the call's


def test_a_watch_block_says_how_to_reach_an_agents_tools() -> None:
    with nbagent.watch() as run:
        pass
    assert (run.reruns, run.no_rerun) == (None, BLOCK)


class Pending:
    """A source nbagent cannot look into: its ``result`` fails until the stream has ended."""

    @property
    def result(self) -> Any:
        raise RuntimeError("the stream has not ended")

    def __iter__(self) -> Iterator[Any]:
        return iter(CALL)


def test_a_source_that_fails_to_be_looked_into_still_shows() -> None:
    run = nbagent.show(Pending())
    run.wait(PATIENCE)
    assert run.transcript.tool_calls[0].result == "sunny"
    says(run, STREAM)


def test_a_paused_call_takes_only_the_answers_offered() -> None:
    """A framework's approval takes no mock (pydantic-ai's): refused, the call stays paused
    until an answer it takes comes."""
    pauses = Pauses()
    request = PauseRequest("c1", "delete", {"path": "a.txt"}, actions=("run", "edit", "deny"))
    answers: list[Answer] = []
    producer = threading.Thread(target=lambda: answers.append(pauses.wait_before_tool(request, 30)))
    producer.start()
    wait_for(lambda: pauses.pending, what="the call to pause")
    with pytest.raises(ValueError, match="delete cannot be answered 'mock' here"):
        answer_call(pauses, 0, "mock", result="12 bytes")
    assert [p.tool_call_id for p in pauses.pending] == ["c1"]
    answer_call(pauses, 0, "deny", reason="no")
    producer.join(30)
    assert answers == [Answer("deny", reason="no")]
