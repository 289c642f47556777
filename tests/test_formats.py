"""One formatting in Python and JS: ``tests/fixtures/formats.json``'s cases, also read by
``js/test/formats.test.js``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbagent.transcript.export.common import footer_details, status_line
from nbagent.transcript.export.formats import (
    format_cost,
    format_duration,
    format_elapsed,
    format_rate,
    format_tokens,
    usage_details,
    usage_text,
)
from nbagent.transcript.export.status import detail_lines, status_label, status_parts, step_lines

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "formats.json").read_text("utf-8"))


@pytest.mark.parametrize(("seconds", "expected"), FIXTURE["duration"])
def test_duration(seconds: float, expected: str) -> None:
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(("seconds", "expected"), FIXTURE["elapsed"])
def test_elapsed(seconds: float, expected: str) -> None:
    assert format_elapsed(seconds) == expected


@pytest.mark.parametrize(("n", "estimated", "expected"), FIXTURE["tokens"])
def test_tokens(n: float, estimated: bool, expected: str) -> None:
    assert format_tokens(n, estimated) == expected


@pytest.mark.parametrize(("rate", "estimated", "expected"), FIXTURE["rate"])
def test_rate(rate: float | None, estimated: bool, expected: str) -> None:
    assert format_rate(rate, estimated) == expected


@pytest.mark.parametrize(("usd", "expected"), FIXTURE["cost"])
def test_cost(usd: float, expected: str) -> None:
    assert format_cost(usd) == expected


@pytest.mark.parametrize(("usage", "expected"), FIXTURE["usage_text"])
def test_usage_text(usage: Any, expected: str) -> None:
    assert usage_text(usage) == expected


@pytest.mark.parametrize(("usage", "expected"), FIXTURE["usage_details"])
def test_usage_details(usage: Any, expected: str) -> None:
    assert usage_details(usage) == expected


@pytest.mark.parametrize("case", FIXTURE["status"], ids=lambda c: c["name"])
def test_footer(case: dict[str, Any]) -> None:
    state, now = case["state"], case["now"]
    assert status_label(state) == case["label"]
    assert status_parts(state, now) == case["parts"]
    assert step_lines(state) == case["steps"]
    assert detail_lines(state, now) == case["details"]
    assert status_line(state, now) == " · ".join([case["label"], *case["parts"]])
    assert footer_details(state, now) == [*case["steps"], *case["details"]]
