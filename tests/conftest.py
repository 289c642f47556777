"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from tests.recording import RecordingComm, record_comms


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    """Every widget's comm messages, recorded (``tests/recording.py``)."""
    return record_comms(monkeypatch)
