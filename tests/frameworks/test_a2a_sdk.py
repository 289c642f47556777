"""A2A from the real ``a2a-sdk`` (1.3): its protobuf objects (``StreamResponse``, bare ``Task``,
``TaskStatusUpdateEvent``…), its v0.3 pydantic models, and its real server app (an
``AgentExecutor`` written here, served by uvicorn on 127.0.0.1) read through the SDK's own
client's streaming iterator and through ``nbagent.sse``."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.frameworks.conftest import need
from tests.ports import free_port
from tests.wait import wait_for

a2a = need("a2a")

import uvicorn  # noqa: E402 - after need(): the SDK's server extra brings it
from a2a.client import ClientConfig, create_client  # noqa: E402
from a2a.compat.v0_3 import types as v03  # noqa: E402
from a2a.helpers.proto_helpers import (  # noqa: E402
    new_task_from_user_message,
    new_text_artifact_update_event,
    new_text_message,
    new_text_part,
    new_text_status_update_event,
)
from a2a.server.agent_execution import AgentExecutor, RequestContext  # noqa: E402
from a2a.server.events import EventQueue  # noqa: E402
from a2a.server.request_handlers import DefaultRequestHandlerV2  # noqa: E402
from a2a.server.routes.agent_card_routes import create_agent_card_routes  # noqa: E402
from a2a.server.routes.jsonrpc_routes import create_jsonrpc_routes  # noqa: E402
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater  # noqa: E402
from a2a.types import (  # noqa: E402
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Message,
    Part,
    Role,
    SendMessageRequest,
    StreamResponse,
    Task,
    TaskState,
    TaskStatus,
)
from google.protobuf import json_format  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

import nbagent  # noqa: E402
from nbagent.adapters import detect_format  # noqa: E402
from nbagent.adapters.a2a import A2aAdapter  # noqa: E402
from nbagent.adapters.base import BadItemError  # noqa: E402
from nbagent.core.events import Custom, RunEnd, RunStart, Status  # noqa: E402
from nbagent.transcript.transcript import Transcript  # noqa: E402
from tests import aio  # noqa: E402
from tests.frameworks.untimed import untimed  # noqa: E402

FIXTURES = Path(__file__).parent.parent / "fixtures" / "a2a"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.jsonl") if not p.stem.startswith("hostile"))
"""The fixtures the SDK parses (a hostile one has values of wrong types its parser refuses)."""


# -- the SDK's objects ------------------------------------------------------------------------


def sdk_object(item: dict[str, Any]) -> Any:
    """A wire item as the object the SDK itself parses it into: a v1.0 result into the
    protobuf ``StreamResponse``, a v0.3 JSON-RPC response into its pydantic model."""
    result = item.get("result", item)
    if isinstance(result, dict) and "kind" not in result and "jsonrpc" not in result:
        return json_format.ParseDict(result, StreamResponse(), ignore_unknown_fields=True)
    return v03.SendStreamingMessageResponse.model_validate(item)


def dicts(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / f"{name}.jsonl").read_text()
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def strip(t: Transcript) -> dict[str, Any]:
    state: dict[str, Any] = untimed(t.to_dict())
    state.pop("run_id", None)
    for status in state.get("activity") or []:
        if isinstance(status, dict):
            status.pop("detail", None)  # the SDK drops a v0.3 "final": false, adds defaults
    return state


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_as_sdk_objects_reads_like_its_json(name: str) -> None:
    items = dicts(name)
    objects = [sdk_object(item) for item in items]
    assert detect_format(objects[0]) == "a2a"
    want = Transcript.from_events(nbagent.iter_events(items))
    got = Transcript.from_events(nbagent.iter_events(objects))
    assert (got.text, got.status, got.end_reason) == (want.text, want.status, want.end_reason)
    assert strip(got) == strip(want)


def test_bare_protobuf_results_built_by_the_sdk_helpers() -> None:
    user = new_text_message("capital of France?", role=Role.ROLE_USER)
    task = new_task_from_user_message(user)
    tid, cid = task.id, task.context_id
    items = [
        task,
        new_text_status_update_event(tid, cid, TaskState.TASK_STATE_WORKING, "looking it up"),
        new_text_artifact_update_event(tid, cid, "answer", "Paris ", artifact_id="ans"),
        new_text_artifact_update_event(
            tid, cid, "answer", "is the capital.", append=True, last_chunk=True, artifact_id="ans"
        ),
        new_text_status_update_event(tid, cid, TaskState.TASK_STATE_COMPLETED, "done"),
    ]
    assert [detect_format(i) for i in items] == ["a2a"] * len(items)
    events = list(nbagent.iter_events(items))
    t = Transcript.from_events(events)
    start = events[0]
    assert isinstance(start, RunStart)
    assert (start.run_id, start.thread_id, t.text) == (tid, cid, "Paris is the capital.")
    assert (t.status, t.end_reason) == ("completed", "completed")
    assert [e.text for e in events if isinstance(e, Status)] == [None, "looking it up", "done"]


def test_a_failed_task_and_an_agent_message() -> None:
    failed = new_text_status_update_event("t", "c", TaskState.TASK_STATE_FAILED, "quota exceeded")
    t = Transcript.from_events(nbagent.iter_events([failed]))
    assert (t.status, t.end_reason, (t.error or {}).get("message")) == (
        "error",
        "error",
        "quota exceeded",
    )
    reply = StreamResponse(message=new_text_message("Hi!", role=Role.ROLE_AGENT))
    t = Transcript.from_events(nbagent.iter_events([reply]))
    assert (t.text, t.end_reason) == ("Hi!", "completed")


def test_an_sdk_object_that_is_no_stream_item_names_the_sdk() -> None:
    card = AgentCard(name="geo", description="d", version="1")
    assert not A2aAdapter.detect(card)
    with pytest.raises(
        BadItemError, match=r"lf\.a2a\.v1\.AgentCard \(a2a-sdk 1\.\d+.*StreamResponse"
    ):
        A2aAdapter().feed(card)


def test_protobuf_is_read_through_its_own_serializer_only() -> None:
    """nbagent imports json_format only because the item is a protobuf message."""
    assert "google.protobuf" in sys.modules
    before = {m for m in sys.modules if m.startswith("nbagent")}
    A2aAdapter().feed(StreamResponse(task=Task(id="t", status=TaskStatus(state=1))))
    assert {m for m in sys.modules if m.startswith("nbagent")} == before


# -- the SDK's real server and client -------------------------------------------------------


class GeoExecutor(AgentExecutor):
    """An agent that answers from the user's text: a status, a streamed artifact, then the
    end its text asks for ("fail", "ask", "auth") or completed."""

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        assert context.message is not None
        task = context.current_task or new_task_from_user_message(context.message)
        await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        text = context.get_user_input()
        await updater.start_work(
            new_text_message(
                "looking it up", role=Role.ROLE_AGENT, task_id=task.id, context_id=task.context_id
            )
        )
        if "fail" in text:
            await updater.failed(new_text_message("no atlas", role=Role.ROLE_AGENT))
            return
        await updater.add_artifact([new_text_part("Paris ")], artifact_id="ans", name="answer")
        await updater.add_artifact(
            [new_text_part("is the capital.")], artifact_id="ans", append=True, last_chunk=True
        )
        if "ask" in text:
            await updater.requires_input(new_text_message("which year?", role=Role.ROLE_AGENT))
            return
        if "auth" in text:
            await updater.requires_auth(new_text_message("sign in to atlas", role=Role.ROLE_AGENT))
            return
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError


@pytest.fixture(scope="module")
def agent_url() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    card = AgentCard(
        name="geo",
        description="capitals",
        version="1",
        supported_interfaces=[
            AgentInterface(protocol_binding="JSONRPC", url=url + "/", protocol_version="1.0")
        ],
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="geo", name="geo", description="capitals", tags=["geo"])],
    )
    handler = DefaultRequestHandlerV2(
        agent_executor=GeoExecutor(), task_store=InMemoryTaskStore(), agent_card=card
    )
    app = Starlette(
        routes=[
            *create_agent_card_routes(card),
            *create_jsonrpc_routes(handler, "/", enable_v0_3_compat=True),
        ]
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn to start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(5)


def user_request(text: str) -> SendMessageRequest:
    return SendMessageRequest(
        message=Message(role=Role.ROLE_USER, message_id=f"u-{text}", parts=[Part(text=text)])
    )


def test_the_sdk_client_stream_shown(agent_url: str) -> None:
    async def main() -> tuple[Transcript, list[Any]]:
        client = await create_client(agent_url, ClientConfig(streaming=True))
        try:
            run = nbagent.show(client.send_message(user_request("capital?")))
            transcript = await run
        finally:
            await client.close()
        return transcript, list(run.events)

    t, events = aio.run(main())
    assert t.text == "Paris is the capital."
    assert (t.status, t.end_reason) == ("completed", "completed")
    start = events[0]
    assert isinstance(start, RunStart)
    assert start.run_id == t.run_id
    assert start.thread_id
    assert "looking it up" in [e.text for e in events if isinstance(e, Status)]


def test_the_sdk_client_stream_interrupted_and_failed(agent_url: str) -> None:
    async def read(text: str) -> Transcript:
        client = await create_client(agent_url, ClientConfig(streaming=True))
        try:
            return Transcript.from_events(
                [e async for e in nbagent.aiter_events(client.send_message(user_request(text)))]
            )
        finally:
            await client.close()

    asked = aio.run(read("ask"))
    assert (asked.text, asked.end_reason) == ("Paris is the capital.", "interrupted")
    failed = aio.run(read("fail"))
    assert (failed.text, failed.end_reason, (failed.error or {}).get("message")) == (
        "",
        "error",
        "no atlas",
    )


def test_the_server_sse_read_by_nbagent_sse_v1(agent_url: str) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "SendStreamingMessage",
        "params": {
            "message": {"role": "ROLE_USER", "messageId": "u1", "parts": [{"text": "capital?"}]}
        },
    }
    source = nbagent.sse(agent_url + "/", json=body, headers={"A2A-Version": "1.0"})
    events = list(nbagent.iter_events(source))
    t = Transcript.from_events(events)
    assert events[0].source == "a2a"
    assert (t.text, t.status, t.end_reason) == ("Paris is the capital.", "completed", "completed")
    assert not [e for e in events if isinstance(e, Custom) and e.is_raw]


def test_the_server_sse_read_by_nbagent_sse_v03(agent_url: str) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "message/stream",
        "params": {
            "message": {
                "kind": "message",
                "role": "user",
                "messageId": "u1",
                "parts": [{"kind": "text", "text": "capital?"}],
            }
        },
    }
    source = nbagent.sse(agent_url + "/", json=body, headers={"A2A-Version": "0.3"})
    events = list(nbagent.iter_events(source))
    t = Transcript.from_events(events)
    assert (t.text, t.status, t.end_reason) == ("Paris is the capital.", "completed", "completed")
    assert isinstance(events[-1], RunEnd)


QUESTION_STREAMS = [
    ("ask", "Input required", "which year?"),
    ("auth", "Authentication required", "sign in to atlas"),
]


def stream_body(text: str, version: str) -> dict[str, Any]:
    """A ``message/stream`` (0.3) or ``SendStreamingMessage`` (1.0) request of ``text``."""
    if version == "1.0":
        message = {"role": "ROLE_USER", "messageId": f"u-{text}", "parts": [{"text": text}]}
        return {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "SendStreamingMessage",
            "params": {"message": message},
        }
    message = {
        "kind": "message",
        "role": "user",
        "messageId": f"u-{text}",
        "parts": [{"kind": "text", "text": text}],
    }
    return {"jsonrpc": "2.0", "id": 1, "method": "message/stream", "params": {"message": message}}


@pytest.mark.parametrize("version", ["1.0", "0.3"])
@pytest.mark.parametrize(("text", "title", "asked"), QUESTION_STREAMS)
def test_the_agents_question_is_a_block_of_the_saved_run(
    agent_url: str, version: str, text: str, title: str, asked: str
) -> None:
    """A task that stops for the user (``TASK_STATE_INPUT_REQUIRED`` / ``input-required``,
    ``AUTH_REQUIRED`` / ``auth-required``), from the SDK's real server in both generations:
    what the agent asked is a ``note`` block of the run, in its saved state, a reopened run
    and its exports."""
    source = nbagent.sse(
        agent_url + "/", json=stream_body(text, version), headers={"A2A-Version": version}
    )
    t = Transcript.from_events(nbagent.iter_events(source))
    assert (t.text, t.end_reason) == ("Paris is the capital.", "interrupted")
    notes = [b for b in t.to_dict()["blocks"] if b["type"] == "note"]
    assert [(n["kind"], n["title"], n["text"]) for n in notes] == [("question", title, asked)]
    reopened = Transcript.from_dict(json.loads(json.dumps(t.to_dict())))
    assert reopened.to_dict() == t.to_dict()
    for shown in (reopened.to_markdown(), reopened.to_html(), reopened.to_text()):
        assert asked in shown
        assert title in shown


def test_the_sdk_client_stream_keeps_the_question(agent_url: str) -> None:
    async def read() -> Transcript:
        client = await create_client(agent_url, ClientConfig(streaming=True))
        try:
            items = client.send_message(user_request("ask"))
            return Transcript.from_events([e async for e in nbagent.aiter_events(items)])
        finally:
            await client.close()

    t = aio.run(read())
    assert [b["text"] for b in t.to_dict()["blocks"] if b["type"] == "note"] == ["which year?"]
