"""What an MCP server says besides its results, as its inspector and an agent's calls read it:
its log messages, the connection's JSON-RPC messages, the requests it makes of the user mid-call
(elicitation, sampling: answered, or claimed by the call that pauses with them), and a watch on
their changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from nbagent.mcp_client._asks import McpRequest
from nbagent.mcp_client._connection import Connection
from nbagent.mcp_client._types import McpLogEntry

__all__ = ["ServerTraffic"]


class ServerTraffic:
    """``McpServer``'s log, JSON-RPC messages and pending requests, read off its connection."""

    _conn: Connection

    @property
    def log(self) -> list[McpLogEntry]:
        """The log messages the server sent, oldest first (the last 1,000)."""
        return list(self._conn.log)

    @property
    def pending(self) -> list[McpRequest]:
        """What the server asks of the user mid-call and waits for (elicitation: a form to
        fill in; sampling: a reply from the client's model), oldest first."""
        return self._conn.asks.pending

    def answer(
        self,
        request: McpRequest | str,
        action: Literal["accept", "decline", "cancel"] = "accept",
        content: Any = None,
    ) -> None:
        """Answer a pending request (``server.pending``): accept an elicitation with a dict
        of its fields, a sampling request with the reply's text; or decline or cancel."""
        rid = request if isinstance(request, str) else request.id
        self._conn.asks.answer(rid, action, content)

    def claim(self, request_id: str) -> bool:
        """True the first time only: who claims a pending request answers it (an agent's
        call, which pauses with it); the others leave it alone."""
        return self._conn.asks.claim(request_id)

    def unclaim(self, request_id: str) -> None:
        """A claimed request will not be answered by its claimer after all: another may."""
        self._conn.asks.unclaim(request_id)

    @property
    def rpc(self) -> list[dict[str, Any]]:
        """The connection's newest JSON-RPC messages: ``{"dir": "in" | "out", "at", "text"}``."""
        return list(self._conn.rpc.entries)

    @property
    def log_count(self) -> int:
        """Log messages received since connecting (``log`` keeps the newest)."""
        return self._conn.log_count

    @property
    def rpc_count(self) -> int:
        """JSON-RPC messages passed since connecting (``rpc`` keeps the newest)."""
        return self._conn.rpc.count

    def watch(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(what)`` (on nbagent's loop thread) when the server's "log", "rpc"
        or pending requests ("asks") change; returns the function that stops it."""
        self._conn.watchers.append(callback)
        return lambda: self._conn.watchers.remove(callback)
