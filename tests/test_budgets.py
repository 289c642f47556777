"""Budgets in tests are the design's numbers, never raised on their own.

The table of docs/develop/budgets.md is the one place the tests' budgets come from: one row per rule
(the main bundle, every other bundle, the math chunk; the chat's bytes per character of text),
each with the design's ceiling and the margin under it the tests hold. Each margin constant in
a test must be at most its row's margin, and every rule has a row: a margin raised in a test
alone fails here, so raising one means changing that page in the same commit, where it is read
and reviewed. A bundle's margin leaves 8% of its ceiling free, and the ceilings and margins are
the design's own (ARCHITECTURE.md, "Budgets with room"), checked where the design folder is at
hand (``../shared/design/``, beside the checkout, as DEVELOP.md says): a row raised without the
design changing fails too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import test_bundle_size as sizes
from tests.test_iopub_bytes import CHAT_RATIO

ROOT = Path(__file__).resolve().parents[1]
BUDGETS = ROOT / "docs" / "develop" / "budgets.md"
DESIGN = ROOT.parent / "shared" / "design" / "ARCHITECTURE.md"
NUMBER = r"([\d.]+) (KB|x)"
ROW = re.compile(rf"^\| `([^`]+)` \| {NUMBER} \| {NUMBER} \|", re.MULTILINE)
ROOM = 0.92
"""A margin is at most this share of its ceiling (the design's 8% of room)."""


def _value(number: str, unit: str) -> float:
    return float(number) * (1024 if unit == "KB" else 1)


def documented() -> dict[str, tuple[float, float]]:
    """The budgets page's rows: (ceiling, margin) in bytes (KB are 1024 bytes) or a ratio."""
    text = BUDGETS.read_text(encoding="utf-8")
    return {
        name: (_value(ceiling, unit), _value(margin, margin_unit))
        for name, ceiling, unit, margin, margin_unit in ROW.findall(text)
    }


def in_tests() -> dict[str, float]:
    """Every margin the tests hold, by the row it answers to."""
    return {
        "main": sizes.MAIN_MARGIN,
        "chunk": sizes.CHUNK_MARGIN,
        "math": sizes.MATH_MARGIN,
        "chat": CHAT_RATIO,
    }


def test_every_margin_in_the_tests_is_at_most_its_documented_number() -> None:
    doc, ours = documented(), in_tests()
    assert set(ours) == set(doc), (
        "a margin without a row in docs/develop/budgets.md, or a row without one"
    )
    over = {name: (ours[name], doc[name][1]) for name in ours if ours[name] > doc[name][1]}
    assert not over, f"raised above docs/develop/budgets.md (change the design first): {over}"


def test_every_bundle_margin_leaves_room_under_its_ceiling() -> None:
    rows = {name: row for name, row in documented().items() if name != "chat"}
    tight = {name: (c, m) for name, (c, m) in rows.items() if m > ROOM * c}
    assert not tight, f"a margin closer than 8% to its ceiling: {tight}"


def test_the_bundle_rows_are_the_designs_numbers() -> None:
    if not DESIGN.is_file():
        pytest.skip(f"the design folder is not beside the checkout ({DESIGN.parent})")
    design = DESIGN.read_text(encoding="utf-8").replace("\n  ", " ")
    said = {
        "main": (r"the main bundle (\d+) KB", r"main ≤ (\d+) KB"),
        "chunk": (r"every other lazy chunk (\d+) KB", r"a chunk ≤ (\d+) KB"),
        "math": (r"the math chunk (\d+) KB", r"math ≤ (\d+) KB"),
    }
    doc = documented()
    for name, (ceiling, margin) in said.items():
        found = re.search(ceiling, design), re.search(margin, design)
        assert all(found), f"ARCHITECTURE.md no longer says the {name} rule's ceiling and margin"
        numbers = tuple(int(f[1]) * 1024 for f in found if f)
        assert doc[name] == numbers, (name, doc[name], numbers)
