"""The session's local Ray (``local_ray`` in tests/conftest.py): 2 CPUs, no dashboard, started
once for every module that needs it, its processes gone after the session.

Ray 2.60's start-up has waits no setting widens: the raylet gives its dashboard agent 15 s for
each port file it writes and aborts past that ("Timed out waiting for file
.../metrics_agent_port", ray-project/ray#65983; ``RAY_agent_register_timeout_ms`` does not
apply), and ``ray.init`` gives the node 30 s to register ("The current node timed out during
startup"). On a loaded two-core machine the agent, importing Ray at a fifth of a core, misses
them. So Ray's processes start without ``rfc3987_syntax``: jsonschema, which Ray imports, would
parse its IRI grammar at import (1.5 of the agent's 2.7 CPU-s, for a format check Ray never
makes); the one start-up wait Ray lets be set, for the GCS's port file, is sized for load; and
a start that misses a window is tried again until ``START_S``, each saying what the raylet said.

Ray runs its workers at niceness 15 (``RAY_worker_niceness``), which on a machine busy with other
jobs at niceness 0 leaves a worker under 2% of a core: beside 8 busy loops no case had started
its run after 240 s (its workers were still starting). The session's workers run at niceness 0,
as Ray's own job drivers do: a shared CI machine's other jobs are not ours to yield to.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from tests.wait import wait_for

START_S = 300
"""Seconds the session's Ray may take to start, attempts included (each 30-110 s on a loaded
machine; beside 8 busy loops a start took two attempts and 183 s): a bound on a hang, added to
the timeout of the tests that may start it."""

STOP_S = 120
"""Seconds its processes may take to end after ``ray.shutdown()``."""

OPTIONS: dict[str, Any] = {"num_cpus": 2, "include_dashboard": False, "log_to_driver": False}


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` while Ray starts its processes (they inherit it), as it
    was after."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _raylet_said() -> str:
    """The raylet's fatal line in the newest session this process started, if it wrote one."""
    sessions = Path(os.environ.get("RAY_TMPDIR", "/tmp"), "ray").glob(f"session_*_{os.getpid()}")
    for session in sorted(sessions, reverse=True)[:1]:  # named by the time they started
        with contextlib.suppress(OSError):
            lines = (session / "logs" / "raylet.out").read_text(errors="replace").splitlines()
            fatal = [ln.partition("Check failed: ")[2] for ln in lines if "Check failed" in ln]
            return fatal[-1].partition(" ")[2][-300:] if fatal else ""  # after the check's name
    return ""


_up: dict[str, Any] = {}
"""The Ray ``running`` started, while it runs, and the processes there were before it."""


@contextlib.contextmanager
def running(scratch: Path) -> Iterator[Any]:
    """``ray``, initialised on a new local Ray (``scratch``: a directory of the session's); shut
    down after (``shut_down``)."""
    before = _children()
    _up.update(ray=_start(scratch), before=before)
    try:
        yield _up["ray"]
    finally:
        shut_down()


def shut_down() -> None:
    """The Ray ``running`` started shut down, if it still runs, and its processes waited for
    until they end: called after the last test that uses it too (tests/conftest.py), since an
    idle Ray costs 2.5% of a core."""
    if not _up:
        return
    _up.pop("ray").shutdown()
    before = _up.pop("before")

    def left() -> list[str]:
        return [str(p) for p in _children() - before if p.is_running()]

    wait_for(lambda: not left(), STOP_S, "Ray's processes to end")


def _children() -> set[psutil.Process]:
    return set(psutil.Process().children(recursive=True))


def _start(scratch: Path) -> Any:
    import ray

    (scratch / "rfc3987_syntax.py").write_text(
        'raise ImportError("left out of Ray\'s processes: tests/local_ray.py")\n'
    )
    path = os.pathsep.join(p for p in (str(scratch), os.environ.get("PYTHONPATH")) if p)
    deadline = time.monotonic() + START_S
    seen: list[str] = []
    while True:
        before = _children()
        try:
            with _environ(
                PYTHONPATH=path,
                RAY_gcs_server_port_wait_time_s=str(START_S),
                RAY_worker_niceness="0",
            ):
                ray.init(**OPTIONS, configure_logging=False)
            return ray
        except Exception as exc:  # tried again, saying what was seen
            said = _raylet_said()
            seen.append(str(exc).splitlines()[0] + (f" (raylet: {said})" if said else ""))
            print(f"ray.init failed: {seen[-1]}", flush=True)
            ray.shutdown()  # which leaves what a failed start started: ended here
            attempt = list(_children() - before)
            for process in attempt:
                with contextlib.suppress(psutil.Error):
                    process.kill()
            psutil.wait_procs(attempt, timeout=STOP_S)
            if time.monotonic() > deadline:
                raise RuntimeError(f"no local Ray in {START_S} s: {seen}") from exc
