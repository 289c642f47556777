"""The agent's operating-system side: its process group, killed whole (the agent and every
process it started), and the unnamed file its stderr goes to (``AgentProcess``)."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from typing import IO

__all__ = ["kill_group", "stderr_file"]


def kill_group(pid: int) -> None:
    """Kill the process group ``pid`` leads (the agent and every process it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def stderr_file() -> IO[bytes]:
    """An unnamed file for the agent's stderr, opened to append: the agent's writes land at
    the end whatever offset reading its tail leaves (the two share the open file)."""
    fd, path = tempfile.mkstemp(prefix="nbagent-acp-", suffix=".stderr")
    os.close(fd)
    try:
        return open(path, "ab+")
    finally:
        os.unlink(path)
