"""How much each fuzz target runs, and how much it ran.

Two hypothesis profiles: ``nbagent-fuzz-quick`` (``make test``: a few seconds in all) and
``nbagent-fuzz`` (``make fuzz``, chosen by ``NBAGENT_FUZZ=full``: over 100,000 inputs in
all). A target asks for ``fuzz(weight)``: the profile's examples times its weight, and
calls ``ran(target)`` once per input so that the session can print what ran.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

__all__ = ["FULL", "fuzz", "ran", "runs"]

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


def fuzz(weight: float = 1.0, *, at_least: int = 1) -> settings:
    """The settings of a fuzz target: the active profile, ``weight`` times its examples (and
    ``at_least`` that many, in either profile)."""
    return settings(PROFILE, max_examples=max(at_least, round(PROFILE.max_examples * weight)))


def ran(target: str) -> None:
    runs[target] += 1
