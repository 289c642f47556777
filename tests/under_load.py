"""Run a command while a busy loop occupies every core, as another job on a shared CI machine
would: ``python -m tests.under_load make test`` (``make test-under-load``). Flaky waits and
budgets sized for an idle machine fail here first. Exits with the command's code."""

from __future__ import annotations

import os
import subprocess
import sys


def main(command: list[str]) -> int:
    cores = os.cpu_count() or 1
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
    print(f"under load: {cores} busy loops (pids {[p.pid for p in busy]})", flush=True)
    try:
        return subprocess.run(command).returncode
    finally:
        for loop in busy:
            loop.kill()
            loop.wait()
        print(f"under load: {cores} busy loops stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
