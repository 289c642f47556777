"""What the kernel sends a page fits the TypedDicts of ``nbagent.widget.messages``: a field
added, dropped or renamed on one side only fails here (the JS side's names:
``js/test/wire_messages.test.js``)."""

from __future__ import annotations

import typing
from typing import Any

import nbagent
from nbagent.apps.lanes import Lanes
from nbagent.widget import messages
from nbagent.widget.wire import compact_state
from tests.recording import RecordingComm, customs, ours, start
from tests.wait import PATIENCE


def _kind(td: type) -> tuple[str, ...]:
    """The ``type`` values a TypedDict allows (none for the ops messages, which have none)."""
    hint = typing.get_type_hints(td).get("type")
    return typing.get_args(hint) if hint is not None else ()


def _fits(message: dict[str, Any], td: Any) -> bool:
    keys = set(message)
    return td.__required_keys__ <= keys <= td.__required_keys__ | td.__optional_keys__


def _typed(message: dict[str, Any]) -> list[type]:
    """The kernel messages of the message's kind: by ``type``, or ops and lanes by their key."""
    kind = message.get("type")
    if kind is None:
        return [messages.OpsMessage if "ops" in message else messages.LanesMessage]
    return [td for td in messages.KERNEL_MESSAGES if kind in _kind(td)]


def _check(sent: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    for message in sent:
        candidates = _typed(message)
        assert candidates, f"a kernel message of no typed kind: {message!r}"
        fitting = [td for td in candidates if _fits(message, td)]
        assert fitting, f"{sorted(message)} fits none of {[c.__name__ for c in candidates]}"
        seen.update(td.__name__ for td in fitting)
    return seen


def test_a_run_sends_only_typed_messages(comms: list[RecordingComm]) -> None:
    run = start(iter([f"t{i} " for i in range(50)]))
    run.wait(PATIENCE)
    assert run.widget is not None
    run.widget._dispatch(run.widget, {"type": "sync"}, [])
    run.widget._dispatch(run.widget, {"type": "output"}, [])
    seen = _check(customs(ours(comms)))
    assert {"OpsMessage", "SnapshotMessage", "OutputMessage"} <= seen


def test_lanes_send_only_typed_messages(comms: list[RecordingComm]) -> None:
    lanes = Lanes(display=True)
    lanes.add(iter(["one ", "two"]), name="a")
    lanes.add(iter(["three"]), name="b")
    lanes["a"].wait(PATIENCE)
    lanes["b"].wait(PATIENCE)
    assert lanes.widget is not None
    lanes.widget._dispatch(lanes.widget, {"type": "sync"}, [])
    lanes.widget._dispatch(lanes.widget, {"type": "output"}, [])
    lanes.notice("busy")
    seen = _check(customs(ours(comms)))
    assert {"LanesMessage", "SnapshotMessage", "OutputMessage", "Notice"} <= seen


def test_every_message_kind_is_listed_and_typed() -> None:
    for td in (*messages.KERNEL_MESSAGES, *messages.PAGE_MESSAGES):
        assert typing.is_typeddict(td), td
        assert typing.get_type_hints(td)  # every annotation resolves
    for td in messages.PAGE_MESSAGES:
        assert "type" in td.__required_keys__, td  # the page's messages all say their kind
    defined = {
        name
        for name, value in vars(messages).items()
        if not name.startswith("_")
        and typing.is_typeddict(value)
        and name not in ("SnapshotPayload", "EvalTable")  # parts of a message
    }
    listed = {td.__name__ for td in (*messages.KERNEL_MESSAGES, *messages.PAGE_MESSAGES)}
    assert defined == listed


def test_a_compact_state_reads_back_whole() -> None:
    """A state saved without its empty fields (``compact_state``: a lane's, on the wire and in
    a saved notebook) is the same run to its readers: ``Transcript.from_dict`` defaults what is
    missing, and a state with its nulls (an older notebook's) reads the same."""
    events = [
        nbagent.TextDelta(message_id="m", delta="Hello"),
        nbagent.ToolCallStart(tool_call_id="c1", name="measure"),
        nbagent.ToolResult(tool_call_id="c1", content="42"),
    ]
    whole = nbagent.Transcript.from_events(events).to_dict()
    compact = compact_state(whole)
    assert None not in compact.values()
    assert {"usage", "error", "steps", "warnings"}.isdisjoint(compact)
    assert nbagent.Transcript.from_dict(compact).to_dict() == whole
    assert nbagent.Transcript.from_dict(whole).to_dict() == whole
