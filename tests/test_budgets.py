"""Budgets in tests are the design's numbers, never raised on their own.

The table of docs/develop/budgets.md is the one place the tests' budgets come from (bundle and
chunk sizes, the chat's bytes per character of text). Each budget constant in a test must be at
most its row, and every budget has a row: a budget raised in a test alone fails here, so raising
one means changing that page in the same commit, where it is read and reviewed. The widget
bundle's row is the design's own number, checked against ARCHITECTURE.md ("the main bundle
stays ≤ 135 KB minified") where the design folder is at hand (``../shared/design/``, beside the
checkout, as DEVELOP.md says): a row raised without the design changing fails too.
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
ROW = re.compile(r"^\| `([^`]+)` \| ([\d.]+) (KB|x) \|", re.MULTILINE)


def documented() -> dict[str, float]:
    """The budgets page's rows: bytes (KB are 1024 bytes) or a ratio."""
    text = BUDGETS.read_text(encoding="utf-8")
    return {
        name: float(number) * (1024 if unit == "KB" else 1)
        for name, number, unit in ROW.findall(text)
    }


def in_tests() -> dict[str, float]:
    """Every budget the tests assert, by the row it answers to."""
    return {
        "widget.js": sizes.BUDGET,
        "math.js": sizes.MATH_BUDGET,
        "answer.js": sizes.ANSWER_BUDGET,
        "case.js": sizes.CASE_BUDGET,
        **{f"{name}.js": budget for name, budget, _ in sizes.FEATURE_CHUNKS},
        **{f"{name}.js": budget for name, budget, _ in sizes.OWN_CHUNKS},
        "chat": CHAT_RATIO,
    }


def test_every_budget_in_the_tests_is_at_most_its_documented_number() -> None:
    doc, ours = documented(), in_tests()
    assert set(ours) == set(doc), (
        "a budget without a row in docs/develop/budgets.md, or a row without one"
    )
    over = {name: (ours[name], doc[name]) for name in ours if ours[name] > doc[name]}
    assert not over, f"raised above docs/develop/budgets.md (change the design first): {over}"


def test_the_widget_bundle_row_is_the_designs_number() -> None:
    if not DESIGN.is_file():
        pytest.skip(f"the design folder is not beside the checkout ({DESIGN.parent})")
    found = re.search(r"main bundle stays ≤ (\d+) KB", DESIGN.read_text(encoding="utf-8"))
    assert found, "ARCHITECTURE.md no longer says how large the main bundle may be"
    assert documented()["widget.js"] == int(found[1]) * 1024
