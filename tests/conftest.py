"""Fixtures shared by the test modules."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from tests.recording import RecordingComm, record_comms

if TYPE_CHECKING:
    from tests.kernel import Kernel

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


@pytest.fixture(scope="session")
def session_kernel() -> Iterator[Kernel]:
    """The one real kernel the modules that share one run in, in turn (``kernel``)."""
    from tests.kernel import Kernel

    k = Kernel()
    yield k
    k.close()


@pytest.fixture(scope="module")
def kernel(request: pytest.FixtureRequest) -> Iterator[Kernel]:
    """A real kernel (``tests/kernel.py``) for a module's tests, the module's ``KERNEL_SETUP``
    (a cell's code, if it has one) run in it first.

    The session's one kernel, started afresh for each module (``Kernel.start_afresh``: runs
    stopped, namespace emptied), so its start and nbagent's import are paid once. A module
    whose cells change what a reset leaves (modules patched, such as asyncio by nest_asyncio)
    names why in ``KERNEL_OF_ITS_OWN`` and gets a kernel of its own, closed after it. A test
    that needs a kernel of its own (a restart, an environment set before the start, a kernel
    that has sent nothing yet) takes ``new_kernel`` instead."""
    from tests.kernel import Kernel

    setup = getattr(request.module, "KERNEL_SETUP", "")
    if getattr(request.module, "KERNEL_OF_ITS_OWN", ""):
        own = Kernel()
        try:
            if setup:
                own.execute(setup)
            yield own
        finally:
            own.close()
        return
    k: Kernel = request.getfixturevalue("session_kernel")
    k.start_afresh()
    if setup:
        k.execute(setup)
    yield k


@pytest.fixture(scope="session")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The ``ray`` module on the session's one local Ray (``tests/local_ray.py``): started by
    the first test that needs it (its start costs CPU: once), shut down after the last one
    (``pytest_runtest_teardown``), its processes gone."""
    from tests.local_ray import running

    with running(tmp_path_factory.mktemp("ray")) as ray:
        yield ray


@pytest.fixture
def new_kernel() -> Iterator[Callable[[str], Kernel]]:
    """``new_kernel(setup)`` starts a kernel of the test's own and runs ``setup`` in it,
    closed at the test's end: for a test that restarts or interrupts its kernel, or starts one
    with an environment of its own (set before the call)."""
    from tests.kernel import Kernel

    started: list[Kernel] = []

    def start(setup: str = "") -> Kernel:
        k = Kernel()
        started.append(k)
        if setup:
            k.execute(setup)
        return k

    yield start
    for k in started:
        k.close()


_EXIT_STATUS: list[int] = []


_BROWSER_DIR = Path(__file__).parent / "browser"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser lane collects tests/browser only and the others skip that folder (``make
    test``: collecting every module cost each lane ~15 s of CPU), so a test marked ``browser``
    elsewhere would run in no lane: refuse it (seen here before ``-m`` deselects it)."""
    stray = [
        item.nodeid
        for item in items
        if item.get_closest_marker("browser") and _BROWSER_DIR not in Path(item.path).parents
    ]
    if stray:
        raise pytest.UsageError(f"tests marked browser outside tests/browser: {stray[:5]}")


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing the tests built (every framework's modules) lives for the session:
    moved out of the collector's sight, so that a leak check's ``gc.collect()`` looks only
    at what the tests made since (a full collection of the session's heap took ~0.25 s).
    And the last test that uses the session's Ray is noted (``pytest_runtest_teardown``)."""
    ray_users = [i.nodeid for i in session.items if "local_ray" in getattr(i, "fixturenames", ())]
    _LAST_RAY_USER[:] = ray_users[-1:]
    gc.collect()
    gc.freeze()


_LAST_RAY_USER: list[str] = []


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """The session's Ray shut down once the last test that uses it is over (its module's
    fixtures too), not at the session's end: idle, it costs 2.5% of a core."""
    if item.nodeid in _LAST_RAY_USER:
        from tests.local_ray import shut_down

        shut_down()


@pytest.fixture(scope="module", autouse=True)
def _earlier_modules_frozen() -> None:
    """As each module starts, what earlier ones left alive (lazy imports, caches, session
    fixtures) is moved out of the collector's sight too, its garbage collected first: a leak
    check's ``gc.collect()`` then walks what this module made, not the session's heap (late in
    a full session each of test_faults.py's checks took ~0.5 s, alone ~0.02 s). Cyclic garbage
    among frozen objects is never collected: memory only, and only what outlived its module."""
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
