"""Producers that resume a framework's run after its approval requests, answered from the
notebook (issue 19, framework approvals).

A framework's run object that pauses for approvals (the Agents SDK's ``RunResultStreaming``)
is wrapped by ``resumable`` before ``nbagent.show`` makes its ``Run``. The wrapper is the
run's source: the ``Run`` hands it itself (``nbagent_bind_run``), the wrapper streams the
framework's events, and at each approval request waits on ``run.pauses`` (the widget's
buttons, ``run.approve(i)`` / ``run.deny(i, reason=...)``), then resumes the framework with
the answer and streams the continuation into the same run. Frameworks are recognized by
type name (nothing here imports one until it is used).
"""

from __future__ import annotations

from typing import Any

from nbagent._resume.openai_agents import AgentsApprovals
from nbagent._values import type_is

__all__ = ["AgentsApprovals", "resumable"]


def resumable(source: Any) -> Any:
    """The source to show for ``source``: a resuming wrapper of a framework's run object
    that can pause for approvals, else ``source`` itself."""
    if type_is(source, "agents", "RunResultStreaming"):
        return AgentsApprovals(source)
    return source
