"""An nbagent.Agent used as another Agent's tool: its run shown nested in the tool call.

Each agent has its own scripted server (``OpenAIServer(scripts=...)``, one script per model
call), so the outer and the inner model calls are told apart by where they went.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import openai
import pytest

import nbagent
from nbagent import Transcript
from nbagent.agent.agent import Agent
from nbagent.agent.tool_runner import AgentTool, nest
from nbagent.core.events import Event, TextDelta
from nbagent.sources.files import load
from tests.kernel import Kernel, widget_traffic
from tests.servers import Drop, Gate, OpenAIServer, chunk, text_chunks
from tests.test_agent import calls_step, client_for, collect, get_weather, off_loop, sent_messages
from tests.wait import PATIENCE, wait_for


def outer_scripts(prompt: str = "What is the weather in Paris?") -> list[Any]:
    call = json.dumps({"prompt": prompt})
    return [calls_step(("call_1", "researcher", call)), text_chunks(["Researcher says: 18°C."])]


def inner_scripts() -> list[Any]:
    # The same tool call id as the outer run's: the nested one must be renamed.
    step1 = calls_step(("call_1", "get_weather", '{"city": "Paris"}'))
    step1.insert(1, chunk(reasoning_content="Look it up."))
    return [step1, text_chunks(["It is ", "18°C in Paris."])]


def researcher(srv: OpenAIServer, **kw: Any) -> Agent:
    return Agent(
        "inner-model",
        tools=[get_weather],
        client=client_for(srv, max_retries=0),
        instructions="You look things up.",
        name="researcher",
        **kw,
    )


def by_parent(t: Transcript) -> dict[str | None, list[tuple[str, str]]]:
    out: dict[str | None, list[tuple[str, str]]] = {}
    for b in t.blocks:
        out.setdefault(b.get("parent"), []).append((b["type"], b["id"]))
    return out


def untimed(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    times = ("started_at", "ended_at", "args_done_at")
    return [{k: v for k, v in b.items() if k not in times} for b in blocks]


# -- the tool the model sees ------------------------------------------------------------


def test_an_agent_in_tools_is_a_tool_with_one_prompt_parameter() -> None:
    inner = Agent("m", instructions="You look things up.", name="Web researcher")
    outer = Agent("m", tools=[inner, get_weather])
    tool = outer.tools_by_name["Web_researcher"]
    assert isinstance(tool, AgentTool)
    assert tool.agent is inner
    assert tool.description == "You look things up."
    assert tool.parameters["required"] == ["prompt"]
    assert tool.parameters["properties"]["prompt"]["type"] == "string"
    assert tool.parameters["additionalProperties"] is False
    assert tool.timeout_s is None
    custom = inner.as_tool("ask_web", "Searches the web.", timeout_s=30)
    assert (custom.name, custom.description, custom.timeout_s) == (
        "ask_web",
        "Searches the web.",
        30,
    )
    unnamed = Agent("m").as_tool()
    assert unnamed.name == "agent"
    assert "agent" in unnamed.description


def test_nest_prefixes_every_id_and_chains_parents() -> None:
    ev = TextDelta(message_id="1/0", delta="x")
    once = nest(ev, "call_1")
    assert (once.parent, once.message_id) == ("call_1", "call_1/1/0")  # type: ignore[attr-defined]
    twice = nest(once, "call_9")
    assert (twice.parent, twice.message_id) == ("call_9/call_1", "call_9/call_1/1/0")  # type: ignore[attr-defined]


# -- a nested run -----------------------------------------------------------------------


def nested_run() -> tuple[list[Event], Transcript, OpenAIServer, OpenAIServer]:
    with (
        OpenAIServer(scripts=outer_scripts()) as outer_srv,
        OpenAIServer(scripts=inner_scripts()) as inner_srv,
    ):
        agent = Agent("outer-model", tools=[researcher(inner_srv)], client=client_for(outer_srv))
        events, t = collect(agent, "Weather in Paris?")
    return events, t, outer_srv, inner_srv


def test_the_inner_run_is_nested_in_the_tool_call() -> None:
    events, t, outer_srv, inner_srv = nested_run()
    assert t.status == "completed"
    assert t.text == "Researcher says: 18°C."  # the outer answer only
    # The inner agent ran its own loop on its own server with the model's prompt.
    assert len(inner_srv.requests) == 2
    assert len(outer_srv.requests) == 2
    assert inner_srv.requests[0]["model"] == "inner-model"
    assert sent_messages(inner_srv, 0) == [
        {"role": "system", "content": "You look things up."},
        {"role": "user", "content": "What is the weather in Paris?"},
    ]
    assert [x["function"]["name"] for x in inner_srv.requests[0]["tools"]] == ["get_weather"]
    # Its answer is the outer tool's result, which the outer model got back.
    (outer_call,) = [c for c in t.tool_calls if c.parent is None]
    assert (outer_call.id, outer_call.name, outer_call.state) == ("call_1", "researcher", "done")
    assert outer_call.args == {"prompt": "What is the weather in Paris?"}
    assert outer_call.result == "It is 18°C in Paris."
    assert sent_messages(outer_srv, 1)[-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "It is 18°C in Paris.",
    }
    # Inside the tool call: the inner thinking, tool call and text, ids prefixed.
    children = t.children("call_1")
    assert [(b["type"], b["id"]) for b in children] == [
        ("thinking", "call_1/1/chatcmpl-test:think1"),
        ("tool", "call_1/call_1"),
        ("text", "call_1/2/chatcmpl-test:text1"),
    ]
    assert children[0]["text"] == "Look it up."
    assert children[1]["name"] == "get_weather"
    assert children[1]["result"] == {"city": "Paris", "temp": 18, "unit": "C"}
    assert children[2]["text"] == "It is 18°C in Paris."
    assert t.thinking == ""  # the inner thinking is the sub-agent's, not the run's
    # Every inner event carries the scope; no inner run_start/run_end came through.
    inner = [e for e in events if e.parent is not None]
    assert inner
    assert all(e.parent == "call_1" for e in inner)
    kinds = [e.kind for e in events]
    assert kinds.count("run_start") == 1
    assert kinds.count("run_end") == 1
    assert {e.kind for e in inner} >= {"step_start", "text_delta", "tool_result", "usage"}
    # Its steps are the run's steps, in the call's scope.
    steps = [(s["id"], s.get("parent")) for s in t.steps]
    assert steps == [
        ("model-1", None),
        ("tools-1", None),
        ("call_1/model-1", "call_1"),
        ("call_1/tools-1", "call_1"),
        ("call_1/model-2", "call_1"),
        ("model-2", None),
    ]


def test_the_inner_usage_is_on_the_tool_call_and_in_the_run_total() -> None:
    _, t, _, _ = nested_run()
    # Each agent: a tools step (20 in, 10 out) and an answer (9 in, 12 out).
    (outer_call,) = [c for c in t.tool_calls if c.parent is None]
    assert outer_call.usage is not None
    assert (outer_call.usage["input_tokens"], outer_call.usage["output_tokens"]) == (29, 22)
    assert (t.usage.input_tokens, t.usage.output_tokens) == (58, 44)
    inner_steps = [s for s in t.steps if s.get("parent") == "call_1" and s["usage"]]
    assert [s["usage"]["output_tokens"] for s in inner_steps] == [10, 12]


def test_a_saved_run_replays_with_the_same_nesting(tmp_path: Path) -> None:
    def scenario() -> tuple[Transcript, Path]:
        with (
            OpenAIServer(scripts=outer_scripts()) as outer_srv,
            OpenAIServer(scripts=inner_scripts()) as inner_srv,
        ):
            agent = Agent("m", tools=[researcher(inner_srv)], client=client_for(outer_srv))
            run = agent.run("Weather in Paris?")
            t = run.wait(PATIENCE)
            return t, run.save(tmp_path / "nested.jsonl")

    live, path = off_loop(scenario)
    assert live.status == "completed"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert any(x.get("parent") == "call_1" for x in lines)
    folded = Transcript.from_events(load(path))
    assert folded.blocks == live.blocks
    assert folded.steps == live.steps
    assert folded.usage == live.usage
    replayed = off_loop(lambda: nbagent.replay(path, speed=0).wait(PATIENCE))
    assert untimed(replayed.blocks) == untimed(live.blocks)  # a replay stamps its own times
    assert untimed(replayed.children("call_1")) == untimed(live.children("call_1"))
    assert replayed.usage == live.usage
    assert replayed.text == live.text == "Researcher says: 18°C."


def test_an_agent_in_an_agent_in_an_agent_chains_the_parents() -> None:
    deep_scripts = [text_chunks(["Deep answer."])]
    middle_scripts = [
        calls_step(("call_m", "deep", '{"prompt": "go deeper"}')),
        text_chunks(["Middle heard: Deep answer."]),
    ]
    top_scripts = [
        calls_step(("call_t", "middle", '{"prompt": "ask around"}')),
        text_chunks(["Top done."]),
    ]
    with (
        OpenAIServer(scripts=deep_scripts) as d,
        OpenAIServer(scripts=middle_scripts) as m,
        OpenAIServer(scripts=top_scripts) as top,
    ):
        deep = Agent("m", client=client_for(d), name="deep")
        middle = Agent("m", tools=[deep], client=client_for(m), name="middle")
        events, t = collect(Agent("m", tools=[middle], client=client_for(top)), "go")
    assert t.text == "Top done."
    assert by_parent(t) == {
        None: [("tool", "call_t"), ("text", "2/chatcmpl-test:text1")],
        "call_t": [("tool", "call_t/call_m"), ("text", "call_t/2/chatcmpl-test:text1")],
        "call_t/call_m": [("text", "call_t/call_m/1/chatcmpl-test:text1")],
    }
    calls = {c.id: c for c in t.tool_calls}
    assert calls["call_t/call_m"].result == "Deep answer."
    assert calls["call_t"].result == "Middle heard: Deep answer."
    # Usage counts in every enclosing call: deep (9+12), middle (20+10, 9+12) and the top's.
    assert calls["call_t/call_m"].usage["output_tokens"] == 12  # type: ignore[index]
    assert calls["call_t"].usage["output_tokens"] == 12 + 10 + 12  # type: ignore[index]
    assert t.usage.output_tokens == 12 + 22 + 22
    assert {e.parent for e in events} == {None, "call_t", "call_t/call_m"}


# -- failures and Stop --------------------------------------------------------------------


def test_an_inner_failure_is_an_error_result_and_the_outer_run_goes_on() -> None:
    broken_inner = [[chunk("", role="assistant"), chunk("Half an ans"), Drop()]]
    outer = [*outer_scripts()[:1], text_chunks(["The researcher failed; sorry."])]
    with OpenAIServer(scripts=outer) as outer_srv, OpenAIServer(scripts=broken_inner) as inner_srv:
        agent = Agent("m", tools=[researcher(inner_srv)], client=client_for(outer_srv))
        _, t = collect(agent, "Weather?")
    assert t.status == "completed"
    assert t.text == "The researcher failed; sorry."
    (call,) = [c for c in t.tool_calls if c.parent is None]
    assert call.state == "error"
    assert call.is_error
    assert isinstance(call.result, str)
    # What arrived before the failure stays in the call.
    assert [b["text"] for b in t.children("call_1") if b["type"] == "text"] == ["Half an ans"]
    back = sent_messages(outer_srv, 1)[-1]
    assert back["role"] == "tool"
    assert back["content"].startswith("Error: ")


def test_an_inner_run_out_of_steps_is_an_error_result() -> None:
    endless = [calls_step(("c", "get_weather", '{"city": "Oslo"}'))]
    outer = [*outer_scripts()[:1], text_chunks(["Gave up."])]
    with OpenAIServer(scripts=outer) as outer_srv, OpenAIServer(scripts=endless) as inner_srv:
        agent = Agent("m", tools=[researcher(inner_srv, max_steps=2)], client=client_for(outer_srv))
        _, t = collect(agent, "Weather?")
    assert t.status == "completed"
    assert t.text == "Gave up."
    (call,) = [c for c in t.tool_calls if c.parent is None]
    assert call.is_error
    assert call.result.startswith("AgentToolError: stopped after 2 model calls")
    assert t.warnings == []  # the inner max_steps warning is the call's error, not the run's


def test_inner_deltas_arrive_live_and_stop_cancels_both() -> None:
    inner = [[chunk("", role="assistant"), chunk("Working on it"), Gate(), chunk(" done.")]]

    def scenario() -> tuple[Transcript, Transcript, bool]:
        with (
            OpenAIServer(scripts=outer_scripts()) as outer_srv,
            OpenAIServer(scripts=inner) as inner_srv,
        ):
            agent = Agent("m", tools=[researcher(inner_srv)], client=client_for(outer_srv))
            run = agent.run("Weather?")
            wait_for(lambda: run.transcript.children("call_1"), what="the inner text, live")
            with run.lock:
                during = Transcript.from_events(list(run.events))
            run.cancel()
            t = run.wait(PATIENCE)
            gone = inner_srv.wait_disconnect(PATIENCE)
            # A call of the outer model after the Stop would come from the run's task: once
            # that task has ended, every call it was going to make has reached the server.
            wait_for(lambda: run._driver.task and run._driver.task.done(), what="the run's end")
            assert len(outer_srv.requests) == 1  # the outer model was not called again
            return during, t, gone

    during, t, gone = off_loop(scenario)
    assert [b["text"] for b in during.children("call_1")] == ["Working on it"]
    assert t.status == "cancelled"
    assert gone, "the inner model's stream was not closed"


def test_a_rerun_of_an_agent_tool_runs_the_agent_again() -> None:
    def scenario() -> Any:
        with (
            OpenAIServer(scripts=outer_scripts()) as outer_srv,
            OpenAIServer(scripts=[*inner_scripts(), text_chunks(["Oslo: 4°C."])]) as inner_srv,
        ):
            # A sync client: a re-run runs on a loop of its own, and an AsyncOpenAI's
            # connections belong to the loop that opened them.
            sync = openai.OpenAI(base_url=inner_srv.base_url, api_key="test", max_retries=0)
            inner = Agent("m", tools=[get_weather], client=sync, name="researcher")
            run = Agent("m", tools=[inner], client=client_for(outer_srv)).run("Weather?")
            run.wait(PATIENCE)
            i = next(i for i, c in enumerate(run.transcript.tool_calls) if c.id == "call_1")
            return run.rerun_tool(i, prompt="And Oslo?"), run.transcript.tool_calls[i].reruns

    answer, reruns = off_loop(scenario)
    assert answer == "Oslo: 4°C."
    assert reruns[-1]["result"] == "Oslo: 4°C."
    assert reruns[-1]["state"] == "done"


def test_parallel_agent_calls_keep_their_scopes_apart() -> None:
    outer = [
        calls_step(
            ("call_a", "researcher", '{"prompt": "Paris?"}'),
            ("call_b", "researcher", '{"prompt": "Oslo?"}'),
        ),
        text_chunks(["Both done."]),
    ]
    lock = threading.Lock()
    count = {"n": 0}

    def script(body: dict[str, Any]) -> list[Any]:
        with lock:
            count["n"] += 1
        asked = body["messages"][-1]["content"]
        return text_chunks([f"Answer to {asked}"])

    with OpenAIServer(scripts=outer) as outer_srv, OpenAIServer(script=script) as inner_srv:
        agent = Agent("m", tools=[researcher(inner_srv)], client=client_for(outer_srv))
        _, t = collect(agent, "Both?")
    calls = {c.id: c for c in t.tool_calls}
    assert calls["call_a"].result == "Answer to Paris?"
    assert calls["call_b"].result == "Answer to Oslo?"
    assert [b["text"] for b in t.children("call_a")] == ["Answer to Paris?"]
    assert [b["text"] for b in t.children("call_b")] == ["Answer to Oslo?"]
    assert calls["call_a"].usage["output_tokens"] == 12  # type: ignore[index]
    assert calls["call_b"].usage["output_tokens"] == 12  # type: ignore[index]
    assert count["n"] == 2


# -- in a real kernel ----------------------------------------------------------------------

NESTED_IN_KERNEL = """
import nbagent, openai

def get_weather(city: str) -> dict:
    \"\"\"Current weather for a city.\"\"\"
    return {{"city": city, "temp": 18}}

researcher = nbagent.Agent(
    "m", tools=[get_weather], name="researcher",
    client=openai.AsyncOpenAI(base_url={inner!r}, api_key="test", max_retries=0),
)
agent = nbagent.Agent(
    "m", tools=[researcher],
    client=openai.AsyncOpenAI(base_url={outer!r}, api_key="test", max_retries=0),
)
run = agent.run("Weather in Paris?")
t = await run
print(t.status, repr(t.text))
"""


@pytest.mark.kernel
def test_the_widget_shows_the_nested_run_in_a_kernel(kernel: Kernel) -> None:
    with (
        OpenAIServer(scripts=outer_scripts()) as outer_srv,
        OpenAIServer(scripts=inner_scripts()) as inner_srv,
    ):
        since = len(kernel.messages())
        code = NESTED_IN_KERNEL.format(inner=inner_srv.base_url, outer=outer_srv.base_url)
        reply = kernel.execute(code)
    printed = kernel.outputs(reply["parent_header"]["msg_id"])
    assert "completed 'Researcher says: 18°C.'" in printed
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    assert widget["final"] is not None, "the run never wrote its final snapshot"
    state = widget["final"]["state"]
    blocks = {b["id"]: b for b in state["blocks"]}
    assert blocks["call_1"]["name"] == "researcher"
    assert blocks["call_1"]["result"] == "It is 18°C in Paris."
    assert blocks["call_1"]["usage"]["output_tokens"] == 22
    nested = [(b["type"], b["id"]) for b in state["blocks"] if b.get("parent") == "call_1"]
    assert nested == [
        ("thinking", "call_1/1/chatcmpl-test:think1"),
        ("tool", "call_1/call_1"),
        ("text", "call_1/2/chatcmpl-test:text1"),
    ]
    assert blocks["call_1/call_1"]["result"] == {"city": "Paris", "temp": 18}
    top = [b["text"] for b in state["blocks"] if b["type"] == "text" and "parent" not in b]
    assert top == ["Researcher says: 18°C."]
    assert state["usage"]["output_tokens"] == 44
