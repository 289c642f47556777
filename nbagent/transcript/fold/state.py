"""The reducer's state and the helpers every part of it uses: ``FoldState`` (the fields of a
transcript and how a block is added or appended to), the constants of the state, and
``apply_op``, the reference implementation of the ops (the browser's store mirrors it).
"""

from __future__ import annotations

from typing import Any

import nbagent.core.events as E
from nbagent.core.textbuf import JOIN_EVERY
from nbagent.transcript.blocks import Block
from nbagent.transcript.usage import EMPTY_USAGE

__all__ = [
    "MAX_WARNINGS",
    "MERGED_RUN_FIELDS",
    "STATE_VERSION",
    "FoldState",
    "Op",
    "apply_op",
    "merged_run_set",
    "set_op",
    "step_entry",
]

STATE_VERSION = 1
_SWEEP_EVERY = 64 * JOIN_EVERY
MAX_WARNINGS = 100  # later recoverable errors are dropped (each warning op carries the list)
Op = dict[str, Any]


MERGED_RUN_FIELDS = ("apps",)
"""The run fields a run set adds to instead of replacing: the run's MCP apps, each sent once
(a run whose calls show k apps sends each app's HTML once, not the whole map k times)."""


def merged_run_set(state: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with each of ``MERGED_RUN_FIELDS`` added to ``state``'s."""
    for name in MERGED_RUN_FIELDS:
        old, new = state.get(name), changes.get(name)
        if isinstance(old, dict) and isinstance(new, dict):
            changes = changes | {name: old | new}
    return changes


def apply_op(state: dict[str, Any], op: dict[str, Any]) -> None:
    """Apply one op to a ``to_dict()``-shaped state, in place (the JS store mirrors this)."""
    kind = op["op"]
    if kind == "append":
        block = state["blocks"][op["i"]]
        block[op["key"]] = block[op["key"]] + op["text"]
        if "deltas" in op:
            state["deltas"] = op["deltas"]
    elif kind == "run":
        state.update(merged_run_set(state, op["set"]))
    elif kind == "add":
        state["blocks"].append(dict(op["block"]))
    elif kind == "set":
        state["blocks"][op["i"]].update(op["set"])
    else:
        raise ValueError(f"unknown op {kind!r}")


class FoldState:
    """The fields of a folded run, and adding and appending to its blocks."""

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.title: str | None = None
        self.model: str | None = None
        self.status = "running"
        self.end_reason: str | None = None
        self.error: dict[str, Any] | None = None
        self.started_at: float | None = None
        self._begun = False  # started_at is the run's creation's (begin): no RunStart yet
        self.first_token_at: float | None = None
        self.ended_at: float | None = None
        self.generating_s = 0.0
        """Seconds the model was producing, over the closed stretches (``numbers.py``)."""
        self.generating_since: float | None = None
        """When the open stretch of generation began; None while nothing streams."""
        self.paused_s = 0.0
        """Seconds the run was paused, over the pauses that ended (``numbers.py``: its clock
        stops while it is paused)."""
        self.paused_since: float | None = None
        """When the run paused (a call waiting for an answer, a step replay between steps);
        None while it is not paused."""
        self._paused_ever = False  # the run has paused: its state has paused_s, paused_since
        self._awaiting: set[str] = set()  # steps started whose first token has not come
        self._step_deltas0: dict[str, int] = {}  # the run's deltas when each step started
        self.deltas = 0
        self.activity: str | None = None
        self.plan: dict[str, Any] | None = None
        """The agent's plan, ``{"entries": [{"content", "priority", "status"}, ...]}``, with
        ``"plans"``, the plans with an id, while there are any (``plans.py``); in the state
        only once one came."""
        self.context: dict[str, Any] | None = None
        """The context window, ``{"used", "size"}`` tokens (``Usage.meta`` ``context_used``
        / ``context_size``); in the state only once a usage said it."""
        self.session: dict[str, Any] | None = None
        """The session an ACP agent's run is in, ``{"title", "mode", "config": [{"name",
        "value"}], "commands": [...]}``, shown quietly; in the state only once said."""
        self.apps: dict[str, Any] | None = None
        """The MCP apps the run's calls show, by ``ui://`` uri: ``{"html", "csp",
        "permissions", "prefers_border"}`` each (``Custom("mcp_app")``), a call naming its
        own in its ``meta.app``: each app's HTML once per run; in the state only once one came."""
        self.warnings: list[dict[str, Any]] = []
        self._usage: dict[str, Any] = dict(EMPTY_USAGE)
        self._raw_usage: dict[str, dict[str, Any]] = {}  # step id ("" outside steps) -> raw
        self._run_usage: dict[str, Any] | None = None  # from scope="run" usage
        self._cost_run: float | None = None  # a run-scope cost the source reported
        # Issue 19's cost: per usage bucket (as _raw_usage), what the source reported, the
        # (model, provider) it is priced by, and its cost (None: not priced); the price of a
        # run-scope usage when no step has one; whether the state has carried ``cost_usd``.
        self._provider: str | None = None
        self._cost_reported: dict[str, float] = {}
        self._cost_model: dict[str, tuple[str | None, str | None]] = {}
        self._cost_bucket: dict[str, float | None] = {}
        self._cost_run_usage: float | None = None
        self._cost_sent = False
        self._steps: list[dict[str, Any]] = []
        self._step_index: dict[str, int] = {}
        self._blocks: list[Block] = []
        self._text_index: dict[str, int] = {}
        self._think_index: dict[str, int] = {}
        self._user_index: dict[str, int] = {}
        self._tool_index: dict[str, int] = {}
        self._agent_index: dict[str, int] = {}
        self._note_index: dict[str, int] = {}
        self._media_index: dict[str, int] = {}
        self._activity_index: dict[str, int] = {}
        self._interrupt_index: dict[str, int] = {}
        self._parent: str | None = None  # the scope of the event being folded (Event.parent)
        self._think_started: dict[str, float] = {}
        self.whole = False  # a message arrived whole (MessageStart.whole): no token timing
        self._whole_ids: set[str] = set()  # the messages that did
        self._ended = False
        self.last_event: E.Event | None = None
        """The last event folded (an ended transcript folds none): the event log checks by
        it that a delta's text is the one at the end of its ``text_buffer``."""

    @property
    def cost_usd(self) -> float | None:
        """What the run cost in USD: the source's own figure for the run, else the sum of its
        steps' costs (``steps[k]["cost_usd"]``: reported, or priced by
        ``nbagent.transcript.prices``);
        None when unknown (a step with usage that has no price makes the run's unknown)."""
        if self._cost_run is not None:
            return self._cost_run
        if self._cost_bucket:
            costs = list(self._cost_bucket.values())
            return None if None in costs else sum(c for c in costs if c is not None)
        return self._cost_run_usage

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [dict(s) | {"usage": dict(s["usage"]) if s["usage"] else None} for s in self._steps]

    def _compact(self, i: int) -> None:
        """Every ``JOIN_EVERY``-th token: join its block's recent deltas. Blocks that take turns
        (two choices of one request) may never hold that token: every ``_SWEEP_EVERY``-th
        joins every text block's (other deltas go through ``TextBuffer.append``)."""
        self._blocks[i].buffer.compact()
        if not self.deltas % _SWEEP_EVERY:
            for j in self._text_index.values():
                self._blocks[j].buffer.compact()

    def _count(self, ts: float) -> Op:
        self.deltas += 1
        changes: dict[str, Any] = {"deltas": self.deltas}
        if self.first_token_at is None:
            self.first_token_at = changes["first_token_at"] = ts
        changes |= self._generating(ts)
        return {"op": "run", "set": changes}

    def _generating(self, ts: float) -> dict[str, Any]:
        """A delta at ``ts``: opens a stretch of generation, and marks the first token of the
        step it is in; returns the run fields that changed."""
        changes: dict[str, Any] = {}
        if self.generating_since is None:
            self.generating_since = changes["generating_since"] = ts
        if self._awaiting:
            for i in range(len(self._steps) - 1, -1, -1):
                step = self._steps[i]
                if step.get("parent") == self._parent and step["id"] in self._awaiting:
                    self._awaiting.discard(step["id"])
                    step["first_token_at"] = ts
                    changes["steps"] = self.steps
                    break
        return changes

    def _stop_generating(self, ts: float) -> list[Op]:
        """The model stopped producing at ``ts`` (a step's, a call's arguments' or the run's
        end): the open stretch is closed."""
        if self.generating_since is None:
            return []
        self.generating_s += max(0.0, ts - self.generating_since)
        self.generating_since = None
        return [{"op": "run", "set": {"generating_s": self.generating_s, "generating_since": None}}]

    def pause(self, ts: float) -> list[Op]:
        """The run paused at ``ts``: its clock stops (once; a pause already open stays)."""
        if self.paused_since is not None or self._ended:
            return []
        self.paused_since, self._paused_ever = ts, True
        return [{"op": "run", "set": {"paused_s": self.paused_s, "paused_since": ts}}]

    def resume(self, ts: float) -> list[Op]:
        """The run goes on at ``ts``: the pause's time is kept out of its clock."""
        if self.paused_since is None:
            return []
        self.paused_s += max(0.0, ts - self.paused_since)
        self.paused_since = None
        return [{"op": "run", "set": {"paused_s": self.paused_s, "paused_since": None}}]

    def _index(self, block: Block) -> dict[str, int]:
        kind = block.type
        if kind == "tool":
            return self._tool_index
        if kind == "agent":
            return self._agent_index
        if kind == "user":
            return self._user_index
        if kind == "note":
            return self._note_index
        if kind == "media":
            return self._media_index
        if kind in ("activity", "interrupt"):
            return self._activity_index if kind == "activity" else self._interrupt_index
        return self._text_index if kind == "text" else self._think_index

    def _add(self, block: Block, *more: Op) -> list[Op]:
        if block.parent is None and self._parent is not None and self._parent != block.id:
            block.parent = self._parent
        self._index(block)[block.id] = len(self._blocks)
        self._blocks.append(block)
        return [{"op": "add", "block": block.to_dict()}, *more]

    def _append(self, i: int, key: str, delta: str, ts: float) -> list[Op]:
        self._blocks[i].buffer.append(delta)
        if self.first_token_at is None or self.generating_since is None or self._awaiting:
            return [{"op": "append", "i": i, "key": key, "text": delta}, self._count(ts)]
        # One op per token: the append carries the run's new delta count.
        self.deltas += 1
        return [{"op": "append", "i": i, "key": key, "text": delta, "deltas": self.deltas}]


def step_entry(
    step_id: str,
    name: str,
    started_at: float | None,
    parent: str | None = None,
    step_type: str = "model",
) -> dict[str, Any]:
    """A step's entry in ``steps``: one model call (or tool round, node, sub-agent); with
    ``parent`` (the scope it ran in) only inside a sub-agent, with ``type`` (``StepStart``'s
    ``step_type``) only when it is not a model call. ``first_token_at``: its first
    delta; ``output_deltas``: the content deltas folded while it ran, set at its end and when
    its usage comes (``numbers.output_tokens``: the deltas its reported tokens cover)."""
    entry: dict[str, Any] = {
        "id": step_id,
        "name": name,
        "usage": None,
        "finish_reason": None,
        "started_at": started_at,
        "ended_at": None,
        "first_token_at": None,
        "output_deltas": None,
    }
    if parent is not None:
        entry["parent"] = parent
    if step_type != "model":
        entry["type"] = step_type
    return entry


def set_op(i: int, changes: dict[str, Any]) -> Op:
    return {"op": "set", "i": i, "set": changes}
