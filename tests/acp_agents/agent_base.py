"""What the scripted ACP agents share (``scripted.py``, ``sessions.py``, ``terminals.py``,
``showcase.py`` here, and ``benchmarks/acp_agent.py``): the SDK's ``initialize``,
``session/new`` and ``session/cancel``, and the four usual permission options.

A module beside them, not ``tests/acp_agents/__init__.py``: they run as scripts (``python
scripted.py``), where only their own directory is sure to be on ``sys.path``; ``tests`` there
would be whichever checkout the editable install points at, not theirs. (The benchmark's agent
puts its checkout's root first on the path, and imports ``tests.acp_agents.agent_base``.)
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from acp.helpers import update_agent_message_text
from acp.schema import (
    AgentCapabilities,
    InitializeResponse,
    NewSessionResponse,
    PermissionOption,
    ToolCallUpdate,
)

__all__ = ["OPTIONS", "ScriptedAgent", "prompt_text"]

OPTIONS = [
    PermissionOption(option_id="yes", name="Allow once", kind="allow_once"),
    PermissionOption(option_id="always", name="Allow always", kind="allow_always"),
    PermissionOption(option_id="no", name="Reject once", kind="reject_once"),
    PermissionOption(option_id="never", name="Reject always", kind="reject_always"),
]
"""The four options an agent offers with a permission request."""


def prompt_text(prompt: list[Any]) -> str:
    """A prompt's text blocks, joined (other blocks say nothing here)."""
    return "".join(getattr(block, "text", "") for block in prompt)


class ScriptedAgent:
    """An agent's connection and session, the same in every script: ``initialize`` answers
    with ``capabilities()`` and ``auth_methods()`` (a subclass's own) and notes whether the
    client offers terminals (``terminals``); ``session/new`` opens session
    ``sess-<behaviour>`` in ``cwd``; ``session/cancel`` sets ``cancelled``."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.conn: Any = None
        self.cancelled = asyncio.Event()
        self.terminals = False
        self.cwd = os.getcwd()  # the session's once one opens

    def on_connect(self, conn: Any) -> None:
        self.conn = conn

    def capabilities(self) -> AgentCapabilities:
        return AgentCapabilities()

    def auth_methods(self) -> list[Any]:
        return []

    async def initialize(
        self, protocol_version: int, client_capabilities: Any = None, **kwargs: Any
    ) -> InitializeResponse:
        self.terminals = bool(client_capabilities and client_capabilities.terminal)
        return InitializeResponse(
            protocol_version=protocol_version,
            agent_capabilities=self.capabilities(),
            auth_methods=self.auth_methods(),
        )

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        self.cwd = cwd
        return NewSessionResponse(session_id=f"sess-{self.behaviour}")

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        self.cancelled.set()

    async def say(self, session_id: str, text: str) -> None:
        await self.conn.session_update(session_id, update_agent_message_text(text))

    async def ask(self, session_id: str, call_id: str, title: str, **fields: Any) -> str:
        """Ask permission for tool call ``call_id`` with ``OPTIONS``: the option chosen, or
        the outcome (``cancelled``) when none was."""
        call = ToolCallUpdate(tool_call_id=call_id, title=title, **fields)
        answer = await self.conn.request_permission(
            options=OPTIONS, session_id=session_id, tool_call=call
        )
        outcome = answer.outcome
        return getattr(outcome, "option_id", None) or outcome.outcome
