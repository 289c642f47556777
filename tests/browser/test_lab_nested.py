"""End to end: a run with sub-agents in JupyterLab renders nested, live and reopened.

A notebook cell streams ``nbtest_sources.nested_events``: top-level text, a tool call
``call_1`` whose sub-agent (``parent="call_1"``) thinks, writes and calls a tool of its own,
a ``subagent`` step ``sg`` ("researcher") with text of its own, then the final answer (each
sub-agent waits mid-text for a gate the next cells set; how the page looks while they stream
is tests/browser/test_recorded_runs.py's, with the same helpers). The notebook is saved with its
widget state and reopened without a kernel: the widget restored from the saved state (js/src),
then the saved transcript alone (js/lab, this checkout's build: tests/browser/lab.py).

``with nbagent.watch():`` around a LangGraph agent's ``invoke``: the cell blocks in
``graph.invoke`` (no stream anywhere); LangChain's callbacks reach the widget live through
nbagent's hook: the first model message, then the tool call running (its tool waits for a file
the test writes), then the answer; the status line says the messages came whole. The saved
output holds the finished transcript.
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from tests.browser.lab import REPO, LabPage
from tests.browser.test_reopen import (
    LIVE_SEL,
    SAVED_SEL,
    TRANSCRIPT_MIME,
    reopen_with_widget_state,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
    widget_state_saved,
)

pytestmark = pytest.mark.browser

CELLS = [
    "import threading, nbagent, nbtest_sources as S\n"
    "in_tool, in_agent = threading.Event(), threading.Event()\n"
    "run = nbagent.show(S.nested_events(in_tool, in_agent, 0.01))",
    "in_tool.set()",
    "in_agent.set()",
]
LIVE = ".nba-live .nbagent"  # the live widget while the kernel runs (js/lab/src/index.js)
TOOL_USAGE = "in 120 · out 30 tokens"
AGENT_USAGE = "in 40 · out 8 tokens"

# The widget's blocks as a tree (one evaluate: a consistent snapshot). Each block: its kind,
# and for a panel whether it is open, its name, meta, whether its spinner shows, and the
# blocks inside it (its `.nba-children`); for a text, its text and whether it is visible.
TREE_JS = r"""
(sel) => {
  const root = document.querySelector(sel);
  if (!root) return null;
  const kinds = ['text', 'tool', 'agent', 'thinking'];
  const describe = (el) => {
    const kind = kinds.find((k) => el.classList.contains('nba-' + k)) ?? el.className;
    if (kind === 'text') {
      return {kind, text: el.textContent.trim(), visible: el.checkVisibility()};
    }
    const summary = el.querySelector(':scope > summary');
    const name = summary.querySelector('.nba-tool-name, .nba-label');
    const spin = summary.querySelector('.nba-spinner');
    const kids = el.querySelector(':scope > .nba-panel-body > .nba-children');
    return {
      kind, open: el.open, name: name ? name.textContent : null,
      meta: summary.querySelector('.nba-meta')?.textContent ?? null,
      // nbagent's icon (js/src/base/icons.js) by name: "check", "cross", "cancelled".
      icon: summary.querySelector('.nba-state svg.nba-icon')?.classList[1]?.slice(9) ?? null,
      spinning: !!spin && spin.checkVisibility() && !spin.closest('[hidden]'),
      children: kids ? [...kids.children].map(describe) : [],
    };
  };
  return {
    status: root.querySelector('.nba-status-label')?.textContent ?? null,
    blocks: [...root.querySelector('.nba-blocks').children].map(describe),
  };
}
"""


def tree(lab: LabPage, sel: str) -> dict[str, Any]:
    out = lab.js(TREE_JS, sel)
    assert out is not None, f"no widget at {sel}\n{lab.diagnose()}"
    return dict(out)


def shape(blocks: list[dict[str, Any]]) -> list[Any]:
    """The blocks' kinds and names (texts: their text), nested as they are on the page."""
    return [
        (b["kind"], b["text"])
        if b["kind"] == "text"
        else (b["kind"], b["name"], shape(b["children"]))
        for b in blocks
    ]


FINAL_SHAPE = [
    ("text", "Let me ask a helper."),
    (
        "tool",
        "ask_helper",
        [
            ("thinking", "Thinking", []),
            ("text", "Helper streaming nested words."),
            ("tool", "measure", []),
        ],
    ),
    ("agent", "researcher", [("text", "Researcher reading found two sources.")]),
    ("text", "Final answer: 42 cm."),
]


def check_final(lab: LabPage, sel: str) -> None:
    """The finished run: everything nested where it belongs, every panel collapsed, the tool
    and the sub-agent showing their usage; the panels open and close on a click."""
    t = tree(lab, sel)
    assert t["status"].startswith("completed"), t["status"]
    assert shape(t["blocks"]) == FINAL_SHAPE, t["blocks"]
    _, tool, agent, _ = t["blocks"]
    assert [tool["open"], agent["open"]] == [False, False], t["blocks"]
    assert [tool["spinning"], agent["spinning"]] == [False, False], t["blocks"]
    assert TOOL_USAGE in tool["meta"], tool["meta"]
    assert AGENT_USAGE in agent["meta"], agent["meta"]
    assert [tool["icon"], tool["children"][2]["icon"]] == ["check", "check"]

    root = lab.page.locator(sel)
    for panel, inner in (("tool", "Helper streaming"), ("agent", "found two sources")):
        summary = root.locator(f".nba-blocks > details.nba-{panel} > summary")
        nested = root.locator(f".nba-blocks > .nba-{panel} .nba-children .nba-text", has_text=inner)
        summary.click()
        assert tree(lab, sel)["blocks"][1 if panel == "tool" else 2]["open"] is True
        assert nested.is_visible(), f"{inner!r} hidden in the opened {panel} panel"
        summary.click()
        assert tree(lab, sel)["blocks"][1 if panel == "tool" else 2]["open"] is False
        assert not nested.is_visible()
    # Nested blocks are in their panels only: none of them is at the top level.
    top = root.locator(".nba-blocks > .nba-text").all_inner_texts()
    assert not any("Helper" in x or "Researcher" in x for x in top), top


def require_nesting_lab_build() -> None:
    """The js/lab build the server serves (this checkout's: tests/browser/lab.py) must be one
    that nests; an older one shows a saved transcript flat."""
    built = REPO / "nbagent" / "labextension" / "static"
    if not any("nba-children" in p.read_text(errors="replace") for p in built.glob("*.js")):
        pytest.fail(
            "nbagent/labextension predates nesting: rebuild it "
            "(cd js/lab && jupyter labextension build .)",
            pytrace=False,
        )


def page_errors(lab: LabPage) -> list[str]:
    return [m for m in lab.console if m.startswith("pageerror")]


def test_nested_run_renders_nested_live_and_reopened(lab: LabPage) -> None:
    require_nesting_lab_build()
    lab.console.clear()
    lab.open("nested.ipynb", CELLS, run=False)
    with widget_state_saved(lab):
        lab.run_all()  # the gates open at once: how it looks mid-stream is test_recorded_runs'
        lab.wait_status("completed")
        lab.wait_drawn(LIVE)
        check_final(lab, LIVE)
        assert page_errors(lab) == []

        wait_output_final(lab)
        lab.save()
        nb = saved_notebook(lab)
        states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        [snapshot] = [s["state"]["snapshot"] for s in states.values() if "snapshot" in s["state"]]
        parents = {b["id"]: b.get("parent") for b in snapshot["state"]["blocks"]}
        assert parents == {
            "t0": None, "call_1": None, "h_think": "call_1", "h_text": "call_1",
            "call_2": "call_1", "sg": None, "r_text": "sg", "t9": None,
        }  # fmt: skip
        data = nb.cells[0].outputs[0]["data"]
        assert data[TRANSCRIPT_MIME]["runs"][0]["state"]["status"] == "completed"
        assert 'class="nba-children"' in data["text/html"]  # the static export nests too

        # 4. Reopened without a kernel: the widget restored from the saved widget state.
        reopen_with_widget_state(lab)
        lab.wait_drawn(LIVE_SEL)
        check_final(lab, LIVE_SEL)

    # 5. Reopened without the widget state: the saved transcript alone (js/lab's renderer).
    nb = saved_notebook(lab)
    del nb.metadata["widgets"]
    nbformat.write(nb, lab.server.root / "nested.ipynb")
    reopen_without_kernel(lab)
    lab.wait_drawn(SAVED_SEL)
    check_final(lab, SAVED_SEL)
    assert page_errors(lab) == []
    assert "Error displaying widget" not in lab.js("() => document.body.innerText")
    assert not lab.foreign_requests(), lab.foreign_requests()


# -- watch() ----------------------------------------------------------------------------


def watch_cells(gate: str) -> list[str]:
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
    source = watch_cells(str(gate))
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
