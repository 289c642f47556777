"""A pytest plugin that says where a lane's CPU goes: ``pytest -p tests.cpu_profile ...``
prints, at the session's end, the CPU seconds each test module cost this process and every
process it started (Jupyter servers, kernels, Playwright's driver and Chromium), the 25 dearest
first. CPU seconds, not wall time: on a shared two-core machine the lanes of ``make test``
compete for the cores, so what a module costs the others is its CPU, and CPU seconds read the
same on a busy machine as on a quiet one (within cache effects)."""

from __future__ import annotations

import contextlib
from collections import defaultdict

import psutil
import pytest

_cost: defaultdict[str, float] = defaultdict(float)
_last = [0.0]
"""The tree's CPU seconds at the last reading."""


def _tree_cpu() -> float:
    """CPU seconds the tree spent since the last reading: each live process's own time and its
    reaped children's (what a process that ended spent moves to its parent's as it is reaped,
    so kernels, servers and subprocesses that ended between two readings count too)."""
    me = psutil.Process()
    now = 0.0
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            now += t.user + t.system + t.children_user + t.children_system
    spent, _last[0] = now - _last[0], now
    return spent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    _tree_cpu()
    try:
        return (yield)
    finally:
        _cost[item.nodeid.split("::")[0]] += _tree_cpu()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    total = sum(_cost.values())
    terminalreporter.section(f"CPU seconds by module (this process and its children): {total:.0f}")
    for module, seconds in sorted(_cost.items(), key=lambda kv: -kv[1])[:25]:
        terminalreporter.write_line(f"{seconds:8.1f}  {module}")
