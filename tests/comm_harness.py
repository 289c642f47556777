"""A recording comm for widget tests without a kernel: every message a widget publishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from comm.base_comm import BaseComm


class RecordingComm(BaseComm):  # type: ignore[misc]
    """Keeps every message a widget publishes, in order."""

    log: list[tuple[str, dict[str, Any]]]

    def __init__(self, **kwargs: Any) -> None:
        self.log = []
        super().__init__(**kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        self.log.append((msg_type, data or {}))


def ours(comms: list[RecordingComm]) -> RecordingComm:
    """The nbagent widget's comm (a DOMWidget also opens one for its layout)."""
    (c,) = [c for c in comms if "snapshot" in c.log[0][1].get("state", {})]
    return c


def customs(c: RecordingComm) -> list[dict[str, Any]]:
    return [d["content"] for t, d in c.log if t == "comm_msg" and d.get("method") == "custom"]


def snapshots(c: RecordingComm) -> list[dict[str, Any]]:
    return [
        d["state"]["snapshot"]
        for t, d in c.log
        if t == "comm_msg" and d.get("method") == "update" and "snapshot" in d.get("state", {})
    ]


def ops_messages(c: RecordingComm) -> list[dict[str, Any]]:
    return [m for m in customs(c) if m.get("type", "ops") == "ops"]


def outputs(c: RecordingComm) -> list[dict[str, Any]]:
    """The output data the kernel asked the browser to write into the cell output."""
    return [m["data"] for m in customs(c) if m.get("type") == "output"]


# -- sources the widget tests stream --------------------------------------------------


def gated(release: threading.Event, *parts: str) -> Iterator[str]:
    """``parts[0]``, then waits for ``release`` (5 s at most), then the other parts."""
    first, *rest = parts
    yield first
    release.wait(5)
    yield from rest


def endless(closed: threading.Event) -> Iterator[str]:
    """Dots every 5 ms until closed; sets ``closed`` when it is."""
    try:
        while True:
            yield "."
            time.sleep(0.005)
    finally:
        closed.set()
