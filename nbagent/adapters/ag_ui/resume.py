"""Answering an AG-UI run that ended on interrupts. Read from a stream nbagent does not post (a
file, a recording, someone else's), the answers go back through the caller's code, as
``RunAgentInput.resume`` entries (when nbagent posts the run, ``nbagent.show(nbagent.sse(url,
json=run_agent_input))``, it asks them in the cell and posts them itself, checked the same
way: ``nbagent.frameworks.ag_ui``)::

    t = run.transcript                        # or a saved state: Transcript.to_dict()
    pending_interrupts(t)                     # [{"id", "reason", "message", ...}, ...]
    body["resume"] = resume_entries(t, {"i1": {"approved": True}})
    show(sse(url, json=body), format="ag-ui")  # the next run, which goes on from there

``resume_entries`` checks each answer against its interrupt's ``response_schema`` (the simple
cases: an object's required fields, a string, boolean, number, integer, enum or array) and
raises ``ValueError`` naming what does not fit; an answer after the interrupt's ``expires_at``
(ISO 8601; a value that is no date never expires, as AG-UI says) is refused the same way, so
it is never posted; an interrupt without an answer is ``cancelled``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = ["check_answer", "expired", "pending_interrupts", "resume_entries"]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _state(transcript: Any) -> dict[str, Any]:
    state = transcript.to_dict() if hasattr(transcript, "to_dict") else transcript
    if not isinstance(state, dict):
        raise TypeError("pass a Transcript, or its to_dict()")
    return state


def pending_interrupts(transcript: Any) -> list[dict[str, Any]]:
    """What an interrupted run waits for: its ``interrupt`` blocks, then the tool calls an
    AG-UI interrupt paused (``{"id", "tool_call_id", "reason", "message", ...}`` each)."""
    out: list[dict[str, Any]] = []
    for b in _state(transcript).get("blocks") or []:
        if not isinstance(b, dict):
            continue
        if b.get("type") == "interrupt":
            out.append({k: v for k, v in b.items() if k not in ("type", "parent")})
        pause = b.get("pause") if b.get("type") == "tool" else None
        if isinstance(pause, dict) and pause.get("origin") == "ag-ui" and pause.get("interrupt_id"):
            item = {"id": pause["interrupt_id"], "tool_call_id": b.get("id")}
            for key in ("reason", "message", "response_schema", "expires_at"):
                if pause.get(key) is not None:
                    item[key] = pause[key]
            out.append(item)
    return out


def _fits(schema: Any, value: Any, where: str) -> str | None:
    if not isinstance(schema, dict):
        return None
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        return f"{where} must be one of {enum}"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    known = [k for k in kinds if isinstance(k, str) and k in _TYPES]
    if known and not any(_is(k, value) for k in known):
        return f"{where} must be {' or '.join(known)}, not {type(value).__name__}"
    if isinstance(value, dict) and "object" in known:
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        for name in schema.get("required") or []:
            if isinstance(name, str) and name not in value:
                return f"{where} needs {name!r}"
        for name, sub in props.items():
            if name in value and (err := _simple(sub, value[name], f"{where}.{name}")):
                return err
    return None


def _simple(schema: Any, value: Any, where: str) -> str | None:
    """A property's check: its type and enum (nested objects are taken as they are)."""
    if isinstance(schema, dict) and schema.get("type") == "object":
        return None if isinstance(value, dict) else f"{where} must be object"
    return _fits(schema, value, where)


def _is(kind: str, value: Any) -> bool:
    if isinstance(value, bool) and kind in ("number", "integer"):
        return False
    return isinstance(value, _TYPES[kind])


def _when(value: Any) -> dt.datetime | None:
    """An ``expires_at`` as an aware datetime (no zone: UTC); None when it is no ISO 8601 date."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def expired(expires_at: Any, now: dt.datetime | None = None) -> str | None:
    """Why an answer given ``now`` (default: the clock) comes too late (one line), None while
    the interrupt can be answered (no ``expires_at``, or one that is no date)."""
    when = _when(expires_at)
    if when is None:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    if now < when:
        return None
    return f"it expired at {expires_at}: the agent no longer takes an answer"


def check_answer(
    schema: Any, payload: Any, *, expires_at: Any = None, now: dt.datetime | None = None
) -> str | None:
    """Why ``payload`` does not fit ``schema`` or comes after ``expires_at`` (one line), None
    when it does (or when the schema is more than the simple cases: the agent checks it)."""
    return expired(expires_at, now) or _fits(schema, payload, "the answer")


def resume_entries(
    transcript: Any,
    answers: Mapping[str, Any],
    *,
    cancel: bool = False,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The ``resume`` entries of the next ``RunAgentInput``: ``resolved`` with its payload for
    each interrupt ``answers`` names (by id), ``cancelled`` for the others (all of them with
    ``cancel=True``). ``ValueError``: an answer names no interrupt of the run, does not fit
    its ``response_schema``, or comes after its ``expires_at`` (``now``: default the clock)."""
    pending = pending_interrupts(transcript)
    ids = {str(i["id"]) for i in pending}
    unknown = sorted(str(k) for k in answers if k not in ids)
    if unknown:
        raise ValueError(f"no interrupt {unknown[0]!r} in this run (it waits for {sorted(ids)})")
    entries: list[dict[str, Any]] = []
    for item in pending:
        key = str(item["id"])
        if cancel or key not in answers:
            entries.append({"interruptId": key, "status": "cancelled"})
            continue
        error = check_answer(
            item.get("response_schema"), answers[key], expires_at=item.get("expires_at"), now=now
        )
        if error:
            raise ValueError(f"interrupt {key!r}: {error}")
        entries.append({"interruptId": key, "status": "resolved", "payload": answers[key]})
    return entries
