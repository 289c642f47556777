"""A pytest plugin that runs one share of the collected tests: ``pytest -p tests.shard
--shard=1/2 ...`` keeps the modules of share 1 of 2 (``make test`` runs the browser lane and the
rest lane as two shares each, side by side: either lane alone keeps a core only half busy, as
its tests wait on kernels, servers and pages).

A module stays whole in one share (its module-scoped fixtures are set up once). The shares are
dealt greedily, dearest module first, by ``COSTS``: the CPU seconds each module cost with
everything it started (``tests/cpu_profile.py``, on a quiet two-core machine); a module not
listed costs ``DEFAULT_COST``. The deal depends only on the collected modules, so every share
of one collection agrees, and every module runs in exactly one share."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_COST = 0.5
COSTS: dict[str, float] = {
    # the browser lane
    "tests/browser/test_lab_reload.py": 96,
    "tests/browser/test_tutorials.py": 91,
    "tests/browser/test_reopen.py": 65,
    "tests/browser/test_docs_site.py": 52,
    "tests/browser/test_bundle_page.py": 42,
    "tests/browser/test_notebook7.py": 30,
    "tests/browser/test_lab_ends.py": 29,
    "tests/browser/test_lab_layout.py": 28,
    "tests/browser/test_marimo.py": 27,
    "tests/browser/test_lab_protocols.py": 26,
    "tests/browser/test_untrusted.py": 26,
    "tests/browser/test_math.py": 26,
    "tests/browser/test_lab_agent.py": 25,
    "tests/browser/test_lab_data.py": 22,
    "tests/browser/test_lab_lanes.py": 22,
    "tests/browser/test_lab.py": 21,
    "tests/browser/test_voila_viewer.py": 15,
    "tests/browser/test_lab_evaluate.py": 15,
    "tests/browser/test_lab_nested.py": 12,
    "tests/browser/test_saved_code.py": 12,
    "tests/browser/test_load.py": 11,
    "tests/browser/test_marimo_viewer.py": 11,
    "tests/browser/test_html_manager.py": 9,
    "tests/browser/test_hostile_browser.py": 8,
    "tests/browser/test_voila.py": 8,
    "tests/browser/test_recorded_runs.py": 7,
    # the rest lane
    "tests/test_hostile_export.py": 61,
    "tests/test_notebook_execute.py": 54,
    "tests/test_mcp.py": 13,
    "tests/frameworks/test_acp_sessions.py": 10,
    "tests/frameworks/test_acp_client.py": 10,
    "tests/test_mcp_agent_asks.py": 9,
    "tests/fuzz/test_fuzz_adapters.py": 8,
    "tests/fuzz/test_nothing_lost.py": 8,
    "tests/test_saved_output.py": 7,
    "tests/test_eventlog.py": 7,
    "tests/test_cli.py": 7,
    "tests/frameworks/test_framework_mcp.py": 7,
    "tests/test_mcp_inspector.py": 7,
    "tests/test_faults.py": 5,
    "tests/frameworks/test_acp_terminals.py": 4,
    "tests/frameworks/test_acp_evaluate.py": 4,
    "tests/frameworks/test_kernel_gemclaude.py": 4,
    "tests/frameworks/test_kernel_compat.py": 4,
    "tests/test_kernel_sources.py": 3,
    "tests/test_transcript.py": 3,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--shard", default=None, help="run share I of N of the modules: I/N")


def deal(modules: list[str], shares: int) -> dict[str, int]:
    """Each module's share (0-based): the dearest first, each to the share with least so far."""
    load = [0.0] * shares
    owner: dict[str, int] = {}
    for module in sorted(modules, key=lambda m: (-COSTS.get(m, DEFAULT_COST), m)):
        share = min(range(shares), key=lambda s: (load[s], s))
        owner[module] = share
        load[share] += COSTS.get(module, DEFAULT_COST)
    return owner


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    value = config.getoption("--shard")
    if value is None:
        return
    match = re.fullmatch(r"(\d+)/(\d+)", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise pytest.UsageError(f"--shard takes I/N with 1 <= I <= N, not {value!r}")
    share, shares = int(match[1]) - 1, int(match[2])

    def module(item: pytest.Item) -> str:
        return Path(item.path).resolve().relative_to(ROOT).as_posix()

    owner = deal(sorted({module(item) for item in items}), shares)
    kept = [item for item in items if owner[module(item)] == share]
    dropped = [item for item in items if owner[module(item)] != share]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
