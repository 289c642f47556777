"""The code model carries the math chunk only once a widget's text may hold a formula: a
notebook without math does not save KaTeX's 270 KB (``CodeModel.include_math``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbagent._widget import AgentWidget, LaneState, _make_code_model, _mentions_math

MATH = (Path(__file__).resolve().parents[1] / "nbagent" / "static" / "math.js").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"seq": 1, "ops": [["t", 0, "it costs $5"]]}, True),
        ({"seq": 1, "ops": [["t", 0, "see \\(x\\)"]]}, True),
        ({"seq": 1, "ops": [["+", {"type": "text", "text": "\\[x\\]"}]]}, True),
        ({"seq": 1, "ops": [["t", 0, "no formula (at all) [here]"]]}, False),
        ({"$key": "a dollar in a key is not text"}, False),
        ([1, 2.5, None, True], False),
    ],
)
def test_what_may_hold_a_formula(value: object, expected: bool) -> None:
    assert _mentions_math(value) is expected


def test_the_chunk_is_sent_with_the_first_formula_only() -> None:
    code = _make_code_model()
    widget = AgentWidget(code=code, snapshot={"seq": 0, "state": {"blocks": []}})
    widget.send({"seq": 1, "ops": [["t", 0, "Plain words, a [link](https://x.test)."]]})
    assert code.math == ""
    version = code.version
    widget.send({"seq": 2, "ops": [["t", 0, " The area is $\\pi r^2$."]]})
    assert code.math == MATH
    assert code.version == version  # the version names the build, sent or not


def test_a_formula_in_a_state_counts_too() -> None:
    """A widget opened on a finished transcript (a replay's end, a lane) sends its text in
    its state, not in messages."""
    code = _make_code_model()
    LaneState(code=code, lane={"state": {"blocks": [{"type": "text", "text": "\\(a+b\\)"}]}})
    assert code.math == MATH
