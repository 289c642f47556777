"""``nbagent.Chat(agent)`` over an ACP agent's session: the scripted agent of
tests/acp_agents/evalagent.py (written with the SDK, run over stdio with this Python: the
``agent`` fixture of conftest.py). Turns typed into the widget arrive as ``prompt`` messages
(dispatched here as the comm would); each is a prompt to the agent's one session, so the
agent's answers count the conversation's turns."""

from __future__ import annotations

from pathlib import Path

import pytest

import nbagent
from tests.acp_agents import alive
from tests.frameworks.conftest import need
from tests.recording import RecordingComm, customs, ours, saved_lanes
from tests.test_agent import off_loop
from tests.wait import PATIENCE, wait_for

need("acp")


def prompt(chat: nbagent.Chat, text: str) -> None:
    """What the widget's input box sends."""
    widget = chat.widget
    assert widget is not None
    off_loop(lambda: widget._dispatch(widget, {"type": "prompt", "text": text}, []))


def notices(comms: list[RecordingComm]) -> list[str]:
    return [m["text"] for m in customs(ours(comms)) if m.get("type") == "notice"]


def test_turns_typed_into_the_chat_continue_the_agents_session(
    agent: nbagent.AcpAgent, comms: list[RecordingComm]
) -> None:
    session, pid = agent.session_id, agent.pid
    chat = off_loop(lambda: nbagent.Chat(agent, title="Coder", display=True))
    prompt(chat, "hello")
    wait_for(lambda: len(chat.turns) == 1 and chat.turns[0].done, what="the first turn's end")
    prompt(chat, "and again")
    wait_for(lambda: len(chat.turns) == 2 and chat.turns[1].done, what="the second turn's end")
    first, second = chat.turns
    assert first.format == "acp"
    assert first.transcript.text == f"{session} #1: HELLO"  # the answer only
    assert second.transcript.text == f"{session} #2: AND AGAIN", second.transcript.to_dict()
    # The agent's own prompts go on in the same conversation.
    assert agent.prompt("third").wait(PATIENCE).text == f"{session} #3: THIRD"
    # The saved state holds both turns, each beginning with the user's turn (not again as the
    # lane's prompt: the widget would show it twice).
    final = saved_lanes(comms)
    assert [lane["meta"].get("prompt") for lane in final["lanes"]] == [None, None]
    assert [lane["state"]["blocks"][0] for lane in final["lanes"]] == [
        {"type": "user", "id": "user:1", "text": "hello"},
        {"type": "user", "id": "user:1", "text": "and again"},
    ]
    assert [lane["state"]["status"] for lane in final["lanes"]] == ["completed", "completed"]
    assert [lane["state"]["run_id"] for lane in final["lanes"]] == [
        first.transcript.run_id,
        second.transcript.run_id,
    ]
    assert notices(comms) == []
    agent.close()
    wait_for(lambda: not alive(pid), what=f"the agent's process {pid} gone after close()")


def test_a_message_while_a_turn_runs_is_refused_and_stop_ends_the_turn(
    agent: nbagent.AcpAgent, comms: list[RecordingComm]
) -> None:
    chat = off_loop(lambda: nbagent.Chat(agent, display=True))
    prompt(chat, "wait")
    wait_for(
        lambda: bool(chat.turns) and "working" in chat.turns[0].transcript.text,
        what="the turn working",
    )
    prompt(chat, "second")
    said = notices(comms)
    assert len(said) == 1, said
    assert "still streaming" in said[0]
    with pytest.raises(nbagent.ChatBusyError):
        chat.send("third")
    assert len(chat.turns) == 1
    widget = chat.widget
    assert widget is not None
    widget._dispatch(widget, {"type": "stop", "lane": 0}, [])
    assert chat.turns[0].wait(PATIENCE).status == "cancelled"
    # The agent ended its turn (session/cancel), and the conversation goes on.
    prompt(chat, "next")
    wait_for(lambda: len(chat.turns) == 2 and chat.turns[1].done, what="the next turn's end")
    assert chat.turns[1].transcript.text == f"{agent.session_id} #2: NEXT"


def test_a_prompt_of_the_agent_itself_running_is_said_in_the_chat(
    agent: nbagent.AcpAgent, comms: list[RecordingComm]
) -> None:
    chat = off_loop(lambda: nbagent.Chat(agent, display=True))
    outside = agent.prompt("wait")
    wait_for(lambda: "working" in outside.transcript.text, what="the agent's own prompt working")
    prompt(chat, "meanwhile")
    said = notices(comms)
    assert len(said) == 1, said
    assert "a prompt is running" in said[0]
    assert chat.turns == []
    outside.cancel()
    assert outside.wait(PATIENCE).status == "cancelled"


def test_a_permission_request_in_a_chat_turn_waits_for_the_user(
    agent: nbagent.AcpAgent, comms: list[RecordingComm]
) -> None:
    chat = off_loop(lambda: nbagent.Chat(agent, display=True))
    run = chat.send("ask permission")
    (pending,) = wait_for(lambda: run.pending, what="the permission request")
    assert pending.tool_call_id == "call_perm"
    run.approve(0)
    transcript = run.wait(PATIENCE)
    assert transcript.text == "got yes"
    (call,) = transcript.tool_calls
    assert call.state == "done"


def test_a_prompts_own_text_is_the_users_turn_at_the_top_of_its_run(
    agent: nbagent.AcpAgent, tmp_path: Path
) -> None:
    run = agent.prompt("Plot <b>revenue</b>\nby month")
    transcript = run.wait(PATIENCE)
    first, answer = transcript.to_dict()["blocks"]
    assert first == {"type": "user", "id": "user:1", "text": "Plot <b>revenue</b>\nby month"}
    assert answer["type"] == "text"
    assert transcript.text == f"{agent.session_id} #1: PLOT <B>REVENUE</B>\nBY MONTH"
    # As the agent's user_message_chunk: an event of the run, saved and replayed with it.
    (said,) = [e for e in run.events if e.kind == "custom"]
    assert (said.name, said.value) == ("user_message", "Plot <b>revenue</b>\nby month")
    again = nbagent.replay(run.save(tmp_path / "turn.jsonl"), speed=0).wait(PATIENCE)
    assert again.to_dict()["blocks"][0] == first
    assert transcript.to_markdown().startswith("> Plot &lt;b&gt;revenue&lt;/b&gt;\n> by month")
    assert '<div class="nba-prompt">Plot &lt;b&gt;revenue&lt;/b&gt;\nby month</div>' in (
        transcript.to_html()
    )


def test_user_message_chunks_in_a_row_are_one_turn_and_a_later_one_another() -> None:
    """As a loaded session replays its history: the user's chunks, the answer, the user again
    (ACP's ``messageId`` keeps two messages in a row apart)."""
    from acp.helpers import update_agent_message_text, update_user_message_text

    first = update_user_message_text("Plot ")
    second = update_user_message_text("revenue")
    kept = update_user_message_text("Now bars").model_copy(update={"message_id": "u2"})
    apart = update_user_message_text("and lines").model_copy(update={"message_id": "u3"})
    updates = [first, second, update_agent_message_text("Done."), kept, apart]
    items = [{"sessionId": "s", "update": u.model_dump(by_alias=True)} for u in updates]
    transcript = nbagent.Transcript.from_events(nbagent.iter_events(items, format="acp"))
    blocks = [(b["type"], b["id"], b.get("text")) for b in transcript.to_dict()["blocks"]]
    assert blocks == [
        ("user", "user:1", "Plot revenue"),
        ("text", "run:text1", "Done."),
        ("user", "user:u2", "Now bars"),
        ("user", "user:u3", "and lines"),
    ]
    assert transcript.text == "Done."
