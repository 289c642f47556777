"""End to end: ``with nbagent.watch():`` around a LangGraph agent's ``invoke`` in JupyterLab.

The cell blocks in ``graph.invoke`` (no stream anywhere); LangChain's callbacks reach the
widget live through nbagent's hook: the first model message, then the tool call running
(its tool waits for a file the test writes), then the answer; the status line says the
messages came whole. The saved output holds the finished transcript.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import LabPage, lab_fixture, lab_server_fixture  # noqa: F401
from tests.browser.test_lab_nested import page_errors, shape, tree
from tests.browser.test_reopen import TRANSCRIPT_MIME, saved_notebook, wait_output_final

pytestmark = pytest.mark.browser

LIVE = ".nba-live .nbagent"


def cells(gate: str) -> list[str]:
    return [
        f"import nbagent, nbtest_sources as S\ngraph = S.watched_weather_graph({gate!r})",
        "with nbagent.watch(title='Weather') as run:\n"
        "    result = graph.invoke({'messages': [('user', 'Weather in Oslo?')]})\n"
        "answer = result['messages'][-1].content\n"
        "print(run.status, repr(answer), answer in run.transcript.text)",
    ]


def test_a_watched_invoke_shows_live_while_the_cell_blocks(lab: LabPage) -> None:
    pytest.importorskip("langgraph", reason="needs langgraph (the frameworks extra)")
    gate = lab.server.root / "watch-gate"
    gate.unlink(missing_ok=True)
    lab.console.clear()
    source = cells(str(gate))
    lab.open("watch.ipynb", source, run=False)
    lab.run_cell(0)  # returns once the cell has run
    lab.run_source(1, source[1])  # returns at once: the cell blocks in invoke

    # 1. The cell is still running (the tool waits): the first message and the running tool.
    lab.wait_js(
        "(sel) => [...document.querySelectorAll(sel + ' .nba-tool')]"
        ".some((t) => t.textContent.includes('get_weather'))",
        LIVE,
    )
    t = tree(lab, LIVE)
    assert t["status"].startswith("running"), t["status"]
    assert shape(t["blocks"]) == [("text", "Let me check Oslo."), ("tool", "get_weather", [])]
    assert t["blocks"][1]["spinning"] is True, t["blocks"][1]
    assert "Oslo is sunny" not in str(t), "the gate did not hold the tool"

    # 2. The tool returns; the answer comes; the block ends with the cell.
    gate.write_text("go")
    lab.wait_status("completed")
    lab.wait_cell_output(1, "completed 'Oslo is sunny and 21 °C.' True")
    t = tree(lab, LIVE)
    assert shape(t["blocks"]) == [
        ("text", "Let me check Oslo."),
        ("tool", "get_weather", []),
        ("text", "Oslo is sunny and 21 °C."),
    ]
    assert t["blocks"][1]["icon"] == "check"
    line = lab.js("(sel) => document.querySelector(sel + ' .nba-status').textContent", LIVE)
    assert "whole messages" in line, line
    assert "first message" in line, line
    assert "84 tokens" in line, line  # 60 in + 24 out: the total on the line, the rest folded
    assert page_errors(lab) == []

    # 3. The saved output: the finished transcript, messages marked whole.
    wait_output_final(lab, cell=1)
    lab.save()
    outputs = saved_notebook(lab).cells[1].outputs
    [data] = [o["data"] for o in outputs if TRANSCRIPT_MIME in o.get("data", {})]
    state = data[TRANSCRIPT_MIME]["runs"][0]["state"]
    assert state["status"] == "completed"
    assert state["whole"] is True
    assert "Oslo is sunny and 21 °C." in data["text/plain"]
    assert not lab.foreign_requests(), lab.foreign_requests()
