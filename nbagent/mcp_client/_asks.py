"""What a server asks of the user mid-call: elicitation (a form to fill in) and sampling (a
message from the client's model), kept until the notebook answers them (``Asks``).

The SDK calls ``elicit`` and ``sample`` on the connection's loop, for requests the server
sends (protocol revisions up to 2025-11-25) and for the input a multi-round-trip result asks
for (2026-07-28) alike; each waits for ``answer`` from any thread (a cell, the inspector's
comm handler), or for the call to end.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nbagent.mcp_client._types import McpError

if TYPE_CHECKING:
    from mcp import types

__all__ = ["CALLER", "TASK_SEEN", "Asks", "McpRequest", "TaskSeen", "check_answer"]

Action = Literal["accept", "decline", "cancel"]

CALLER: ContextVar[str | None] = ContextVar("nbagent_mcp_caller", default=None)
"""Who makes a request (an agent's tool call id), so that what the server asks during it is
known to be its question: on revisions from 2026-07-28 the SDK asks within the request's own
task. (Earlier revisions ask from the connection's reader: the caller is unknown there.)"""

TaskSeen = Callable[[dict[str, Any]], None]
TASK_SEEN: ContextVar[TaskSeen | None] = ContextVar("nbagent_mcp_task_seen", default=None)
"""Who is told of a call's task (``_tasks.py``) as it changes: ``{"id", "status",
"message"}``; set by the call for the request it makes."""


@dataclass(frozen=True)
class McpRequest:
    """A server's request for the user, made mid-call: an elicitation (a form of ``schema``'s
    fields, or a ``url``) or a sampling request (``messages`` for a model to answer). Listed in
    ``server.pending`` and shown in the inspector; it waits for
    ``server.answer(request, "accept", {...})`` (or ``"decline"``, ``"cancel"``)."""

    id: str
    kind: Literal["elicitation", "sampling"]
    message: str
    """What the server says it wants (an elicitation's message; sampling: the last message)."""
    schema: dict[str, Any] | None = None
    """An elicitation's requested schema: an object of flat fields."""
    url: str | None = None
    """A URL elicitation's address (the user goes there; nothing passes through nbagent)."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Sampling: the conversation to answer, ``{"role", "text"}`` each."""
    system_prompt: str | None = None
    max_tokens: int | None = None
    caller: str | None = None
    """The request it came during, when known (``CALLER``)."""

    def to_json(self) -> dict[str, Any]:
        """What the inspector shows of it."""
        out = {"id": self.id, "kind": self.kind, "message": self.message}
        extra = {
            "schema": self.schema,
            "url": self.url,
            "messages": self.messages or None,
            "system_prompt": self.system_prompt,
            "max_tokens": self.max_tokens,
        }
        return out | {k: v for k, v in extra.items() if v is not None}


class Asks:
    """The connection's pending requests. ``changed()`` is called (on the loop) whenever one
    arrives or is answered."""

    def __init__(self, changed: Callable[[], None]) -> None:
        self.changed = changed
        self._pending: dict[str, tuple[McpRequest, asyncio.Future[Any]]] = {}
        self._ids = itertools.count(1)
        self._claimed: set[str] = set()
        self._claims = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    def claim(self, request_id: str) -> bool:
        """True the first time only: who claims a request answers it (an agent's call)."""
        with self._claims:
            if request_id in self._claimed or request_id not in self._pending:
                return False
            self._claimed.add(request_id)
            return True

    def unclaim(self, request_id: str) -> None:
        """Whoever claimed it will not answer it after all (its call ended): another may."""
        with self._claims:
            if request_id not in self._claimed:
                return
            self._claimed.discard(request_id)
        if self.loop is not None and request_id in self._pending:
            self.loop.call_soon_threadsafe(self.changed)

    @property
    def pending(self) -> list[McpRequest]:
        return [request for request, _ in list(self._pending.values())]

    async def elicit(self, _context: Any, params: types.ElicitRequestParams) -> Any:
        from mcp import types

        url = getattr(params, "url", None)
        schema = getattr(params, "requested_schema", None)
        request = McpRequest(
            f"ask-{next(self._ids)}",
            "elicitation",
            params.message,
            schema=schema,
            url=url,
            caller=CALLER.get(),
        )
        action, content = await self._wait(request)
        return types.ElicitResult(action=action, content=content if action == "accept" else None)

    async def sample(self, _context: Any, params: types.CreateMessageRequestParams) -> Any:
        from mcp import types

        messages = [{"role": m.role, "text": _text_of(m.content)} for m in params.messages]
        request = McpRequest(
            f"ask-{next(self._ids)}",
            "sampling",
            messages[-1]["text"] if messages else "",
            messages=messages,
            system_prompt=params.system_prompt,
            max_tokens=params.max_tokens,
            caller=CALLER.get(),
        )
        action, text = await self._wait(request)
        if action != "accept":
            return types.ErrorData(code=-1, message=f"the user {action}d the sampling request")
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=str(text)),
            model="the notebook's user",
            stop_reason="endTurn",
        )

    async def _wait(self, request: McpRequest) -> tuple[Action, Any]:
        self.loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[Action, Any]] = self.loop.create_future()
        self._pending[request.id] = (request, future)
        self.changed()
        try:
            return await future
        finally:
            self._pending.pop(request.id, None)
            with self._claims:
                self._claimed.discard(request.id)
            self.changed()

    def answer(self, request_id: str, action: Action, content: Any) -> None:
        """Answer a pending request from any thread; McpError when none has that id."""
        if action not in ("accept", "decline", "cancel"):
            raise ValueError(f"action must be accept, decline or cancel, not {action!r}")
        entry = self._pending.get(request_id)
        if entry is None or self.loop is None:
            raise McpError(f"no pending request {request_id!r} (answered, or its call ended)")
        request, future = entry
        if action == "accept":
            content = check_answer(request, content)

        def settle() -> None:
            if not future.done():
                future.set_result((action, content))

        self.loop.call_soon_threadsafe(settle)


def check_answer(request: McpRequest, content: Any) -> Any:
    """An accepted answer's content, as the request's kind needs it (an elicitation's empty
    fields left out); ``ValueError`` naming the required fields it lacks."""
    if request.kind == "sampling":
        if not isinstance(content, str):
            raise TypeError("a sampling answer is the reply's text (a str)")
        return content
    if request.url is not None:
        return None
    if not isinstance(content, dict):
        raise TypeError("an elicitation answer is a dict of the requested fields")
    required = (request.schema or {}).get("required", [])
    missing = [name for name in required if content.get(name) in (None, "")]
    if missing:
        raise ValueError(f"required: {', '.join(missing)}")
    return {k: v for k, v in content.items() if v is not None}


def _text_of(content: Any) -> str:
    """A sampling message's content as text (a list of blocks, or one)."""
    blocks = content if isinstance(content, list) else [content]
    parts = []
    for b in blocks:
        text = getattr(b, "text", None)
        parts.append(text if isinstance(text, str) else f"[{getattr(b, 'type', 'content')}]")
    return "\n".join(parts)
