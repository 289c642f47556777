"""The start of an ACP connection, once the agent's process runs: ``initialize`` with nbagent's
client capabilities, ``authenticate`` when asked, then the session opened (``session/new``, or
``session/load`` with its replayed history ended as a turn), and the auth methods an error lists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbagent.acp_client._client import NbagentClient
from nbagent.acp_client._sessions import SessionPlan, apply_session, describe_auth, open_session
from nbagent.acp_client._turn import Turn
from nbagent.acp_client._types import AcpError
from nbagent.core.stderr import client_version

__all__ = ["AUTH_REQUIRED", "Handshake"]

AUTH_REQUIRED = -32000
"""The JSON-RPC error code of ACP's ``auth_required``."""


class Handshake:
    """``AgentProcess``'s start of the connection, over the fields it sets up."""

    argv: list[str]
    cwd: Path
    plan: SessionPlan | None
    client: NbagentClient
    label: str
    conn: Any
    capabilities: Any
    auth_methods: list[Any]
    session_id: str
    turns: dict[str, Turn]

    async def _handshake(self, roots: Sequence[Path], auth: str | None) -> None:
        from acp import PROTOCOL_VERSION, RequestError
        from acp.schema import (
            ClientCapabilities,
            ElicitationCapabilities,
            ElicitationFormCapabilities,
            ElicitationUrlCapabilities,
            FileSystemCapabilities,
            Implementation,
            PlanCapabilities,
        )

        capabilities = ClientCapabilities(
            fs=FileSystemCapabilities(read_text_file=True, write_text_file=True),
            terminal=self.client.terminals is not None,
            elicitation=ElicitationCapabilities(
                form=ElicitationFormCapabilities(), url=ElicitationUrlCapabilities()
            ),
            plan=PlanCapabilities(),  # plan_update / plan_removed (adapters/acp): shown
        )
        init = await self.conn.initialize(
            protocol_version=PROTOCOL_VERSION,
            client_capabilities=capabilities,
            client_info=Implementation(name="nbagent", version=client_version()),
        )
        self.auth_methods = list(init.auth_methods or [])
        self.capabilities = init.agent_capabilities
        if auth is not None:
            if auth not in [m.id for m in self.auth_methods]:
                raise AcpError(f"{self.label}: no auth method {auth!r}; {self.auth_list()}")
            await self.conn.authenticate(method_id=auth)
        plan = self.plan or SessionPlan(self.cwd, list(roots[1:]), [])
        history = plan.history if plan.load is not None else None
        if plan.load is not None and history is not None:
            self.turns[plan.load] = history  # session/load's replayed updates: the history's
        try:
            session = await open_session(self.conn, self.capabilities, plan, self.label)
        except RequestError as exc:
            if exc.code != AUTH_REQUIRED:
                raise
            hint = "name one with nbagent.acp(..., auth=<id>)"
            needs = f"{self.label}: the agent requires authentication"
            raise AcpError(f"{needs}; {self.auth_list()}; {hint}") from None
        finally:
            self.turns.clear()
        self.session_id = plan.load or session.session_id
        self.client.main = self.session_id
        apply_session(self.client, session)
        if history is not None:
            from acp.schema import PromptResponse

            # The adapter ends a run at a prompt's response: the history's end is the end of
            # the last turn it replayed.
            history.end(
                PromptResponse(stop_reason="end_turn", field_meta={"nbagent": "session/load"})
            )
            history.finished.set()

    def auth_list(self) -> str:
        return describe_auth(self.auth_methods, self.argv)
