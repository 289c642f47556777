"""nbagent.Chat and nbagent.compare: the real ``openai`` client against a scripted server.

Turns typed into the widget arrive as ``prompt`` messages (dispatched here as the comm would);
the server records what the client sent, so the history each turn carries is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

import nbagent
from nbagent.agent.agent import Agent
from tests.recording import RecordingComm, customs, ours, saved_lanes
from tests.servers import Gate, OpenAIServer, chunk, text_chunks
from tests.test_agent import off_loop
from tests.wait import PATIENCE, wait_for


def client_for(srv: OpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=srv.base_url, api_key="test", max_retries=0)


def double(x: int) -> int:
    """Twice x."""
    return 2 * x


def call_step(call_id: str, x: int) -> list[Any]:
    call = {
        "index": 0,
        "id": call_id,
        "type": "function",
        "function": {"name": "double", "arguments": f'{{"x": {x}}}'},
    }
    return [
        chunk(None, role="assistant"),
        chunk(tool_calls=[call]),
        chunk(finish_reason="tool_calls"),
    ]


def prompt(chat: nbagent.Chat, text: str) -> None:
    """What the widget's input box sends."""
    widget = chat.widget
    assert widget is not None
    # Off the main thread: after the browser tests, Playwright's loop sits there, not running.
    off_loop(lambda: widget._dispatch(widget, {"type": "prompt", "text": text}, []))


def test_turns_typed_into_the_widget_continue_the_conversation(
    comms: list[RecordingComm],
) -> None:
    scripts = [text_chunks(["Hello ", "Ada."]), call_step("c1", 21), text_chunks(["It is 42."])]
    with OpenAIServer(scripts=scripts) as srv:
        agent = Agent("m", tools=[double], client=client_for(srv), instructions="Be brief.")
        chat = off_loop(lambda: nbagent.Chat(agent, title="Chat", display=True))
        prompt(chat, "Hi, I am Ada.")
        wait_for(lambda: len(chat.turns) == 1 and chat.turns[0].done)
        prompt(chat, "Double 21?")
        wait_for(lambda: len(chat.turns) == 2 and chat.turns[1].done)
    first, second = chat.turns
    assert second.transcript.status == "completed", second.transcript.to_dict()
    assert first.transcript.text == "Hello Ada."
    assert second.transcript.text == "It is 42."
    assert second.transcript.tool_calls[0].result == 42
    # The second turn's first request carries the first turn.
    assert [m["role"] for m in srv.requests[1]["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    assert srv.requests[1]["messages"][2]["content"] == "Hello Ada."
    assert chat.messages[-1] == {"role": "assistant", "content": "It is 42."}
    # The saved state holds both turns under their prompts; tools can be re-run.
    final = saved_lanes(comms)
    assert [lane["meta"]["prompt"] for lane in final["lanes"]] == ["Hi, I am Ada.", "Double 21?"]
    assert [lane["state"]["status"] for lane in final["lanes"]] == ["completed", "completed"]
    assert final["lanes"][1]["meta"]["can_rerun"] is True
    assert second.rerun_tool(0, x=5) == 10


def test_a_prompt_while_a_turn_streams_is_refused_with_a_notice(
    comms: list[RecordingComm],
) -> None:
    gate = Gate()
    with OpenAIServer(scripts=[[*text_chunks(["slow "]), gate, chunk("answer")]]) as srv:
        agent = Agent("m", client=client_for(srv))
        chat = off_loop(lambda: nbagent.Chat(agent, display=True))
        prompt(chat, "first")
        wait_for(lambda: bool(chat.turns) and "slow" in chat.turns[0].transcript.text)
        prompt(chat, "second")
        notices = [m for m in customs(ours(comms)) if m.get("type") == "notice"]
        assert len(notices) == 1
        assert "still streaming" in notices[0]["text"]
        with pytest.raises(nbagent.ChatBusyError):
            chat.send("third")
        srv.release()
        assert chat.wait(PATIENCE) is not None
    assert len(chat.turns) == 1


def test_stop_a_turn_then_the_next_turn_works(comms: list[RecordingComm]) -> None:
    gate = Gate()
    scripts = [call_step("c1", 1), [*text_chunks(["never "]), gate], text_chunks(["ok"])]
    with OpenAIServer(scripts=scripts) as srv:
        agent = Agent("m", tools=[double], client=client_for(srv))
        chat = off_loop(lambda: nbagent.Chat(agent, display=True))
        prompt(chat, "go")
        wait_for(lambda: bool(chat.turns) and "never" in chat.turns[0].transcript.text)
        widget = chat.widget
        widget._dispatch(widget, {"type": "stop", "lane": 0}, [])
        assert chat.turns[0].wait(PATIENCE).status == "cancelled"
        srv.release()
        prompt(chat, "again")
        wait_for(lambda: len(chat.turns) == 2 and chat.turns[1].done)
    assert chat.turns[1].transcript.text == "ok"
    roles = [m["role"] for m in srv.requests[-1]["messages"]]
    assert roles == ["user", "assistant", "tool", "user"]


def test_history_answers_tool_calls_a_stopped_run_left_open() -> None:
    agent = Agent("m")
    history = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "a"}, {"id": "b"}]},
        {"role": "tool", "tool_call_id": "a", "content": "1"},
    ]
    messages = agent.session("next", history).messages
    assert [(m["role"], m.get("tool_call_id")) for m in messages] == [
        ("user", None),
        ("assistant", None),
        ("tool", "a"),
        ("tool", "b"),
        ("user", None),
    ]
    assert "stopped" in messages[3]["content"]


def test_a_chat_with_a_plain_responder_gets_the_earlier_turns() -> None:
    seen: list[int] = []

    def respond(text: str, turns: list[nbagent.Run]) -> Iterator[str]:
        seen.append(len(turns))
        yield f"echo: {text}"

    chat = nbagent.Chat(respond, display=False)
    assert off_loop(lambda: chat.send("one")).wait(PATIENCE).text == "echo: one"
    assert off_loop(lambda: chat.send("two")).wait(PATIENCE).text == "echo: two"
    assert seen == [0, 1]
    assert chat.messages == []
    with pytest.raises(ValueError, match="empty"):
        chat.send("  ")
    with pytest.raises(TypeError, match="Chat takes"):
        nbagent.Chat(42)


def test_compare_runs_each_agent_in_its_own_lane(comms: list[RecordingComm]) -> None:
    def answer(body: dict[str, Any]) -> list[Any]:
        return text_chunks([f"I am {body['model']}."])

    with OpenAIServer(answer) as srv:
        big = Agent("big-model", client=client_for(srv))
        small = Agent("small-model", client=client_for(srv))
        twin = Agent("small-model", client=client_for(srv))

        def go() -> nbagent.Lanes:
            lanes = nbagent.compare(big, small, twin, "Who are you?")
            lanes.wait(PATIENCE)
            return lanes

        lanes = off_loop(go)
    result = lanes.transcripts
    assert list(result) == ["big-model", "small-model", "small-model (2)"]
    assert result["big-model"].text == "I am big-model."
    assert result["small-model (2)"].text == "I am small-model."
    assert sorted(r["model"] for r in srv.requests) == ["big-model", "small-model", "small-model"]
    assert lanes.widget is None  # no kernel here: printed instead
    assert not comms or all("lanes" not in m for c in comms for m in customs(c))
