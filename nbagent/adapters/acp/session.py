"""What the session is set to, shown quietly on the run's status line: ACP's mode, config,
command and session-info updates → ``State(op="activity_snapshot", activity_type="session")``
events, each with the fields it changes, which the transcript merges into the run's
``session`` (``nbagent/transcript/fold/run.py``):

- ``title``: the session's title (``session_info_update``; None when the agent clears it);
- ``mode``: the current mode's name (``current_mode_update`` names its id: the name the
  client said it has, else the id);
- ``config``: ``[{"name", "value"}]``, each option's name and its current value's name
  (``config_option_update``);
- ``commands``: the slash commands' names (``available_commands_update``);
- ``cost``: ``{"amount", "currency"}``, the session's cost so far when ``usage_update`` says
  it in a currency other than USD (a USD cost is the run's ``cost_usd``; the two are never
  added up).

nbagent's client says all four at the start of each turn (an ``_nbagent/session`` item, with
the modes' ids and names in ``modes``), so a run shows the session it ran in even when the
agent sends no update during it. The raw updates stay in the run's events as ``Custom``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from nbagent.adapters.base import str_or_none
from nbagent.core.events import State

__all__ = ["SessionInfo", "session_cost"]


def _snapshot(value: dict[str, Any]) -> State:
    return State(
        op="activity_snapshot", activity_type="session", message_id="acp:session", value=value
    )


def session_cost(cost: Any) -> State | None:
    """A ``usage_update``'s ``cost`` in a currency other than USD as the session's ``cost``;
    None for USD, or a cost without a finite amount and a currency code."""
    if not isinstance(cost, Mapping):
        return None
    amount, currency = cost.get("amount"), str_or_none(cost.get("currency"))
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    if not math.isfinite(amount) or currency is None or currency == "USD":
        return None
    return _snapshot({"cost": {"amount": amount, "currency": currency[:16]}})


def _names(items: Any, key: str) -> list[str]:
    items = items if isinstance(items, Sequence) and not isinstance(items, str) else []
    return [n for i in items if isinstance(i, Mapping) and (n := str_or_none(i.get(key)))]


def _config(options: Any) -> list[dict[str, str]]:
    """Each option's name and its current value: a select's by the name of the choice it
    holds (groups of choices too), a boolean's "on" or "off"."""
    out = []
    for option in options if isinstance(options, Sequence) else []:
        if not isinstance(option, Mapping):
            continue
        name = str_or_none(option.get("name")) or str_or_none(option.get("id"))
        value = option.get("currentValue")
        if name is None or value is None:
            continue
        if isinstance(value, bool):
            out.append({"name": name, "value": "on" if value else "off"})
            continue
        choices = []
        for entry in option.get("options") or []:
            if isinstance(entry, Mapping):
                group = entry.get("options")
                choices += list(group) if isinstance(group, list) else [entry]
        shown = next(
            (c.get("name") for c in choices if isinstance(c, Mapping) and c.get("value") == value),
            None,
        )
        out.append({"name": name, "value": str(shown or value)})
    return out


class SessionInfo:
    """One turn's session updates → snapshots (it keeps the modes' names the client said)."""

    def __init__(self) -> None:
        self._modes: dict[str, str] = {}

    def said(self, update: Mapping[str, Any]) -> State:
        """The client's ``_nbagent/session`` item: the whole session as the turn starts."""
        modes = update.get("modes")
        for m in modes if isinstance(modes, list) else []:
            if isinstance(m, Mapping) and str_or_none(m.get("id")):
                self._modes[str(m["id"])] = str_or_none(m.get("name")) or str(m["id"])
        value: dict[str, Any] = {"title": str_or_none(update.get("title"))}
        value["mode"] = self._mode(update.get("currentModeId"))
        value["config"] = _config(update.get("configOptions"))
        value["commands"] = _names(update.get("availableCommands"), "name")
        return _snapshot(value)

    def snapshot(self, kind: str, update: Mapping[str, Any]) -> State | None:
        """The snapshot of the agent's update of ``kind``; None for one that changes nothing
        shown."""
        if kind == "current_mode_update":
            return _snapshot({"mode": self._mode(update.get("currentModeId"))})
        if kind == "session_info_update":
            if "title" not in update:
                return None
            return _snapshot({"title": str_or_none(update.get("title"))})
        if kind == "config_option_update":
            return _snapshot({"config": _config(update.get("configOptions"))})
        if kind == "available_commands_update":
            return _snapshot({"commands": _names(update.get("availableCommands"), "name")})
        return None

    def _mode(self, mode_id: Any) -> str | None:
        mode = str_or_none(mode_id)
        return self._modes.get(mode, mode) if mode is not None else None
