"""Run a command while busy loops oversubscribe every core four times (8 on 2 cores), as the
other jobs of a shared CI machine would: ``python -m tests.under_load make test`` (``make
test-under-load``). Flaky waits and budgets sized for an idle machine fail here first. Exits
with the command's code."""

from __future__ import annotations

import os
import subprocess
import sys

PER_CORE = 4
"""Busy loops per core: a process of the command gets under a quarter of a core (a shared
two-core machine was seen at load 13 running ``make test``)."""


def main(command: list[str]) -> int:
    loops = PER_CORE * (os.cpu_count() or 1)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(loops)]
    print(f"under load: {loops} busy loops (pids {[p.pid for p in busy]})", flush=True)
    try:
        return subprocess.run(command).returncode
    finally:
        for loop in busy:
            loop.kill()
            loop.wait()
        print(f"under load: {loops} busy loops stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
