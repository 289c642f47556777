"""The fuzz tests (``make fuzz``: the full profile; ``make test``: the quick one): marked
``fuzz``, and the inputs each target ran are printed at the end of the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.budget import FULL, PROFILE, runs

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.fuzz)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not runs:
        return
    profile = "nbagent-fuzz" if FULL else "nbagent-fuzz-quick"
    terminalreporter.section(f"fuzz inputs per target (profile {profile}, {PROFILE.max_examples})")
    for target, n in sorted(runs.items()):
        terminalreporter.write_line(f"{target:<28} {n:>9,}")
    terminalreporter.write_line(f"{'total':<28} {sum(runs.values()):>9,}")
