"""Fixtures shared by the test modules."""

from __future__ import annotations

import gc
import os
import sys
import threading

import pytest
from hypothesis import HealthCheck, settings

from tests.recording import RecordingComm, record_comms

# CI (and `make test` under CI=true) draws the same examples on every run: a landing never
# hangs on a case one run happened to draw. Elsewhere each run draws new ones, so a
# developer's runs keep finding the cases CI would not; a failure prints the case to pin
# (`@example`), and `--hypothesis-seed` repeats a run.
# Hypothesis' too_slow health check times how long drawing examples takes: a busy machine
# (make test runs two pytest processes at once) fails a test that is right. Durations are
# for benchmarks, not for tests.
settings.register_profile("nbagent", suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", settings.get_profile("nbagent"), derandomize=True, print_blob=True)
settings.load_profile("nbagent")
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    """Every widget's comm messages, recorded (``tests/recording.py``)."""
    return record_comms(monkeypatch)


_EXIT_STATUS: list[int] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing the tests built (every framework's modules) lives for the session:
    moved out of the collector's sight, so that a leak check's ``gc.collect()`` looks only
    at what the tests made since (a full collection of the session's heap took ~0.25 s)."""
    gc.collect()
    gc.freeze()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


def pytest_unconfigure(config: pytest.Config) -> None:
    """A thread a test (or a library it ran) left running and not a daemon would keep the
    process alive after the summary, and CI would hang: name them, and end with pytest's own
    exit status."""
    leaked = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    if not leaked or not _EXIT_STATUS:
        return
    names = ", ".join(sorted(t.name for t in leaked))
    sys.stdout.flush()
    sys.stderr.write(f"\nthreads left running (not daemons): {names}\n")
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1])
