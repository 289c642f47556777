"""Scripted ACP agents (written with the ``agent-client-protocol`` SDK) that the ACP client's
tests start as real processes over stdio, and what those tests share."""

from __future__ import annotations


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not reaped yet, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone, or reaped while being read
        return False
