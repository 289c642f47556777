"""MCP tasks (the ``io.modelcontextprotocol/tasks`` extension, protocol 2026-07-28): a
``tools/call`` a server answers with ``resultType: "task"`` is followed to its end.

``Tasks`` is a client extension of the SDK (``mcp.client.extension``): declared to the
server, it claims the ``task`` result shape of ``tools/call`` (the SDK hands the claimed
result to ``follow``, which returns the call's ordinary result) and observes
``notifications/tasks``. ``follow`` polls ``tasks/get`` at the server's ``pollIntervalMs``
(woken early by a notification for the task), answers ``input_required`` through the
connection's elicitation and sampling callbacks (the question form, ``server.pending``) with
``tasks/update``, and sends ``tasks/cancel`` when the call is cancelled (Stop, an interrupt)
or outlives its timeout. Each change of the task is told to the caller's ``TASK_SEEN``.

What a server sends is read field by field: a snapshot with a status no revision has or
without one is skipped (the task keeps its last known status), a message that is not text
is left out, intervals are bounded; a task that does not end ends at the timeout.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import anyio
from mcp.client.extension import ClaimContext, ClientExtension, NotificationBinding, ResultClaim
from mcp.client.session import ClientRequestContext
from mcp_types import (
    CallToolResult,
    ErrorData,
    InputRequest,
    NotificationParams,
    Request,
    RequestParams,
    Result,
)
from pydantic import ConfigDict, TypeAdapter, ValidationError

from nbagent.mcp_client._asks import TASK_SEEN, TaskSeen
from nbagent.mcp_client._results import task_text
from nbagent.mcp_client._types import McpError

if TYPE_CHECKING:
    from mcp.client.session import ClientSession

__all__ = ["STATUSES", "TASKS", "Tasks", "read_task"]

TASKS = "io.modelcontextprotocol/tasks"
"""The extension's identifier."""
STATUSES = ("working", "input_required", "completed", "failed", "cancelled")
ENDED = frozenset({"completed", "failed", "cancelled"})
POLL_S = (0.05, 60.0)
"""The bounds of a poll interval (the server's ``pollIntervalMs``, 1 s when it gives none)."""
CANCEL_S = 5.0
"""How long ``tasks/cancel`` may take when a call is cancelled."""
EARLY_KEPT = 64
"""Tasks whose notification came before their handle, kept (the newest)."""
MESSAGE_CHARS = 2000
"""Characters of a status message kept."""
TELL_S = 0.1
"""A new status is told at once; a new message of the same status at most this often (a
server may send thousands a second)."""


class CreateTaskResult(Result):
    """A task handle in place of a ``CallToolResult`` (``Result & Task``, flat)."""

    model_config = ConfigDict(extra="allow")
    result_type: Literal["task"] = "task"
    task_id: str
    status: str


class _TaskParams(RequestParams):
    task_id: str
    input_responses: dict[str, Any] | None = None


class _TaskRequest(Request[_TaskParams, str]):
    """``tasks/get``, ``tasks/update`` or ``tasks/cancel``: ``Mcp-Name`` is its task id."""

    name_param: ClassVar[str | None] = "taskId"
    method: str
    params: _TaskParams


class _TaskNotice(NotificationParams):
    model_config = ConfigDict(extra="allow")


_RAW = TypeAdapter(dict[str, Any])
_INPUT = TypeAdapter(InputRequest)


def read_task(raw: Any) -> dict[str, Any] | str:
    """A task snapshot (``tasks/get``'s result, a notification's params) as nbagent keeps it:
    ``{"status", "message", "poll_s", ...}``; or why it is skipped (one line)."""
    if not isinstance(raw, dict):
        return f"a task snapshot that is not an object ({type(raw).__name__})"
    status = raw.get("status")
    if status not in STATUSES:
        shown = repr(status)[:60] if status is not None else "no status"
        return f"a task snapshot with {shown} skipped (not a status of MCP tasks)"
    out: dict[str, Any] = {"status": status}
    message = raw.get("statusMessage")
    if isinstance(message, str):
        out["message"] = message[:MESSAGE_CHARS]
    poll = raw.get("pollIntervalMs")
    if isinstance(poll, int | float) and not isinstance(poll, bool) and math.isfinite(poll):
        out["poll_s"] = min(max(poll / 1000, POLL_S[0]), POLL_S[1])
    for key in ("result", "error", "inputRequests"):
        if key in raw:
            out[key] = raw[key]
    return out


def _key(task_id: Any) -> str:
    """A task id as the followed tasks are keyed (a hostile id of megabytes: its start)."""
    return str(task_id)[:200]


class _Followed:
    """One task being followed: its newest snapshot from a notification, and a wake-up."""

    def __init__(self) -> None:
        self.pushed: Any = None
        self.wake = anyio.Event()


class Tasks(ClientExtension):
    """The tasks extension of one connection."""

    identifier = TASKS

    def __init__(self) -> None:
        self.followed: dict[str, _Followed] = {}
        self.early: dict[str, Any] = {}
        """The newest notification of a task not followed yet (its handle may still be on
        its way), of the last ``EARLY_KEPT`` tasks."""

    def claims(self) -> Sequence[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreateTaskResult, resolve=self.follow)]

    def notifications(self) -> Sequence[NotificationBinding[Any]]:
        return [
            NotificationBinding(
                method="notifications/tasks", params_type=_TaskNotice, handler=self.on_notice
            )
        ]

    async def on_notice(self, params: _TaskNotice) -> None:
        """A task's new state, pushed: kept for its follower, which wakes (kept in ``early``
        for a task nobody follows yet)."""
        raw = params.model_dump(by_alias=True)
        task_id = _key(raw.get("taskId"))
        followed = self.followed.get(task_id)
        if followed is None:
            self.early.pop(task_id, None)
            self.early[task_id] = raw
            if len(self.early) > EARLY_KEPT:
                del self.early[next(iter(self.early))]
            return
        followed.pushed = raw
        followed.wake.set()

    async def follow(self, created: CreateTaskResult, ctx: ClaimContext) -> CallToolResult:
        """The task to its end: its result, or McpError saying how it ended."""
        task = _Task(created.task_id, ctx.session, TASK_SEEN.get())
        key = _key(task.id)
        self.followed[key] = followed = _Followed()
        if key in self.early:  # said before its handle came
            followed.pushed = self.early.pop(key)
            followed.wake.set()
        timeout = ctx.read_timeout_seconds
        try:
            with anyio.fail_after(timeout):
                return await task.run(created.model_dump(by_alias=True), followed)
        except TimeoutError:
            await task.cancel()
            raise McpError(
                f"task {task.id} did not end within {timeout:g} s ({task.status}): cancelled it"
            ) from None
        except anyio.get_cancelled_exc_class():
            await task.cancel()
            raise
        except Exception:  # its question refused, the server gone: the task is not left going
            if task.status not in ENDED:
                await task.cancel()
            raise
        finally:
            self.followed.pop(key, None)


class _Task:
    """A task's state on nbagent's side, and the requests that move it on."""

    def __init__(self, task_id: str, session: ClientSession, seen: TaskSeen | None) -> None:
        self.id = task_id
        self.session = session
        self.seen = seen
        self.status = "working"
        self.poll_s = 1.0
        self.view: dict[str, Any] = {"id": task_id, "status": "working"}
        self.told: tuple[dict[str, Any], float] = ({}, -math.inf)
        """The view the caller was last told of, and when (``time.monotonic``)."""
        self.answered: set[str] = set()
        self.skipped: set[str] = set()

    async def run(self, first: dict[str, Any], followed: _Followed) -> CallToolResult:
        snapshot: Any = first
        while True:
            state = read_task(snapshot)
            if isinstance(state, dict):
                self.take(state)
                if self.status in ENDED:
                    return self.ended(state)
                if self.status == "input_required":
                    await self.answer(state.get("inputRequests"))
            else:
                self.skip(state)
            snapshot = await self.next(followed)

    async def next(self, followed: _Followed) -> Any:
        """The task's next snapshot: pushed (a notification), else ``tasks/get`` once the
        poll interval has passed; a message held back (``TELL_S``) told meanwhile."""
        due = time.monotonic() + self.poll_s
        while True:
            held = self.view != self.told[0]
            until = min(due, self.told[1] + TELL_S) if held else due
            with anyio.move_on_after(max(0.0, until - time.monotonic())):
                await followed.wake.wait()
            if followed.wake.is_set():
                followed.wake = anyio.Event()
                pushed, followed.pushed = followed.pushed, None
                if pushed is not None:
                    return pushed
            if time.monotonic() >= due:
                return await self.request("tasks/get")
            if held:
                self.tell()

    def take(self, state: dict[str, Any]) -> None:
        """A snapshot's status, message and interval; the caller told when they changed."""
        self.status = state["status"]
        self.poll_s = state.get("poll_s", self.poll_s)
        view: dict[str, Any] = {"id": self.id, "status": self.status}
        if "message" in state:
            view["message"] = state["message"]
        if self.skipped:
            view["skipped"] = sorted(self.skipped)
        self.view = view
        told, at = self.told
        if view != told and (
            view["status"] != told.get("status") or time.monotonic() >= at + TELL_S
        ):
            self.tell()

    def tell(self) -> None:
        """The caller told of the task's view (when it changed since it was last told)."""
        if self.view != self.told[0]:
            self.told = (self.view, time.monotonic())
            if self.seen is not None:
                self.seen(self.view | {"text": task_text(self.view)})

    def skip(self, why: str) -> None:
        """A snapshot that could not be read: said once (in the task's view), the task
        keeping its last known state."""
        if why in self.skipped or len(self.skipped) >= 8:
            return
        self.skipped.add(why)
        self.view = self.view | {"skipped": sorted(self.skipped)}
        self.tell()

    def ended(self, state: dict[str, Any]) -> CallToolResult:
        self.tell()  # its last message, however soon after the one before
        if self.status == "completed":
            try:
                return CallToolResult.model_validate(state.get("result"), by_name=False)
            except ValidationError:
                raise McpError(
                    f"task {self.id} completed without a tool result (its result is not one)"
                ) from None
        if self.status == "cancelled":
            said = f": {state['message']}" if state.get("message") else ""
            raise McpError(f"task {self.id} was cancelled{said}")
        error = state.get("error")
        detail = error.get("message") if isinstance(error, dict) else None
        why = detail if isinstance(detail, str) else state.get("message") or "no reason given"
        raise McpError(f"task {self.id} failed: {str(why)[:MESSAGE_CHARS]}")

    async def answer(self, requests: Any) -> None:
        """What an ``input_required`` task asks, each key once, through the connection's
        elicitation and sampling callbacks; the answers sent with ``tasks/update``."""
        if not isinstance(requests, dict):
            self.skip("an input_required task without its inputRequests")
            return
        answers: dict[str, Any] = {}
        for key, raw in list(requests.items())[:16]:
            if key in self.answered:
                continue
            self.answered.add(key)
            try:
                request = _INPUT.validate_python(raw, by_name=False)
            except ValidationError:
                self.skip(f"an input request {key[:40]!r} that is not one MCP defines")
                continue
            ctx = ClientRequestContext(session=self.session, request_id=key)
            reply = await self.session.dispatch_input_request(ctx, request)
            if isinstance(reply, ErrorData):
                raise McpError(f"task {self.id}: {reply.message}")
            answers[key] = reply.model_dump(by_alias=True, mode="json", exclude_none=True)
        if answers:
            await self.request("tasks/update", answers)

    async def request(self, method: str, answers: dict[str, Any] | None = None) -> Any:
        params = _TaskParams(task_id=self.id, input_responses=answers)
        return await self.session.send_request(_TaskRequest(method=method, params=params), _RAW)

    async def cancel(self) -> None:
        """``tasks/cancel`` (shielded: the call itself is being cancelled); a server that
        does not answer in ``CANCEL_S`` is left to its TTL."""
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            with anyio.fail_after(CANCEL_S):
                await self.request("tasks/cancel")
        if self.status not in ENDED:
            self.view = self.view | {"status": "cancelled", "message": "cancelled by nbagent"}
            self.tell()
