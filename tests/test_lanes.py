"""Lanes: several runs in one widget, against a recording comm (no kernel)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import nbagent
from nbagent.apps.lanes import Lanes
from nbagent.transcript.transcript import apply_op
from nbagent.widget.lane_state import LANE_START
from nbagent.widget.output import TRANSCRIPT_MIME, WIDGET_VIEW_MIME
from nbagent.widget.wire import compact_state, decode_lanes
from tests import aio
from tests.recording import RecordingComm, customs, endless, gated, ours, outputs, saved_lanes
from tests.wait import PATIENCE, wait_for


def words(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i} " for i in range(n)]


def held(parts: list[str], release: threading.Event) -> Iterator[str]:
    """``parts``, then the end once ``release`` is set."""
    yield from parts
    release.wait(PATIENCE)


def replay(opened: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each lane's state after applying the messages to the opened snapshot (as the browser)."""
    lanes = [copy.deepcopy(lane["state"]) for lane in opened["lanes"]]
    metas = [dict(lane["meta"]) for lane in opened["lanes"]]
    for m in messages:
        if "lanes" not in m:
            continue
        for index, meta in m.get("meta", []):
            if index == len(lanes):
                lanes.append({**LANE_START, "blocks": []})
                metas.append({})
            metas[index].update(meta)
        for index, ops in decode_lanes(m):
            for op in ops:
                apply_op(lanes[index], op)
    return lanes


def test_two_lanes_share_their_messages(comms: list[RecordingComm]) -> None:
    """The lanes' ops go out together; one message per interval is test_controller's (on a
    fake clock). An hour's interval: no timed flush comes during the test, so what each
    message carries is set by the order the gates impose, not by the machine's speed."""
    a_ends, b_ends = threading.Event(), threading.Event()
    lanes = Lanes(display=True, title="A vs B", throttle_ms=3_600_000)
    a = lanes.add(held(words("a", 400), a_ends), name="A")
    b = lanes.add(held(words("b", 400), b_ends), name="B")
    wait_for(lambda: a.transcript.text.endswith("a399 "), what="lane A's words")
    wait_for(lambda: b.transcript.text.endswith("b399 "), what="lane B's words")
    a_ends.set()  # A's end goes out at once, with B's words pending since
    b_ends.set()
    result = lanes.wait(PATIENCE)
    assert result["A"].text == "".join(f"a{i} " for i in range(400))
    assert result["B"].text == "".join(f"b{i} " for i in range(400))
    assert lanes["A"] is a
    assert lanes[1] is b
    c = ours(comms)
    messages = [m for m in customs(c) if "lanes" in m]
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    # 800 deltas in a few messages (those of each lane's opening, start and end; ~6), some
    # carrying both lanes.
    assert len(messages) <= 10, len(messages)
    assert any(len(m["lanes"]) == 2 for m in messages)
    # Each lane's metadata goes out before its first ops.
    first_meta = {
        i: min(k for k, m in enumerate(messages) for j, _ in m.get("meta", []) if j == i)
        for i in (0, 1)
    }
    first_ops = {
        i: min(k for k, m in enumerate(messages) for j, *_ in m["lanes"] if j == i) for i in (0, 1)
    }
    assert all(first_meta[i] <= first_ops[i] for i in (0, 1))
    # A lane's opening says only what differs from the state the page starts it from
    # (LANE_START: version 1, running, no deltas, no generating time yet): its clock.
    for i in (0, 1):
        (entry,) = [e for e in messages[first_meta[i]]["lanes"] if e[0] == i]
        assert [[code, sorted(fields)] for code, fields in entry[1]] == [["r", ["started_at"]]]
        assert len(entry) == 2  # no delta counter
    final = saved_lanes(comms)
    assert [lane["meta"]["title"] for lane in final["lanes"]] == ["A", "B"]
    assert final["seq"] == messages[-1]["seq"]
    opened = {"lanes": []}
    states = replay(opened, messages)
    # What the page applied is what was saved, empty fields aside (the saved state leaves
    # them out: readers default them).
    assert [compact_state(s) for s in states] == [lane["state"] for lane in final["lanes"]]
    assert [lane["state"] for lane in final["lanes"]] == [
        compact_state(a.transcript.to_dict()),
        compact_state(b.transcript.to_dict()),
    ]


def test_sync_sends_every_lane_at_the_current_seq(comms: list[RecordingComm]) -> None:
    release = threading.Event()

    lanes = Lanes(display=True)
    lanes.add(iter(["done"]), name="quick")
    lanes.add(gated(release, "before ", "after"), name="slow")
    lanes["quick"].wait(PATIENCE)
    wait_for(lambda: lanes["slow"].transcript.text == "before ", what="the slow lane streaming")
    assert lanes.widget is not None
    lanes.widget._dispatch(lanes.widget, {"type": "sync"}, [])
    (reply,) = [m for m in customs(ours(comms)) if m.get("type") == "snapshot"]
    assert reply["seq"] == max(m["seq"] for m in customs(ours(comms)) if "lanes" in m)
    assert [lane["state"]["status"] for lane in reply["lanes"]] == ["completed", "running"]
    assert reply["lanes"][1]["state"]["blocks"][0]["text"] == "before "
    release.set()
    assert lanes.wait(PATIENCE)["slow"].text == "before after"


def test_stop_one_lane_the_other_goes_on(comms: list[RecordingComm]) -> None:
    closed, release = threading.Event(), threading.Event()

    lanes = Lanes(display=True)
    lanes.add(endless(closed), name="endless")
    lanes.add(held(words("w", 50), release), name="finite")
    # Streaming: a source stopped before it ever started has no cleanup to run.
    wait_for(lambda: lanes["endless"].transcript.text, what="the endless lane streaming")
    assert lanes.widget is not None
    lanes.widget._dispatch(lanes.widget, {"type": "stop", "lane": 0}, [])
    assert lanes["endless"].status == "cancelled"
    assert lanes["finite"].status == "running"  # held: it goes on after the stop
    assert closed.wait(PATIENCE)
    release.set()
    result = lanes.wait(PATIENCE)
    assert result["finite"].status == "completed"
    assert result["finite"].text == "".join(f"w{i} " for i in range(50))
    # A stop for a lane that does not exist, or with a non-integer lane, does nothing.
    lanes.widget._dispatch(lanes.widget, {"type": "stop", "lane": 7}, [])
    lanes.widget._dispatch(lanes.widget, {"type": "stop", "lane": True}, [])
    final = saved_lanes(comms)
    assert [lane["state"]["status"] for lane in final["lanes"]] == ["cancelled", "completed"]


def test_a_failing_lane_ends_in_error_and_keeps_what_arrived(comms: list[RecordingComm]) -> None:
    def broken() -> Iterator[str]:
        yield "partial "
        raise ConnectionError("upstream went away")

    lanes = Lanes(display=True)
    lanes.add(broken(), name="broken")
    lanes.add(iter(["fine"]), name="fine")
    result = lanes.wait(PATIENCE)
    assert result["broken"].status == "error"
    assert result["broken"].text == "partial "
    assert "upstream went away" in result["broken"].error["message"]
    assert result["fine"].status == "completed"
    assert saved_lanes(comms)["lanes"][0]["state"]["status"] == "error"


def test_show_with_a_mapping_outside_a_notebook_prints_each_lane(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lanes = nbagent.show({"left": iter(["Left ", "answer"]), "right": iter(["Right answer"])})
    assert isinstance(lanes, Lanes)
    assert lanes.widget is None
    result = lanes.wait(PATIENCE)
    assert result["left"].text == "Left answer"
    out = capsys.readouterr().out
    assert "── left ──" in out
    assert "Left answer" in out
    assert "── right ──" in out
    assert "Right answer" in out


def test_await_lanes_returns_every_transcript() -> None:
    async def agen(text: str) -> Any:
        for word in text.split():
            yield word + " "

    async def main() -> dict[str, nbagent.Transcript]:
        # Started inside a loop: each lane is a task on it.
        lanes = Lanes(display=False)
        lanes.add(agen("one two"), name="x")
        lanes.add(agen("three"), name="y")
        return await lanes

    result = aio.run(main())
    assert {k: t.text for k, t in result.items()} == {"x": "one two ", "y": "three "}


def test_show_rejects_an_empty_mapping() -> None:
    with pytest.raises(ValueError, match="empty mapping"):
        nbagent.show({})


def test_compare_needs_agents_and_a_prompt() -> None:
    with pytest.raises(TypeError, match="last argument is the prompt"):
        nbagent.compare(object(), object())
    with pytest.raises(TypeError, match=r"nbagent\.Agent"):
        nbagent.compare(object(), "hi")


def test_output_is_sent_when_asked_once_every_lane_has_ended(comms: list[RecordingComm]) -> None:
    release = threading.Event()

    lanes = Lanes(display=True, title="Both")
    lanes.add(iter(["quick"]), name="quick")
    lanes.add(gated(release, "slow ", "end"), name="slow")
    lanes["quick"].wait(PATIENCE)
    assert lanes.widget is not None
    lanes.widget._dispatch(lanes.widget, {"type": "output"}, [])
    assert outputs(ours(comms)) == []  # a lane still streams: nothing yet
    release.set()
    lanes.wait(PATIENCE)
    lanes.widget._dispatch(lanes.widget, {"type": "output"}, [])
    (data,) = outputs(ours(comms))
    payload = data[TRANSCRIPT_MIME]
    assert payload["layout"] == "lanes"
    assert payload["title"] == "Both"
    assert [(r["title"], r["state"]["status"]) for r in payload["runs"]] == [
        ("quick", "completed"),
        ("slow", "completed"),
    ]
    assert WIDGET_VIEW_MIME not in data
    assert "slow end" in data["text/plain"]
    assert "quick" in data["text/html"]
    reply = next(m for m in customs(ours(comms)) if m.get("type") == "output")
    assert reply["seq"] == max(m["seq"] for m in customs(ours(comms)) if "lanes" in m)


def test_a_lane_writes_its_own_state_only(comms: list[RecordingComm]) -> None:
    """Each lane's saved state is a key of the widget's model (``lane{n}``): a lane's opening
    and its end send that lane's key only, not every lane's again, and no model of its own."""
    release = threading.Event()

    lanes = Lanes(display=True)
    lanes.add(iter(["quick"]), name="quick")
    lanes.add(gated(release, "slow ", "end"), name="slow")
    lanes["quick"].wait(PATIENCE)
    release.set()
    lanes.wait(PATIENCE)
    widget = ours(comms)
    assert comms == [widget]  # no comm opened per lane
    sent = [data["state"] for kind, data in widget.log if kind == "comm_msg" and "state" in data]
    assert sorted(list(state) for state in sent) == [["lane0"]] * 2 + [["lane1"]] * 2
    opened = next(state["lane1"] for state in sent if "lane1" in state)
    assert opened["state"]["status"] == "running"
    for n, text in enumerate(["quick", "slow end"]):
        *_, final = [state[f"lane{n}"] for state in sent if f"lane{n}" in state]
        assert final["state"]["blocks"][0]["text"] == text
    saved = lanes["slow"].transcript.to_dict()
    assert saved_lanes(comms)["lanes"][1]["state"] == compact_state(saved)
    # What a page that opens the model later gets: every lane in its keys.
    assert lanes.widget is not None
    state = lanes.widget.get_state()
    assert [state[f"lane{n}"]["state"]["status"] for n in range(2)] == ["completed"] * 2
    assert "lane2" not in state


def test_output_sends_the_static_parts_the_browser_lacks(comms: list[RecordingComm]) -> None:
    lanes = Lanes(display=True, layout="chat")
    lanes.add(iter(["one"]), prompt="first")
    lanes.wait(PATIENCE)
    assert lanes.widget is not None
    lanes.widget._dispatch(lanes.widget, {"type": "output"}, [])
    lanes.add(iter(["two"]), prompt="second")
    lanes.wait(PATIENCE)
    first = next(m for m in customs(ours(comms)) if m.get("type") == "output")
    ((lane, version, _part),) = first["parts"]
    lanes.widget._dispatch(lanes.widget, {"type": "output", "have": [[lane, version]]}, [])
    second = [m for m in customs(ours(comms)) if m.get("type") == "output"][1]
    assert [(k, p["prompt"]) for k, _v, p in second["parts"]] == [(1, "second")]
    # One <style> serves the output: the first lane's part has it, a later one does not.
    assert "<style>" in first["parts"][0][2]["html"]
    assert "<style>" not in second["parts"][0][2]["html"]
    # What the browser assembles from both answers is what the kernel would display.
    data = outputs(ours(comms))[1]
    # (empty fields aside: the lane opened without them, readers default them)
    assert data["text/html"].count("<style>") == 1
    shown = data[TRANSCRIPT_MIME]["runs"][1]["state"]
    assert compact_state(shown) == compact_state(lanes[1].transcript.to_dict())
    assert "> first\none" in data["text/plain"]
    assert "> second\ntwo" in data["text/plain"]
    # A malformed "have" is as good as none: every part again.
    lanes.widget._dispatch(lanes.widget, {"type": "output", "have": [[0, "x"], 5]}, [])
    third = [m for m in customs(ours(comms)) if m.get("type") == "output"][2]
    assert [k for k, _v, _p in third["parts"]] == [0, 1]
