"""A run recorded elsewhere, opened in a JupyterLab cell (``nbagent.load_trace`` then
``nbagent.show``): the OTLP/JSON file the GenAI instrumentation wrote shows its tool calls in
order (the failed one failed), the researcher sub-agent's answer inside the call that ran it,
and the answer; a Claude Code session its thinking, its calls and its sub-agent's own file
inside the Agent call; with nothing fetched by the page."""

from __future__ import annotations

import pytest

from tests.browser.lab import LabPage
from tests.browser.test_lab_nested import page_errors
from tests.session_harness import CLAUDE_SESSION, CODEX_MAIN, GEMINI_SESSION
from tests.traces import FIXTURES, loaded

pytestmark = pytest.mark.browser

LIVE = ".nba-live .nbagent"
TRACE = str(FIXTURES / "otlp-genai" / "openai-v2.jsonl")
ANSWER = (
    'A: A.S.\nThe "A-1720" is a rare and highly sought-after 3D printed model of the A-172 '
    "aircraft, which was released in 2018 by the Air & Space Museum."
)


# The widget's blocks: kind (its nba-* class), a panel's name and state icon, a text's text,
# and the blocks inside a panel.
BLOCKS_JS = r"""
(sel) => {
  const root = document.querySelector(sel);
  if (!root) return null;
  const kinds = ['prompt', 'text', 'tool', 'agent', 'thinking'];
  const describe = (el) => {
    const kind = kinds.find((k) => el.classList.contains('nba-' + k)) ?? el.className;
    const summary = el.querySelector(':scope > summary');
    const kids = el.querySelector(':scope > .nba-panel-body > .nba-children');
    return {
      kind,
      name: summary?.querySelector('.nba-tool-name, .nba-label')?.textContent ?? null,
      icon: summary?.querySelector('.nba-state svg.nba-icon')?.classList[1]?.slice(9) ?? null,
      text: summary ? null : el.textContent.trim().split(/\s+/).join(' '),
      children: kids ? [...kids.children].map(describe) : [],
    };
  };
  return {
    status: root.querySelector('.nba-status-label')?.textContent ?? null,
    blocks: [...root.querySelector('.nba-blocks').children].map(describe),
  };
}
"""


def test_a_trace_opens_in_a_cell(lab: LabPage) -> None:
    lab.console.clear()
    lab.open(
        "trace.ipynb", [f"import nbagent\nrun = nbagent.load_trace({TRACE!r})\nnbagent.show(run)"]
    )
    lab.wait_status("completed")
    lab.wait_drawn(LIVE)
    t = lab.js(BLOCKS_JS, LIVE)
    assert t is not None, lab.diagnose()
    blocks = t["blocks"]
    flat = " ".join(ANSWER.split())
    assert [(b["kind"], b["name"] or b["text"]) for b in blocks] == [
        ("prompt", "What is the weather in Paris today, and where is my order A-17?"),
        ("tool", "get_weather"),
        ("tool", "lookup_order"),
        ("tool", "ask_researcher"),
        ("text", flat),
    ]
    assert [b["icon"] for b in blocks[1:4]] == ["check", "cross", "check"]
    inside = [(b["kind"], b["text"]) for b in blocks[3]["children"]]
    assert inside == [("prompt", "error: order 'A-1720' not found"), ("text", flat)]
    assert page_errors(lab) == []
    assert lab.foreign_requests() == []


def test_a_coding_agents_session_opens_in_a_cell(lab: LabPage) -> None:
    lab.console.clear()
    source = f"import nbagent\nnbagent.show(nbagent.load_trace({str(CLAUDE_SESSION)!r}))"
    lab.open("session.ipynb", [source])
    lab.wait_status("completed")
    lab.wait_drawn(LIVE)
    t = lab.js(BLOCKS_JS, LIVE)
    assert t is not None, lab.diagnose()
    blocks = t["blocks"]
    assert [(b["kind"], b["name"]) for b in blocks if b["kind"] != "text"] == [
        ("prompt", None),
        ("thinking", "Thinking"),
        ("tool", "Bash"),
        ("thinking", "Thinking"),
        ("tool", "Read"),
        ("tool", "Agent"),
        ("thinking", "Thinking"),
    ]
    tools = [b for b in blocks if b["kind"] == "tool"]
    assert [b["icon"] for b in tools] == ["check", "cross", "check"]
    inside = [(b["kind"], b["name"] or b["text"]) for b in tools[2]["children"]]
    assert inside == [
        ("prompt", "Summarise notes.txt in one sentence."),
        ("tool", "Read"),
        ("text", "notes.txt is a short to-do list: buy milk, call the plumber, water the plants."),
    ]
    assert blocks[-1]["kind"] == "text"
    assert blocks[-1]["text"].startswith("wc -l says: 3 notes.txt.")  # `wc -l`: code
    assert page_errors(lab) == []
    assert lab.foreign_requests() == []


# A file of each format not opened above, as its tool wrote it (tests/fixtures/traces/README.md).
OTHERS = [
    FIXTURES / "otlp-openinference" / "openinference.jsonl",
    FIXTURES / "langfuse" / "public" / "pydantic-ai-tools-2025-12-04.json",
    FIXTURES / "langsmith" / "runs.json",
    CODEX_MAIN,
    GEMINI_SESSION,
]

# Each live widget: its status, its tool panels' names and ends (the state icon), how many of
# them sit inside another panel, its thinking panels.
WIDGETS_JS = r"""
(sel) => [...document.querySelectorAll(sel)].map((root) => {
  const tools = [...root.querySelectorAll('details.nba-tool')];
  return {
    status: root.querySelector('.nba-status-label')?.textContent ?? null,
    tools: tools.map((d) => [
      d.querySelector(':scope > summary .nba-tool-name')?.textContent ?? null,
      d.querySelector(':scope > summary .nba-state svg.nba-icon')?.classList[1]?.slice(9) ?? null,
    ]).sort(),
    nested: tools.filter((d) => d.parentElement.closest('details')).length,
    thinking: root.querySelectorAll('details.nba-thinking').length,
  };
})
"""

ICONS = {"done": "check", "error": "cross", "cancelled": "cancelled"}  # panels.js


def test_every_other_format_opens_in_a_cell(lab: LabPage) -> None:
    lab.console.clear()
    cells = [f"import nbagent\nnbagent.show(nbagent.load_trace({str(p)!r}))" for p in OTHERS]
    lab.open("formats.ipynb", cells)
    expected = []
    for path in OTHERS:
        _, t = loaded(path)
        tools = [b for b in t.to_dict()["blocks"] if b["type"] == "tool"]
        expected.append(
            {
                "status": t.status,
                "tools": sorted([b["name"], ICONS.get(b["state"])] for b in tools),
                "nested": sum(1 for b in tools if b.get("parent")),
                "thinking": sum(1 for b in t.to_dict()["blocks"] if b["type"] == "thinking"),
            }
        )
    for nth, want in enumerate(expected):
        lab.wait_status(want["status"], nth=nth)
    lab.wait_drawn(LIVE)
    shown = lab.js(WIDGETS_JS, LIVE)
    assert shown == expected, lab.diagnose()
    assert all(w["tools"] for w in shown)
    assert page_errors(lab) == []
    assert lab.foreign_requests() == []
