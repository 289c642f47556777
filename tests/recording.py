"""What a widget sends to the browser, recorded without a kernel.

``record_comms(monkeypatch)`` makes every widget open a ``RecordingComm`` (the ``comms``
fixture of ``tests/conftest.py`` does it for a test); ``ours`` picks the nbagent widget's,
``customs`` its custom messages (ops, snapshot replies), ``snapshots`` its ``snapshot`` trait
updates, ``browser_state`` what a browser that got every message would hold, and
``page_messages`` those messages with when each was sent (the bare page in Chromium plays them:
tests/browser/replays.py).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from comm.base_comm import BaseComm

from nbagent.runtime.run import Run
from nbagent.transcript.media import saved_state
from nbagent.transcript.transcript import apply_op
from nbagent.widget.lane_state import LANE_START
from nbagent.widget.output import TRANSCRIPT_MIME
from nbagent.widget.wire import decode_lanes, decode_ops
from tests.wait import PATIENCE

__all__ = [
    "RecordingComm",
    "browser_state",
    "customs",
    "endless",
    "gated",
    "ops_messages",
    "ours",
    "outputs",
    "page_messages",
    "record_comms",
    "saved_lanes",
    "snapshots",
    "start",
]


class RecordingComm(BaseComm):  # type: ignore[misc]
    """Keeps every message a widget publishes, in order; raises for one a kernel could not
    send (not strict JSON, not UTF-8), as the kernel's session does, and for one with binary
    buffers: VS Code's and Colab's widget managers take JSON messages only (README,
    "Where it runs")."""

    log: list[tuple[str, dict[str, Any]]]
    times: list[float]
    """When each message of ``log`` was published (``time.time()``, the kernel's clock)."""

    def __init__(self, **kwargs: Any) -> None:
        self.log = []
        self.times = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **kwargs: Any,
    ) -> None:
        # What jupyter_client's packer takes without its lenient (deprecated) fallback.
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if buffers:
            raise AssertionError(f"a {msg_type} with {len(buffers)} binary buffers")
        self.log.append((msg_type, data or {}))
        self.times.append(time.time())


def record_comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    """Every comm a widget opens from now on is a ``RecordingComm``, listed in the result."""
    made: list[RecordingComm] = []

    def create_comm(*args: Any, **kwargs: Any) -> RecordingComm:
        c = RecordingComm(*args, **kwargs)
        made.append(c)
        return c

    monkeypatch.setattr("ipywidgets.comm.create_comm", create_comm)
    return made


def ours(comms: list[RecordingComm]) -> RecordingComm:
    """The nbagent widget's comm (a DOMWidget also opens one for its layout)."""
    (c,) = [c for c in comms if "store_key" in c.log[0][1].get("state", {})]
    return c


def saved_lanes(comms: list[RecordingComm]) -> dict[str, Any]:
    """A lanes widget's saved state as the browser (or a saved notebook) has it: lane n in the
    widget model's key ``lane{n}`` as last sent; ``{"seq": the latest, "lanes": [{"meta",
    "state"}, ...]}``."""
    keyed: dict[int, dict[str, Any]] = {}
    for kind, data in ours(comms).log:
        state = data.get("state", {}) if kind in ("comm_open", "comm_msg") else {}
        for key, lane in state.items():
            if key.startswith("lane") and key[4:].isdigit():
                keyed[int(key[4:])] = lane
    lanes = [keyed[n] for n in range(len(keyed))]
    return {
        "seq": max((lane["seq"] for lane in lanes), default=0),
        "lanes": [{"meta": lane["meta"], "state": lane["state"]} for lane in lanes],
    }


def customs(c: RecordingComm) -> list[dict[str, Any]]:
    return [d["content"] for t, d in c.log if t == "comm_msg" and d.get("method") == "custom"]


def snapshots(c: RecordingComm) -> list[dict[str, Any]]:
    return [
        d["state"]["snapshot"]
        for t, d in c.log
        if t == "comm_msg" and d.get("method") == "update" and "snapshot" in d.get("state", {})
    ]


def replayed(opening: dict[str, Any], messages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The state a page holds once it took ``messages`` (a run widget's custom messages) from
    ``opening``: each ops message applied, a snapshot message replacing the state (``opening``
    is left as it was)."""
    state = copy.deepcopy(opening)
    for m in messages:
        if m.get("type") == "snapshot" and "state" in m:
            state = copy.deepcopy(m["state"])
        elif "ops" in m:
            for op in decode_ops(m):
                apply_op(state, op)
    return state


def page_messages(c: RecordingComm) -> list[tuple[float, dict[str, Any]]]:
    """What a page showing the widget receives after its opening state, in order, each with the
    time it was sent: a custom message as sent, a trait update as ``{"trait": name, "value":
    value}`` (the form the bare page's ``nba.push`` takes)."""
    out: list[tuple[float, dict[str, Any]]] = []
    for at, (kind, data) in zip(c.times[1:], c.log[1:], strict=True):
        if kind != "comm_msg":
            continue
        if data.get("method") == "custom":
            out.append((at, data["content"]))
        elif data.get("method") == "update":
            out += [(at, {"trait": k, "value": v}) for k, v in data["state"].items()]
    return out


def browser_state(c: RecordingComm) -> dict[str, Any]:
    """The state a browser builds from the opening snapshot and every message sent."""
    return replayed(c.log[0][1]["state"]["snapshot"]["state"], customs(c))


def start(source: Any, **kwargs: Any) -> Run:
    """A Run with a widget (recorded when ``record_comms`` is on), started outside a kernel."""
    run = Run(source, display=True, **kwargs)
    run.start()
    return run


def ops_messages(c: RecordingComm) -> list[dict[str, Any]]:
    return [m for m in customs(c) if m.get("type", "ops") == "ops"]


def outputs(c: RecordingComm) -> list[dict[str, Any]]:
    """The output data a browser writes into the cell output from each of the kernel's
    answers to ``output``, as ``js/src/store/offer.js`` assembles it: the answer's head, each run's
    static part (sent now, or in an earlier answer) and the states it built from the ops."""
    opened = c.log[0][1]["state"]
    states: list[dict[str, Any]] = []
    if "snapshot" in opened:
        states.append(copy.deepcopy(opened["snapshot"]["state"]))
    held: dict[int, dict[str, Any]] = {}
    out = []
    for m in customs(c):
        kind = m.get("type")
        if kind == "output":
            held.update({run: part for run, _version, part in m["parts"]})
            head, parts = m["head"], [held[run] for run in range(len(states))]
            payload = {k: head[k] for k in ("version", "layout", "model_id", "title")}
            payload["runs"] = [
                {
                    "title": p["title"],
                    "prompt": p["prompt"],
                    "state": copy.deepcopy(saved_state(state)),
                }
                for p, state in zip(parts, states, strict=True)
            ]
            out.append(
                {
                    TRANSCRIPT_MIME: payload,
                    "text/html": head["html"] + "\n".join(p["html"] for p in parts),
                    "text/plain": head["text"] + "\n\n".join(p["text"] for p in parts),
                }
            )
        elif kind == "snapshot":
            loaded = [lane["state"] for lane in m["lanes"]] if "lanes" in m else [m["state"]]
            states[:] = copy.deepcopy(loaded)
        elif "lanes" in m:
            for index, _meta in m.get("meta", []):
                if index == len(states):
                    states.append({**LANE_START, "blocks": []})
            for index, ops in decode_lanes(m):
                for op in ops:
                    apply_op(states[index], op)
        elif "ops" in m:
            for op in decode_ops(m):
                apply_op(states[0], op)
    return out


# -- sources the widget tests stream --------------------------------------------------


def gated(release: threading.Event, *parts: str) -> Iterator[str]:
    """``parts[0]``, then waits for ``release`` (``PATIENCE`` at most), then the other parts."""
    first, *rest = parts
    yield first
    release.wait(PATIENCE)
    yield from rest


def endless(closed: threading.Event) -> Iterator[str]:
    """Dots every 5 ms until closed; sets ``closed`` when it is."""
    try:
        while True:
            yield "."
            time.sleep(0.005)
    finally:
        closed.set()
