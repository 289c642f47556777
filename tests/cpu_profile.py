"""A pytest plugin that says where a lane's CPU goes: ``pytest -p tests.cpu_profile ...``
prints, at the session's end, the CPU seconds each test module cost this process and every
process it started (Jupyter servers, kernels, Playwright's driver and Chromium), the 25 dearest
first. CPU seconds, not wall time: on a shared two-core machine the lanes of ``make test``
compete for the cores, so what a module costs the others is its CPU, and CPU seconds read the
same on a busy machine as on a quiet one (within cache effects).

Read from a cgroup of the session's own where one can be made (``tests/cpu_group.py``): every
process counts, the ones that ended too. Elsewhere from the process tree, which misses what a
process spent that its parent did not wait for (most of Chromium's renderers)."""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from pathlib import Path

import psutil
import pytest

from tests import cpu_group

_cost: defaultdict[str, float] = defaultdict(float)
_last = [0.0]
"""The session's CPU seconds at the last reading."""
_group: list[Path] = []
"""The session's cgroup, if one could be made."""


def pytest_configure(config: pytest.Config) -> None:
    group = cpu_group.join(os.getpid(), "nbagent-cpu-profile")
    if group is not None:
        _group.append(group)


def pytest_unconfigure(config: pytest.Config) -> None:
    for group in _group:
        cpu_group.leave(os.getpid(), group)


def _cpu_now() -> float:
    """The session's CPU seconds so far: its cgroup's; else each live process's own time and
    its reaped children's (what a process that ended spent moves to its parent's as it is
    reaped, so kernels, servers and subprocesses that ended between two readings count too)."""
    if _group:
        return cpu_group.seconds(_group[0])
    me = psutil.Process()
    now = 0.0
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            now += t.user + t.system + t.children_user + t.children_system
    return now


def _tree_cpu() -> float:
    """CPU seconds the session spent since the last reading."""
    now = _cpu_now()
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
