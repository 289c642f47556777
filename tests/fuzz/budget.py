"""How much each fuzz target runs, and how much it ran.

Two hypothesis profiles: ``nbagent-fuzz-quick`` (``make test``: a few seconds in all) and
``nbagent-fuzz`` (``make fuzz``, chosen by ``NBAGENT_FUZZ=full``: over 100,000 inputs in
all). A target asks for ``fuzz(weight)``: the profile's examples times its weight, and
calls ``ran(target)`` once per input so that the session can print what ran. A property test
elsewhere (``make fuzz`` runs its file too) asks for ``examples(full, quick)``.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

__all__ = ["FULL", "examples", "fuzz", "ran", "runs"]

FULL = os.environ.get("NBAGENT_FUZZ") == "full"
_BASE = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # the recorded comms: one list for all inputs
    ],
}
settings.register_profile("nbagent-fuzz", max_examples=6_000, **_BASE)
settings.register_profile("nbagent-fuzz-quick", max_examples=100, **_BASE)
PROFILE = settings.get_profile("nbagent-fuzz" if FULL else "nbagent-fuzz-quick")

runs: Counter[str] = Counter()
"""Inputs run per target in this session."""


def fuzz(weight: float = 1.0, *, at_least: int = 1, quick_at_least: int | None = None) -> settings:
    """The settings of a fuzz target: the active profile, ``weight`` times its examples (and
    ``at_least`` that many; in the quick profile ``quick_at_least`` if given)."""
    floor = at_least if FULL or quick_at_least is None else quick_at_least
    return settings(PROFILE, max_examples=max(floor, round(PROFILE.max_examples * weight)))


def examples(full: int, quick: int) -> settings:
    """A property test's settings outside tests/fuzz: ``full`` examples under ``make fuzz``,
    ``quick`` under ``make test``; no deadline (a loaded machine is no failure)."""
    return settings(deadline=None, max_examples=full if FULL else quick)


def ran(target: str) -> None:
    runs[target] += 1
