"""Every adapter, alone and through the pipeline, over near-valid streams of its format and
junk; and format detection over streams of any format."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.budget import fuzz, ran
from tests.fuzz.checks import check_adapter, check_pipeline
from tests.fuzz.wire import FORMATS, streams


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz()
@given(data=st.data())
def test_adapter(fmt: str, data: st.DataObject) -> None:
    items: list[Any] = data.draw(streams(fmt))
    ran(f"adapter {fmt}")
    check_adapter(fmt, items)
    check_pipeline(fmt, items)


@fuzz()
@given(data=st.data())
def test_detection(data: st.DataObject) -> None:
    """``format="auto"``: the first item picks the adapter, whatever follows."""
    fmt = data.draw(st.sampled_from(FORMATS))
    items: list[Any] = data.draw(streams(fmt))
    ran("detection")
    check_pipeline("auto", items)
