"""What a ``Run`` knows of calling its tools again from the notebook: who does it (a
``Rerunner``, given by the run's producer: ``nbagent.frameworks.rerun``) and how it says that it
cannot."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Rerunner", "cannot_reach"]


class Rerunner(Protocol):
    """What calls a run's tools again from the notebook (``nbagent.frameworks.rerun.Reruns``)."""

    def rerun_tool(self, i: int, **overrides: Any) -> Any: ...


def cannot_reach(why: str) -> str:
    """What ``rerun_tool`` says of a call whose tool nbagent cannot reach (``why``: a clause);
    its panel says the same (js/src/panels/rerun.js)."""
    return f"Re-run: nbagent cannot reach this tool ({why})"
