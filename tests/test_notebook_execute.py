"""Headless execution (`jupyter execute`) keeps the run; nbconvert shows it without widget state."""

from __future__ import annotations

import html.parser
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert import HTMLExporter

from benchmarks.saved_size import execute as run_notebook

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
            "import nbagent\nfrom nbagent.demo import scripted_run, ANSWER",
            # The run outlives its cell: it streams on while the next cell awaits it.
            "run = nbagent.show(scripted_run(speed=20), title='demo')",
            "t = await run\nprint(t.status, len(t.tool_calls))",
        ],
    )


def test_saved_widget_state_holds_the_final_transcript(executed: nbformat.NotebookNode) -> None:
    from nbagent.demo import ANSWER

    snapshots = widget_snapshots(executed)
    assert len(snapshots) == 1
    assert snapshots[0]["state"]["status"] == "completed"
    assert answer(snapshots[0]) == ANSWER
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
    assert "weather station OSL-3 did not answer" in body
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
