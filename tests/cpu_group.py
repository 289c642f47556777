"""CPU seconds of a process and of everything it starts, the processes that ended included: a
cgroup of its own where this machine lets one be made (Linux, root: cgroup v1's cpuacct or
cgroup v2), else ``None``.

Why: a process's children's CPU reaches its parent's accounts (``times``, psutil's
``children_user``) only when each is waited for by its own parent, so what Chromium's renderers
and the Playwright driver's Chromium spend went mostly uncounted (the browser lane read 642
CPU-s that way; a cgroup counted 1,042).

    python3 tests/cpu_group.py join PID   # PID (a shell) into a new group: prints its folder
    python3 tests/cpu_group.py read DIR   # that group's CPU seconds so far

Each prints nothing where there is no such group, and the caller falls back (make test's lane
table: to ``times``). The standard library only: make runs it before any venv is made.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpuacct")
V2 = Path("/sys/fs/cgroup")


def _current(pid: int) -> Path | None:
    """The folder of the group ``pid`` is in: cgroup v1's cpuacct, else cgroup v2's."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(",") and (V1 / "cpuacct.usage").exists():
            return V1 / path.lstrip("/")
    if (V2 / "cgroup.controllers").exists():
        path = next((ln.split(":", 2)[2] for ln in lines if ln.startswith("0::")), None)
        if path is not None:
            return V2 / path.lstrip("/")
    return None


def join(pid: int, name: str) -> Path | None:
    """Move ``pid`` into a new group ``name-pid`` inside the one it is in (its later children
    follow it; the outer group's account still counts them); the group's folder, or None where
    none can be made."""
    current = _current(pid)
    if current is None:
        return None
    group = current / f"{name}-{pid}"
    try:
        group.mkdir(exist_ok=True)
        (group / "cgroup.procs").write_text(str(pid))
    except OSError:
        with contextlib.suppress(OSError):
            group.rmdir()
        return None
    return group


def seconds(group: Path) -> float:
    """The CPU seconds every process that was in ``group`` spent while there."""
    usage = group / "cpuacct.usage"
    if usage.exists():
        return int(usage.read_text()) / 1e9
    for line in (group / "cpu.stat").read_text().splitlines():
        key, value = line.split()
        if key == "usage_usec":
            return int(value) / 1e6
    raise OSError(f"{group}: no CPU account")


def leave(pid: int, group: Path) -> None:
    """Move ``pid`` back to the group it was in; remove the group (once nothing is left in it:
    a process that outlived its parent keeps it)."""
    with contextlib.suppress(OSError):
        (group.parent / "cgroup.procs").write_text(str(pid))
    with contextlib.suppress(OSError):
        group.rmdir()


def main(argv: list[str]) -> int:
    command, arg = argv
    if command == "join":
        group = join(int(arg), "nbagent-lane")
        if group is not None:
            print(group)
    elif command == "read":
        with contextlib.suppress(OSError):
            print(f"{seconds(Path(arg)):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
