"""``nbagent.load_trace`` then ``nbagent.show`` in a real kernel: the widget's final state holds
the trace's answer, tool calls and usage; every format's file shows in the widget the run it
reads to here; ``load_trace`` alone displays nothing; a coding agent's session opens with its
sub-agent's file; a file with a corrupt line ends its run ``error`` naming the line, and the
kernel goes on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kernel import Kernel, final_state
from tests.session_harness import CLAUDE_SESSION, CODEX_MAIN, GEMINI_SESSION
from tests.traces import FIXTURES, loaded

pytestmark = pytest.mark.kernel

GENAI = repr(str(FIXTURES / "otlp-genai" / "openai-v2.jsonl"))
LANGFUSE = repr(str(FIXTURES / "langfuse" / "public" / "pydantic-ai-tools-2025-12-04.json"))


# A file of each format, as its tool wrote it (tests/fixtures/traces/README.md).
EVERY_FORMAT = {
    "otlp": FIXTURES / "otlp-openinference" / "openinference.jsonl",
    "langfuse": FIXTURES / "langfuse" / "public" / "openai-agents-2025-09-30.json",
    "langsmith": FIXTURES / "langsmith" / "run_tree.json",
    "claude-code": CLAUDE_SESSION,
    "codex": CODEX_MAIN,
    "gemini-cli": GEMINI_SESSION,
}


def outline(state: dict[str, Any]) -> dict[str, Any]:
    """What a user sees of a run's state: its blocks (kind, name, state, parent, text and
    arguments), its usage, its times and its end."""
    keys = ("type", "name", "state", "parent", "text", "args", "result", "error")
    return {
        "blocks": [{k: b.get(k) for k in keys} for b in state["blocks"]],
        **{k: state.get(k) for k in ("status", "run_id", "model", "usage", "started_at")},
        "ended_at": state.get("ended_at"),
    }


def displays(kernel: Kernel, since: int) -> list[dict]:
    return [m for m in kernel.messages()[since:] if m["msg_type"] == "display_data"]


def test_load_trace_then_show(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(f"import nbagent\nrun = nbagent.load_trace({GENAI})")
    assert displays(kernel, since) == []  # read, not shown
    assert kernel.value("run.status") == "running"
    assert kernel.value("len(run.events)") == 0
    kernel.execute("shown = nbagent.show(run)")
    kernel.wait_value("run.status", "completed")
    assert kernel.value("shown is run") is True
    assert len(displays(kernel, since)) == 1
    state = final_state(kernel, since)
    assert state["status"] == "completed"
    assert state["run_id"] == "7804d3cfbf042dfd82d3d572e2d45217"
    tools = [b for b in state["blocks"] if b["type"] == "tool"]
    assert [(b["name"], b["state"]) for b in tools] == [
        ("get_weather", "done"),
        ("lookup_order", "error"),
        ("ask_researcher", "done"),
    ]
    assert state["usage"]["input_tokens"] == 165
    assert state["blocks"][-1]["text"].startswith('A: A.S.\nThe "A-1720"')
    assert kernel.value("run.wait(30).text.startswith('A: A.S.')") is True


@pytest.mark.parametrize("fmt", sorted(EVERY_FORMAT))
def test_every_format_shows_in_a_kernel_as_read_here(kernel: Kernel, fmt: str) -> None:
    """The widget's final state is the run this process reads from the same file: its blocks,
    usage, times and end, to the letter."""
    path = EVERY_FORMAT[fmt]
    run, here = loaded(path)
    assert run.trace_format == fmt
    since = len(kernel.messages())
    kernel.execute(f"import nbagent\nshown = nbagent.show(nbagent.load_trace({str(path)!r}))")
    kernel.wait_value("shown.status", here.status)
    assert kernel.value("shown.trace_format") == fmt
    state = final_state(kernel, since)
    assert outline(state) == outline(here.to_dict())
    assert [b["type"] for b in state["blocks"]].count("tool") == len(list(here.tool_calls)) > 0


def test_waited_for_without_showing(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(f"import nbagent\nt = nbagent.load_trace({LANGFUSE}).wait(60)")
    assert displays(kernel, since) == []
    assert kernel.value("t.status") == "completed"
    assert kernel.value("[c.name for c in t.tool_calls][:3]") == [
        "get_pun_suggestion",
        "get_dad_joke_suggestion",
        "get_one_liner_suggestion",
    ]
    assert kernel.value("round(t.to_dict()['cost_usd'], 8)") == 0.00032265


def test_a_claude_code_session(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        f"import nbagent\nsession = nbagent.show(nbagent.load_trace({str(CLAUDE_SESSION)!r}))"
    )
    kernel.wait_value("session.status", "completed")
    assert kernel.value("session.trace_format") == "claude-code"
    state = final_state(kernel, since)
    assert (state["run_id"], state["model"]) == (CLAUDE_SESSION.stem, "claude-opus-5-5")
    tools = [b for b in state["blocks"] if b["type"] == "tool"]
    assert [(b["name"], b["state"], b.get("parent")) for b in tools] == [
        ("Bash", "done", None),
        ("Read", "error", None),
        ("Agent", "done", None),
        ("Read", "done", "toolu_main_agent"),  # the sub-agent's, from its own file
    ]
    assert tools[0]["args"]["command"] == "wc -l notes.txt"
    assert len([b for b in state["blocks"] if b["type"] == "thinking"]) == 3
    assert (state["usage"]["input_tokens"], state["usage"]["output_tokens"]) == (68524, 146)
    assert round((state["ended_at"] - state["started_at"]) * 1000) == 4569
    assert state["blocks"][-1]["text"].startswith("`wc -l` says: 3 notes.txt.")


def test_a_corrupt_line_in_a_kernel(
    kernel: Kernel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lines = (FIXTURES / "otlp-genai" / "openai-v2.jsonl").read_text(encoding="utf-8").splitlines()
    bad = tmp_path_factory.mktemp("traces") / "bad.jsonl"
    bad.write_text(lines[0] + "\n{oops\n", encoding="utf-8")
    since = len(kernel.messages())
    kernel.execute(f"import nbagent\nbroken = nbagent.show(nbagent.load_trace({str(bad)!r}))")
    kernel.wait_value("broken.status", "error")
    state = final_state(kernel, since)
    assert f"{bad}, line 2" in state["error"]["message"]
    assert [b["name"] for b in state["blocks"] if b["type"] == "tool"] == ["get_weather"]
    assert kernel.value("1 + 1") == 2  # the kernel goes on
