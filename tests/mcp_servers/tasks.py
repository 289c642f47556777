"""An MCP server written with the SDK (``mcp`` 2.x) whose tools answer with a task (the
``io.modelcontextprotocol/tasks`` extension, through the SDK's server ``Extension`` API):
``build`` works for a while, its status message saying each step; ``approve`` asks for input
(``input_required``, an elicitation answered with ``tasks/update``), ``ask_model`` for a
sampling reply; ``explode`` fails; ``forever`` runs until ``tasks/cancel``; ``pushed`` says each
change with ``notifications/tasks`` and asks to be polled only every minute (``early``: all
of them before its handle is sent; ``burst``: two at once, then none). ``add`` answers at
once.
Run as ``python -m tests.mcp_servers.tasks [--log FILE] [--hostile]``.

``--hostile``: the task tools' answers go wrong: ``odd_status`` (a status no revision has),
``no_id`` (a task without its id), ``bad_types`` (fields of the wrong types), ``endless``
(working until cancelled, polled every 10 ms) and ``flood`` (1,000 notifications, then done).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.server import require_client_extension
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolRequestParams, Notification, NotificationParams, RequestParams
from pydantic import ConfigDict

TASKS = "io.modelcontextprotocol/tasks"
LOG: Path | None = None
HOSTILE = False


def log(line: str) -> None:
    if LOG is not None:
        with LOG.open("a") as f:
            f.write(line + "\n")


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class TaskParams(RequestParams):
    """``tasks/get``, ``tasks/update`` and ``tasks/cancel``: a task's id (and answers)."""

    model_config = ConfigDict(extra="allow")
    taskId: str
    inputResponses: dict[str, Any] | None = None


class TaskState(NotificationParams):
    model_config = ConfigDict(extra="allow")


class TaskNotice(Notification[TaskState, str]):
    """``notifications/tasks``: the task as ``tasks/get`` would answer."""

    method: str = "notifications/tasks"
    params: TaskState


class Job:
    """One task: its state as the wire says it, the work that moves it on."""

    def __init__(self, task_id: str, poll_ms: int) -> None:
        self.state: dict[str, Any] = {
            "taskId": task_id,
            "status": "working",
            "createdAt": now(),
            "lastUpdatedAt": now(),
            "ttlMs": 600_000,
            "pollIntervalMs": poll_ms,
        }
        self.answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.work: asyncio.Task[None] | None = None
        self.push: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    async def set(self, **fields: Any) -> None:
        for key in ("statusMessage", "inputRequests", "result", "error"):
            self.state.pop(key, None)
        self.state.update(fields, lastUpdatedAt=now())
        if self.push is not None:
            await self.push(dict(self.state))


def text(value: str, error: bool = False) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": value}], "isError": error}


async def build_work(job: Job, args: dict[str, Any]) -> None:
    steps = int(args.get("steps", 3))
    for i in range(1, steps + 1):
        await job.set(status="working", statusMessage=f"step {i} of {steps}")
        await asyncio.sleep(0.05)
    await job.set(status="completed", statusMessage="built", result=text(f"built in {steps} steps"))


async def approve_work(job: Job, args: dict[str, Any]) -> None:
    item = str(args.get("item", "it"))
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "description": "Who approves"}},
        "required": ["name"],
    }
    ask = {
        "method": "elicitation/create",
        "params": {"mode": "form", "message": f"Approve {item}?", "requestedSchema": schema},
    }
    await job.set(
        status="input_required", statusMessage="waiting for approval", inputRequests={"who": ask}
    )
    answer = (await job.answers.get()).get("who") or {}
    log(f"answer {answer}")
    if answer.get("action") != "accept":
        await job.set(status="completed", result=text(f"{item}: {answer.get('action')}d"))
        return
    await job.set(status="working", statusMessage="approved")
    name = (answer.get("content") or {}).get("name", "")
    await job.set(status="completed", result=text(f"{item} approved by {name}"))


async def ask_model_work(job: Job, args: dict[str, Any]) -> None:
    message = {"role": "user", "content": {"type": "text", "text": str(args.get("prompt", ""))}}
    ask = {"method": "sampling/createMessage", "params": {"messages": [message], "maxTokens": 50}}
    await job.set(
        status="input_required", statusMessage="asking the model", inputRequests={"reply": ask}
    )
    answer = (await job.answers.get()).get("reply") or {}
    said = (answer.get("content") or {}).get("text", "")
    await job.set(status="completed", result=text(f"the model said: {said}"))


async def explode_work(job: Job, _args: dict[str, Any]) -> None:
    await job.set(status="working", statusMessage="lighting the fuse")
    error = {"code": -32603, "message": "the build machine caught fire"}
    await job.set(
        status="failed", statusMessage="failed: the build machine caught fire", error=error
    )


async def forever_work(job: Job, _args: dict[str, Any]) -> None:
    for i in itertools.count(1):
        await job.set(status="working", statusMessage=f"still going ({i})")
        await asyncio.sleep(0.2)


async def pushed_work(job: Job, args: dict[str, Any]) -> None:
    await build_work(job, args)


async def burst_work(job: Job, _args: dict[str, Any]) -> None:
    await job.set(status="working", statusMessage="step 1 of 2")
    await job.set(status="working", statusMessage="step 2 of 2")
    await asyncio.Event().wait()  # then nothing, until cancelled


async def odd_status_work(job: Job, _args: dict[str, Any]) -> None:
    # Created "paused" (the interceptor): that snapshot, and the polls that see it, skipped.
    await asyncio.sleep(0.2)
    await job.set(status="completed", result=text("done after an odd status"))


async def bad_types_work(job: Job, _args: dict[str, Any]) -> None:
    await job.set(status="working", statusMessage=["not", "a", "string"], pollIntervalMs="soon")
    await asyncio.sleep(0.05)
    await job.set(status="completed", result="not a result object")


async def flood_work(job: Job, _args: dict[str, Any]) -> None:
    # A thousand: told at most every 0.1 s, each would be told only if they took 100 s to come.
    for i in range(1_000):
        await job.set(status="working", statusMessage=f"flood {i}")
    await job.set(status="completed", result=text("done after 1,000 notifications"))


async def run(
    job: Job, work: Callable[[Job, dict[str, Any]], Awaitable[None]], args: dict[str, Any]
) -> None:
    try:
        await work(job, args)
    except Exception as exc:
        log(f"work failed: {type(exc).__name__}: {exc}")
        raise


WORK: dict[str, Callable[[Job, dict[str, Any]], Awaitable[None]]] = {
    "build": build_work,
    "approve": approve_work,
    "explode": explode_work,
    "ask_model": ask_model_work,
    "forever": forever_work,
    "pushed": pushed_work,
    "early": pushed_work,
    "burst": burst_work,
}
HOSTILE_WORK: dict[str, Callable[[Job, dict[str, Any]], Awaitable[None]]] = {
    "odd_status": odd_status_work,
    "no_id": build_work,
    "bad_types": bad_types_work,
    "endless": forever_work,
    "flood": flood_work,
}
POLL_MS = {"pushed": 60_000, "early": 60_000, "burst": 60_000, "flood": 60_000, "endless": 10}


class Tasks(Extension):
    """The tasks extension: task tools answer with a task; ``tasks/*`` follow it."""

    identifier = TASKS

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.ids = itertools.count(1)

    def methods(self) -> Sequence[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskParams, self.get),
            MethodBinding("tasks/update", TaskParams, self.update),
            MethodBinding("tasks/cancel", TaskParams, self.cancel),
        ]

    async def intercept_tool_call(
        self,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> HandlerResult:
        work = (HOSTILE_WORK if HOSTILE else WORK).get(params.name)
        if work is None:
            return await call_next(ctx)
        require_client_extension(ctx, TASKS)
        task_id = f"task-{params.name}-{next(self.ids)}"
        job = self.jobs[task_id] = Job(task_id, POLL_MS.get(params.name, 20))
        if params.name in ("pushed", "flood", "early", "burst"):
            session = ctx.session

            async def push(state: dict[str, Any]) -> None:
                await session.send_notification(TaskNotice(params=TaskState(**state)))  # type: ignore[arg-type]

            job.push = push
        log(f"call {params.name} {task_id}")
        if params.name == "early":  # done, and said so, before its handle is sent
            seed = dict(job.state)
            await run(job, work, dict(params.arguments or {}))
            return {"resultType": "task", **seed}
        job.work = asyncio.get_running_loop().create_task(
            run(job, work, dict(params.arguments or {}))
        )
        if params.name == "odd_status":
            job.state |= {"status": "paused", "statusMessage": "a status no revision has"}
        created = {"resultType": "task", **job.state}
        if params.name == "no_id":
            created.pop("taskId")
        return created

    def job(self, params: TaskParams) -> Job:
        job = self.jobs.get(params.taskId)
        if job is None:
            raise MCPError(code=-32602, message=f"Failed to retrieve task: no task {params.taskId}")
        return job

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        require_client_extension(ctx, TASKS)
        return {"resultType": "complete", **self.job(params).state}

    async def update(
        self, ctx: ServerRequestContext[Any, Any], params: TaskParams
    ) -> HandlerResult:
        job = self.job(params)
        log(f"update {params.taskId} {sorted(params.inputResponses or {})}")
        await job.answers.put(params.inputResponses or {})
        return {"resultType": "complete"}

    async def cancel(
        self, ctx: ServerRequestContext[Any, Any], params: TaskParams
    ) -> HandlerResult:
        job = self.job(params)
        log(f"cancel {params.taskId}")
        if job.work is not None:
            job.work.cancel()
        if job.state["status"] not in ("completed", "failed", "cancelled"):
            await job.set(status="cancelled", statusMessage="cancelled by the client")
        return {"resultType": "complete"}


server = MCPServer("tasks", instructions="Tools that answer with a task.", extensions=[Tasks()])


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers (at once, no task)."""
    return a + b


# The tools as listed. A client that declares the extension gets a task from the
# interceptor above; one that does not gets -32021 (the SDK's require_client_extension):
# these bodies never run.
@server.tool(description="Build something in steps; answers with a task.", structured_output=False)
def build(steps: int = 3) -> str:
    return f"built in {steps} steps"


@server.tool(
    description="Ask for an approval; answers with a task that asks for input.",
    structured_output=False,
)
def approve(item: str) -> str:
    return item


@server.tool(
    description="Ask the client's model; answers with a task that asks for sampling.",
    structured_output=False,
)
def ask_model(prompt: str) -> str:
    return prompt


@server.tool(description="Fail; answers with a task that fails.", structured_output=False)
def explode() -> str:
    return ""


@server.tool(description="Run until cancelled; answers with a task.", structured_output=False)
def forever() -> str:
    return ""


@server.tool(
    description="Build in steps, each said with notifications/tasks.", structured_output=False
)
def pushed(steps: int = 3) -> str:
    return f"built in {steps} steps"


@server.tool(
    description="Build in steps, said with notifications/tasks before the task's handle is sent.",
    structured_output=False,
)
def early(steps: int = 3) -> str:
    return f"built in {steps} steps"


@server.tool(
    description="Say two steps at once with notifications/tasks, then nothing until cancelled.",
    structured_output=False,
)
def burst() -> str:
    return ""


@server.tool(description="Hostile: a task with a status no revision has.", structured_output=False)
def odd_status() -> str:
    return ""


@server.tool(description="Hostile: a task without its id.", structured_output=False)
def no_id() -> str:
    return ""


@server.tool(
    description="Hostile: a task whose fields have the wrong types.", structured_output=False
)
def bad_types() -> str:
    return ""


@server.tool(
    description="Hostile: a task that never ends, polled every 10 ms.", structured_output=False
)
def endless() -> str:
    return ""


@server.tool(description="Hostile: 1,000 notifications/tasks, then done.", structured_output=False)
def flood() -> str:
    return ""


def main() -> None:
    global LOG, HOSTILE
    parser = argparse.ArgumentParser()
    parser.add_argument("--log")
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()
    LOG = Path(args.log) if args.log else None
    HOSTILE = args.hostile
    server.run()


if __name__ == "__main__":
    main()
