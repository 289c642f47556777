"""Each lane's saved state as a key of its lanes widget's own model (``SavedLanes``: ``lane0``,
``lane1``, ...): no model per lane to open, no pointer to the newest to move. A lane ended
writes its key only; a page that built it from the ops writes it itself, and the kernel keeps
its copy without sending it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LANE_START: dict[str, Any] = {"version": 1, "status": "running", "deltas": 0, "generating_s": 0.0}
"""A lane's state on the page before its opening's ops (``LANE_START`` of
js/src/store/lanes.js; with no blocks yet): a run's first state says only what differs."""

PREFIX = "lane"
"""A lane's key in the model: ``lane{index}`` (``js/src/store/lanes.js`` reads them in order)."""


def lane_key(index: int) -> str:
    return f"{PREFIX}{index}"


def _lane_index(key: str) -> int | None:
    digits = key[len(PREFIX) :]
    return int(digits) if key.startswith(PREFIX) and digits.isdigit() else None


class SavedLanes:
    """The lanes of a lanes widget (``LanesWidget`` extends it) as keys of its model's state:
    ``lane{n}`` is ``{"seq": n, "meta": {"title", "prompt", "can_rerun"}, "state":
    Transcript.to_dict()}`` without its empty fields (``nbagent.widget.wire.compact_state``; a
    meta's None), written when the lane opens and when it ends (and after a re-run), at the
    widget's seq. Not traits: the model's full state (its opening, the reply to a page that
    asks for it) carries every lane kept so far; ``send_lanes`` sends some, in one update."""

    keys: list[str]
    send_state: Callable[[Any], None]
    """ipywidgets' (``LanesWidget`` is a ``Widget``)."""

    @property
    def saved_lanes(self) -> dict[int, dict[str, Any]]:
        """Each lane's saved state, by index (kept as it was last written)."""
        found: dict[int, dict[str, Any]] | None = self.__dict__.get("_saved_lanes")
        if found is None:
            found = self.__dict__["_saved_lanes"] = {}
        return found

    def keep_lane(self, index: int, lane: dict[str, Any]) -> None:
        """Write a lane without sending it: the page has it (it built it from the ops), or the
        kernel sends it later (``send_lanes``); a page that opens the model later gets it."""
        self.saved_lanes[index] = lane

    def send_lanes(self, indices: Iterable[int]) -> None:
        """Send the saved state of the lanes ``indices`` in one update of the model."""
        keys = [lane_key(i) for i in indices if i in self.saved_lanes]
        if keys:
            self.send_state(keys)

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        if key is None:
            keys = [*self.keys, *(lane_key(i) for i in sorted(self.saved_lanes))]
        else:
            keys = [key] if isinstance(key, str) else list(key)
        lanes = {k: i for k in keys if (i := _lane_index(k)) is not None}
        traits = [k for k in keys if k not in lanes]
        state: dict[str, Any] = super().get_state(traits, drop_defaults) if traits else {}  # type: ignore[misc]
        for k, i in lanes.items():
            state[k] = self.saved_lanes[i]
        return state
