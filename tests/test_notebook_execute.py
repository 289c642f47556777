"""Headless execution (`jupyter execute`) keeps the run; nbconvert shows it without widget state."""

from __future__ import annotations

import html.parser
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import HTMLExporter

from benchmarks.saved_size import execute as run_notebook
from nbagent import Transcript, demo, load
from tests.commit_notebook import execute as execute_copy
from tests.commit_notebook import strip
from tests.kernel import ROOT

pytestmark = pytest.mark.kernel


def execute(tmp_path: Path, cells: list[str]) -> nbformat.NotebookNode:
    return run_notebook(tmp_path / "run.ipynb", cells)


def widget_snapshots(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [s["state"]["snapshot"] for s in states.values() if "snapshot" in s["state"]]


def answer(snapshot: dict[str, Any]) -> str:
    return "".join(b["text"] for b in snapshot["state"]["blocks"] if b["type"] == "text")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    tmp = tmp_path_factory.mktemp("execute")
    return execute(
        tmp,
        [
            "import nbagent\nfrom nbagent import demo",
            # The run outlives its cell: it streams on while the next cell awaits it.
            "run = nbagent.replay(demo.recording('weather'), speed=20, title='demo')",
            "t = await run\nprint(t.status, len(t.tool_calls))",
            "await nbagent.replay(demo.recording('failing_tool'), speed=0)",
        ],
    )


def test_saved_widget_state_holds_the_final_transcript(executed: nbformat.NotebookNode) -> None:
    recorded = Transcript.from_events(load(demo.recording("weather")))
    snapshots = widget_snapshots(executed)
    assert len(snapshots) == 2
    assert [s["state"]["status"] for s in snapshots] == ["completed"] * 2
    (weather,) = [s for s in snapshots if s["state"]["title"] == recorded.title]
    assert answer(weather) == recorded.text
    assert "completed 2" in "".join(o.get("text", "") for o in executed.cells[2].outputs)


def test_the_output_carries_a_static_copy(executed: nbformat.NotebookNode) -> None:
    data = executed.cells[1].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "Paris vs Oslo today" in data["text/html"]
    assert "get_weather" in data["text/html"]
    assert "Paris vs Oslo today" in data["text/plain"]


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_nbconvert_without_widget_state_shows_the_answer(executed: nbformat.NotebookNode) -> None:
    nb = nbformat.from_dict(executed)
    del nb.metadata["widgets"]
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert "Paris vs Oslo today" in body
    assert "get_weather" in body
    assert "FileNotFoundError: [Errno 2] No such file" in body  # the failed tool's panel
    # The table and the code block of the answer render as HTML, not as markdown source.
    assert "<table" in body
    assert "Error displaying widget" not in body


def test_hostile_text_stays_text_in_the_static_copy(tmp_path: Path) -> None:
    nb = execute(
        tmp_path,
        [
            "import nbagent\n"
            "evil = ['Hello <img src=x onerror=\"window.__pwned=1\"> ', '<script>window.__pwned=1',"
            " '</script> [a](javascript:alert(1))']\n"
            "run = nbagent.show(iter(evil))\n"
            "await run",
        ],
    )
    data = nb.cells[0].outputs[0]["data"]
    static = data["text/html"]
    parser = _Collect()
    parser.feed(static)
    assert not [t for t, _ in parser.tags if t in {"img", "script", "iframe", "svg"}]
    for _, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on") or a in {"src", "style"}]
        href = attrs.get("href")
        assert href is None or href.startswith(("http:", "https:", "mailto:", "#"))


# -- notebooks/quickstart.ipynb --------------------------------------------------------------


def test_quickstart_runs_offline_top_to_bottom(tmp_path: Path) -> None:
    """No API key: every cell replays a recording; `jupyter execute` awaits each run."""
    quickstart = ROOT / "notebooks" / "quickstart.ipynb"
    nb = execute_copy(quickstart, tmp_path)
    printed = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in nb.cells
        if cell.cell_type == "code"
    ]
    assert printed[0].startswith("Offline: no OPENAI_API_KEY or OPENAI_BASE_URL is set")
    assert "failed: revenue_by_region {'path': 'sales_q3.csv'}" in printed[3]
    assert printed[-1] == "completed\n"
    snapshots = widget_snapshots(nb)
    assert [s["state"]["status"] for s in snapshots] == ["completed"] * 4
    titles = sorted(s["state"]["title"] for s in snapshots)
    assert titles == sorted(
        demo.DEMOS[n].title for n in ("weather", "failing_tool", "markdown", "failing_tool")
    )
    assert (tmp_path / "failing_tool.jsonl").is_file()  # its run.save(), replayed step by step
    # Committed as `tests/commit_notebook.py` leaves it: outputs, but no widget state.
    committed = nbformat.read(quickstart, as_version=4)
    assert "widgets" not in committed.metadata
    assert [c.source for c in committed.cells] == [c.source for c in nb.cells]
    html = [
        o["data"]["text/html"]
        for c in committed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    ]
    assert len(html) == 4
    assert "Paris vs Oslo today" in html[0]
    assert nbformat.writes(strip(nb)).count("widget-view+json") == nbformat.writes(committed).count(
        "widget-view+json"
    )
