"""tests/shard.py: every collected module runs in exactly one share, the same in every process,
and the dear modules spread over the shares."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.shard import COSTS, DEFAULT_COST, deal

MODULES = sorted([*COSTS, *(f"tests/test_unlisted_{i}.py" for i in range(30))])


@pytest.mark.parametrize("shares", [1, 2, 3])
def test_each_module_in_one_share_and_the_deal_is_the_same_each_time(shares: int) -> None:
    owner = deal(MODULES, shares)
    assert sorted(owner) == MODULES
    assert set(owner.values()) == set(range(shares))
    assert deal(list(reversed(MODULES)), shares) == owner


def test_the_shares_cost_alike() -> None:
    owner = deal(MODULES, 2)
    loads = [sum(COSTS.get(m, DEFAULT_COST) for m in MODULES if owner[m] == s) for s in (0, 1)]
    # Greedy, dearest first: the shares differ by at most the dearest module's cost.
    assert abs(loads[0] - loads[1]) <= max(COSTS.values()), loads
    assert owner["tests/browser/test_lab_reload.py"] != owner["tests/browser/test_tutorials.py"]


def test_a_bad_share_is_refused() -> None:
    here = Path(__file__)
    args = ["-m", "pytest", "-p", "tests.shard", "--shard=3/2", "--collect-only", str(here)]
    done = subprocess.run([sys.executable, *args], cwd=here.parents[1], capture_output=True)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done
    assert b"--shard takes I/N with 1 <= I <= N, not '3/2'" in done.stderr, done.stderr
