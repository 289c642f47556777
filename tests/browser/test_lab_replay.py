"""End to end: a step replay in JupyterLab. The step buttons go to the kernel as widget
messages; the position indicator and the transcript come back and grow step by step."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import nbagent
from nbagent import demo
from nbagent._events import ToolCallEnd, ToolResult
from tests.browser.lab import ROOT_SEL, LabPage, lab_fixture, lab_server_fixture  # noqa: F401

pytestmark = pytest.mark.browser

EVENTS = list(nbagent.load(demo.recording("failing_tool")))
TOTAL = len(EVENTS)
# Where "Next tool call" stops: after each tool call's arguments, and after each result.
TOOL_STOPS = [i for i, ev in enumerate(EVENTS, 1) if isinstance(ev, (ToolCallEnd, ToolResult))]

CELL = (
    "import nbagent\nfrom nbagent import demo\n"
    "run = nbagent.replay(demo.recording('failing_tool'), step=True)"
)

STATE_JS = r"""
(sel) => {
  const r = document.querySelector(sel);
  if (!r) return null;
  const bar = r.querySelector('.nba-replay');
  const failed = [...r.querySelectorAll('details.nba-tool')].find(
    (d) => d.querySelector('.nba-is-error'));
  return {
    label: bar && !bar.hidden ? r.querySelector('.nba-replay-label').textContent : null,
    buttons: [...r.querySelectorAll('.nba-replay-buttons:not([hidden]) button')]
      .map((b) => b.textContent),
    text: [...r.querySelectorAll('.nba-text')].map((t) => t.textContent).join(''),
    tools: [...r.querySelectorAll('details.nba-tool .nba-tool-name')].map((n) => n.textContent),
    failed: failed ? {open: failed.open, error: failed.querySelector('.nba-is-error').textContent}
      : null,
    status: r.querySelector('.nba-status-label').textContent,
  };
}
"""


def state(lab: LabPage) -> dict[str, Any]:
    out = lab.js(STATE_JS, ROOT_SEL)
    assert out is not None, "no widget on the page"
    return dict(out)


def click_and_wait(lab: LabPage, button: str, label: str) -> dict[str, Any]:
    lab.widget().get_by_role("button", name=button).click()
    wait_label(lab, label)
    return state(lab)


def wait_label(lab: LabPage, label: str) -> None:
    try:
        lab.page.wait_for_function(
            "([sel, label]) => document.querySelector(sel + ' .nba-replay-label')"
            "?.textContent === label",
            arg=[ROOT_SEL, label],
        )
    except Exception as exc:
        raise AssertionError(
            f"never showed {label!r}; shows {state(lab)}\n{lab.diagnose()}"
        ) from exc


def test_step_buttons_play_the_recording_and_show_where_it_is(lab: LabPage) -> None:
    lab.open("step.ipynb", [CELL])
    wait_label(lab, f"Replay paused · event 0 of {TOTAL}")
    first = state(lab)
    assert first["buttons"] == ["Next event", "Next tool call", "To end"]
    assert first["tools"] == []
    assert first["status"] == "waiting for the first token"  # begun, nothing played yet

    click_and_wait(lab, "Next event", f"Replay paused · event 1 of {TOTAL}")
    call = click_and_wait(
        lab, "Next tool call", f"Replay paused · event {TOOL_STOPS[0]} of {TOTAL}"
    )
    assert call["tools"] == ["revenue_by_region"]
    assert call["failed"] is None  # asked, not answered yet
    failed = click_and_wait(
        lab, "Next tool call", f"Replay paused · event {TOOL_STOPS[1]} of {TOTAL}"
    )
    # The failed call's panel opens with its error.
    assert failed["failed"] == {
        "open": True,
        "error": "FileNotFoundError: [Errno 2] No such file: 'sales_q3.csv'",
    }
    for stop in TOOL_STOPS[2:]:
        click_and_wait(lab, "Next tool call", f"Replay paused · event {stop} of {TOTAL}")

    # The answer grows one event at a time.
    lengths = [len(state(lab)["text"])]
    for position in range(TOOL_STOPS[-1] + 1, TOOL_STOPS[-1] + 31):
        shown = click_and_wait(lab, "Next event", f"Replay paused · event {position} of {TOTAL}")
        lengths.append(len(shown["text"]))
    # (Rendered text, not source: a table's pipes vanish once its rows parse as a table.)
    grew = sum(b > a for a, b in itertools.pairwise(lengths))
    assert grew >= 10, f"the answer did not grow step by step: {lengths}"
    assert lengths[-1] > lengths[0] + 50, lengths

    click_and_wait(lab, "To end", f"Replay · event {TOTAL} of {TOTAL}")
    lab.wait_status("completed")
    done = state(lab)
    assert done["buttons"] == []  # nothing left to step through
    assert "| **Total** | **20,510.00** | |" not in done["text"]  # rendered as a table
    assert "20,510.00" in done["text"]
    assert not lab.foreign_requests()
