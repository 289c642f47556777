"""The built widget bundle exists and stays within its size budget (every notebook saves it)."""

from __future__ import annotations

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "nbagent" / "static"
BUDGET = 150 * 1024  # bytes, minified


def test_widget_bundle_within_budget() -> None:
    js = STATIC / "widget.js"
    if not js.is_file():
        pytest.fail(
            f"{js} is missing: build the widget with "
            "`npm --prefix js ci && npm --prefix js run build` (pip install -e . also builds it)",
            pytrace=False,
        )
    size = js.stat().st_size
    assert size <= BUDGET, (
        f"nbagent/static/widget.js is {size} bytes ({size / 1024:.1f} KB), over the "
        f"{BUDGET // 1024} KB budget: measure what grew (esbuild --metafile) before adding more"
    )
    assert (STATIC / "widget.css").is_file(), "nbagent/static/widget.css is missing: run the build"
