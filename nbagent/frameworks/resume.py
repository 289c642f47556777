"""Producers that resume a framework's run after its approval requests, answered from the
notebook: each framework's in its own home (``openai_agents/resume.py``,
``pydantic_ai/resume.py``, ``ag_ui.py``), on what they share (``kit/resuming.py``).

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

from nbagent.core.values import type_is
from nbagent.frameworks.openai_agents.resume import AgentsApprovals
from nbagent.frameworks.pydantic_ai.resume import PydanticAIApprovals

__all__ = ["AgentsApprovals", "PydanticAIApprovals", "resumable", "with_approvals"]


def resumable(source: Any) -> Any:
    """The source to show for ``source``: a resuming wrapper of a framework's run object
    that can pause for approvals, or of an AG-UI agent's request whose interrupts nbagent
    can answer (``ag_ui.py``), else ``source`` itself."""
    if type_is(source, "agents", "RunResultStreaming"):
        return AgentsApprovals(source)
    if type_is(source, "nbagent.sources.http", "SSESource"):
        # Imported only for an SSE source (httpx is loaded then): a run shown loads no httpx.
        from nbagent.frameworks.ag_ui import AgUiResume, drives_ag_ui

        if drives_ag_ui(source):
            return AgUiResume(source)
    return source


def with_approvals(agent: Any, user_prompt: Any = None, /, **run_kwargs: Any) -> Any:
    """A framework agent's run whose approval requests the widget (and ``run.approve``,
    ``run.deny``...) answers, resuming it in the same run: ``nbagent.show(
    nbagent.with_approvals(agent, "delete the logs", deps=deps))``.

    ``agent``: a pydantic-ai ``Agent`` (``run_kwargs`` go to ``agent.run_stream_events``).
    The Agents SDK needs no wrapper: show ``Runner.run_streamed(agent, input)`` itself.
    """
    if type_is(agent, "pydantic_ai", "AbstractAgent", "Agent", "WrapperAgent"):
        return PydanticAIApprovals(agent, user_prompt, **run_kwargs)
    raise TypeError(
        f"with_approvals() takes a pydantic-ai Agent, got {type(agent).__name__}; "
        "show an Agents SDK run as Runner.run_streamed(agent, input)"
    )
