"""The compact wire form of ops messages; paired with ``js/src/base/wire.js``. Every
comm message, typed: ``nbagent.widget.messages``.

A comm message already costs ~90 bytes of envelope, so the ops inside are
encoded as short arrays to keep live traffic near the size of the text itself:

======================================================  =========================
op (``nbagent.transcript.transcript``)                             on the wire
======================================================  =========================
``{"op": "append", "i": 3, "key": "text", "text": s}``  ``["t", 3, s]``
``{"op": "append", "i": 3, "key": "arguments", ...}``   ``["a", 3, s]``
``{"op": "append", "i": 3, "key": k, "text": s}``       ``["p", 3, k, s]``
``{"op": "add", "block": b}``                           ``["+", b]``
``{"op": "set", "i": 3, "set": d}``                     ``["=", 3, d]``
``{"op": "run", "set": d}``                             ``["r", d]``
======================================================  =========================

An ops message is ``{"seq": n, "ops": [...]}`` plus ``"d"`` (the delta counter,
lifted out of the run set it would otherwise need) and ``"now"`` (the kernel's
clock, sent now and then so the browser can run the elapsed timer).

A widget of several runs (lanes, chat turns) sends ``{"seq": n, "lanes": [[lane,
[...ops], d?], ...], "meta": [[lane, {...}], ...]?, "now"?, "clocks"?}``: ``meta`` (a lane's
title, prompt, ...) opens a lane or updates it and is applied before the ops; ``clocks``
(``[[lane, now], ...]``) the clock of each lane that has its own (a replay's), after ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.widget.messages import (
    LanesMessage,
    OpsMessage,
    OutputMessage,
    SnapshotMessage,
    SnapshotPayload,
)

Op = dict[str, Any]

_APPEND_CODES = {"text": "t", "arguments": "a"}
_APPEND_KEYS = {code: key for key, code in _APPEND_CODES.items()}


def encode_ops(seq: int, ops: list[Op], now: float | None = None) -> OpsMessage:
    """One ops message for the browser."""
    wire: list[list[Any]] = []
    message: OpsMessage = {"seq": seq, "ops": wire}
    for op in ops:
        kind = op["op"]
        if kind == "append":
            code = _APPEND_CODES.get(op["key"])
            if code is None:
                wire.append(["p", op["i"], op["key"], op["text"]])
            else:
                wire.append([code, op["i"], op["text"]])
        elif kind == "add":
            wire.append(["+", op["block"]])
        elif kind == "set":
            wire.append(["=", op["i"], op["set"]])
        elif kind == "run":
            changes = op["set"]
            if "deltas" in changes:
                changes = dict(changes)
                message["d"] = changes.pop("deltas")
            if changes:
                wire.append(["r", changes])
        else:
            raise ValueError(f"unknown op {kind!r}")
    if now is not None:
        message["now"] = round(now, 3)
    return message


def encode_lanes(
    seq: int,
    parts: list[tuple[int, list[Op]]],
    meta: dict[int, dict[str, Any]],
    now: float | None = None,
    clocks: Mapping[int, float] | None = None,
) -> LanesMessage:
    """One message of a widget of several runs: each lane's ops, new lane metadata, and the
    clocks of the lanes that have their own."""
    lanes: list[list[Any]] = []
    message: LanesMessage = {"seq": seq, "lanes": lanes}
    if meta:
        message["meta"] = [[lane, changes] for lane, changes in meta.items()]
    for lane, ops in parts:
        encoded = encode_ops(seq, ops)
        entry = [lane, encoded["ops"]]
        if "d" in encoded:
            entry.append(encoded["d"])
        lanes.append(entry)
    if now is not None:
        message["now"] = round(now, 3)
    if clocks:
        message["clocks"] = [[lane, round(t, 3)] for lane, t in clocks.items()]
    return message


def decode_lanes(message: Mapping[str, Any]) -> list[tuple[int, list[Op]]]:
    """The ops of each lane of a lanes message (its ``meta`` is read as it is)."""
    out: list[tuple[int, list[Op]]] = []
    for entry in message["lanes"]:
        part: dict[str, Any] = {"ops": entry[1]}
        if len(entry) > 2:
            part["d"] = entry[2]
        out.append((entry[0], decode_ops(part)))
    return out


def decode_ops(message: Mapping[str, Any]) -> list[Op]:
    """The ops of an ops message, in the form ``nbagent.transcript.transcript.apply_op`` takes."""
    ops: list[Op] = []
    for item in message["ops"]:
        code = item[0]
        if code in _APPEND_KEYS:
            ops.append({"op": "append", "i": item[1], "key": _APPEND_KEYS[code], "text": item[2]})
        elif code == "p":
            ops.append({"op": "append", "i": item[1], "key": item[2], "text": item[3]})
        elif code == "+":
            ops.append({"op": "add", "block": item[1]})
        elif code == "=":
            ops.append({"op": "set", "i": item[1], "set": item[2]})
        elif code == "r":
            ops.append({"op": "run", "set": item[1]})
        else:
            raise ValueError(f"unknown wire op {code!r}")
    if "d" in message:
        ops.append({"op": "run", "set": {"deltas": message["d"]}})
    return ops


def compact_state(state: dict[str, Any]) -> dict[str, Any]:
    """A run's state as it goes on the wire and into a saved widget state: without its empty
    fields (None, [], {}; usage's unknown counts), ``blocks`` always there. Readers default a
    missing one as empty, as in a run's first state (``{"blocks": []}``): the page
    (``js/src/store/store.js``, ``State``), ``Transcript.from_dict``, the exports."""
    out = {k: v for k, v in state.items() if k == "blocks" or v not in (None, [], {})}
    usage = {k: v for k, v in (out.get("usage") or {}).items() if v is not None}
    if usage:
        out["usage"] = usage
    else:
        out.pop("usage", None)
    return out


def snapshot_message(seq: int, now: float, payload: SnapshotPayload) -> SnapshotMessage:
    """The whole state, as the reply to the browser's ``sync``: ``payload`` is
    ``{"state": {...}}``, or ``{"lanes": [{"meta": {...}, "state": {...}}, ...]}``."""
    return {"type": "snapshot", "seq": seq, "now": round(now, 3), **payload}


def output_message(
    seq: int, head: dict[str, Any], parts: list[tuple[int, int, dict[str, Any]]]
) -> OutputMessage:
    """The reply to the browser's ``output``: what the widget's cell output should carry at
    ``seq``, less what the browser has. It has every run's state (its stores) and says which
    runs' static parts it holds (``have``); it assembles the data
    (``nbagent.widget.output.assemble``)
    from ``head`` (``Head.fields``) and each run's part, ``[run, version, {"title", "prompt",
    "html", "text"}]`` for the runs whose part it lacks, and writes it into the output."""
    return {"type": "output", "seq": seq, "head": head, "parts": [list(p) for p in parts]}
