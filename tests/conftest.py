"""Fixtures for every test module."""

from __future__ import annotations

from typing import Any

import pytest

from tests.comm_harness import RecordingComm


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    made: list[RecordingComm] = []

    def create_comm(*args: Any, **kwargs: Any) -> RecordingComm:
        c = RecordingComm(*args, **kwargs)
        made.append(c)
        return c

    monkeypatch.setattr("ipywidgets.comm.create_comm", create_comm)
    return made
