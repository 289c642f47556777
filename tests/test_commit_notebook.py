"""The committed tutorials carry their transcripts (tests/commit_notebook.py): each nbagent
output holds every run's state, so JupyterLab and Notebook 7 draw it with no kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbagent import demo as demos
from nbagent.evaluation.board import EVALUATION_MIME
from nbagent.sources.files import load
from nbagent.transcript.transcript import Transcript
from nbagent.widget.inspector import INSPECTOR_STATIC
from nbagent.widget.output import TRANSCRIPT_MIME, WIDGET_VIEW_MIME, Head, RunOutput, assemble
from tests.commit_notebook import (
    EVALUATION_TRAITS,
    WIDGET_STATE_MIME,
    MissingState,
    fill_payloads,
    strip,
)

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def state_of(name: str) -> dict[str, Any]:
    return Transcript.from_events(load(demos.recording(name))).to_dict()


def output(data: dict[str, Any]) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data=data)


def executed(outputs: list[nbformat.NotebookNode], models: dict[str, Any]) -> Any:
    """A notebook as ``jupyter execute`` saves it: the states in the widget models."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("nbagent.show(...)", outputs=outputs)]
    state = {k: {"model_name": "AnyModel", "state": v} for k, v in models.items()}
    nb.metadata["widgets"] = {WIDGET_STATE_MIME: {"version_major": 2, "state": state}}
    return nb


def test_a_run_gets_its_state_from_its_widget_model() -> None:
    weather = state_of("weather")
    head = Head("single", "m1")
    in_model = assemble(head, [RunOutput(weather)], in_model=True)
    assert in_model[TRANSCRIPT_MIME]["runs"][0]["state"] is None
    nb = strip(executed([output(in_model)], {"m1": {"snapshot": {"seq": 9, "state": weather}}}))
    assert "widgets" not in nb.metadata
    data = nb.cells[0].outputs[0]["data"]
    assert data == assemble(head, [RunOutput(weather)])
    assert data[WIDGET_VIEW_MIME]["model_id"] == "m1"


@pytest.mark.parametrize("form", ["keys", "chain (saved before)", "list (saved before that)"])
def test_lanes_get_each_lane_state_in_order(form: str) -> None:
    weather, failing = state_of("weather"), state_of("failing_tool")
    head = Head("lanes", "group", "Two models")
    runs = [RunOutput(weather, "a"), RunOutput(failing, "b", "why?")]
    first = {"seq": 3, "meta": {"title": "a"}, "state": weather}
    second = {"seq": 5, "meta": {"title": "b"}, "state": failing}
    group: dict[str, Any] = {
        "keys": {"arrangement": "lanes", "lane0": first, "lane1": second},
        "chain (saved before)": {"arrangement": "lanes", "last": "IPY_MODEL_l2", "lanes": []},
        "list (saved before that)": {
            "arrangement": "lanes",
            "lanes": ["IPY_MODEL_l1", "IPY_MODEL_l2"],
        },
    }[form]
    models = {
        "group": group,
        "l1": {"lane": first, "prev": None},
        "l2": {"lane": second, "prev": "IPY_MODEL_l1"},
    }
    nb = fill_payloads(executed([output(assemble(head, runs, in_model=True))], models))
    shown = nb.cells[0].outputs[0]["data"][TRANSCRIPT_MIME]
    assert [r["state"] for r in shown["runs"]] == [weather, failing]
    assert [(r["title"], r["prompt"]) for r in shown["runs"]] == [("a", None), ("b", "why?")]
    assert shown["title"] == "Two models"


def test_an_output_without_its_model_is_an_error_not_an_empty_card() -> None:
    data = assemble(Head("single", "gone"), [RunOutput(state_of("weather"))], in_model=True)
    with pytest.raises(MissingState, match="gone"):
        strip(executed([output(data)], {}))


def test_an_evaluation_gets_its_table_and_transcripts_from_its_widget_model() -> None:
    weather = state_of("weather")
    traits = {
        "columns": ["exact"],
        "baseline": "",
        "snapshot": {"seq": 4, "header": {"status": "completed"}, "rows": [{"i": 0}]},
        "transcripts": [weather],
    }
    left = {"version": 1, "model_id": "e1", "title": "v1", "in_model": True}
    html = '<div class="nbagent-evaluation">the table</div>'
    data = {WIDGET_VIEW_MIME: {"model_id": "e1"}, EVALUATION_MIME: left, "text/html": html}
    nb = strip(executed([output(data)], {"e1": traits | {"opened": {}}}))
    filled = nb.cells[0].outputs[0]["data"]
    assert filled[EVALUATION_MIME] == {"version": 1, "model_id": "e1", "title": "v1", **traits}
    assert filled["text/html"] == html
    # Filled already (a browser saved it): kept as it is; no model: an error, not an empty table.
    assert fill_payloads(executed([output(filled)], {})).cells[0].outputs[0]["data"] == filled
    with pytest.raises(MissingState, match="'v1'"):
        strip(executed([output(data)], {}))


def check_evaluation(payload: dict[str, Any]) -> None:
    """A committed evaluation's output: its finished table and its cases' transcripts."""
    assert "in_model" not in payload, "an evaluation saved without its table"
    assert all(name in payload for name in EVALUATION_TRAITS)
    assert payload["snapshot"]["header"]["status"] != "running"
    rows, transcripts = payload["snapshot"]["rows"], payload["transcripts"]
    assert rows
    assert len(transcripts) == len(rows)
    for state in transcripts:
        assert state is None or state["status"] != "running"


@pytest.mark.parametrize("notebook", TUTORIALS, ids=lambda p: p.stem)
def test_committed_tutorials_carry_every_run_state(notebook: Path) -> None:
    nb = json.loads(notebook.read_text())
    assert "widgets" not in nb["metadata"]
    shown = [
        o["data"]
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if WIDGET_VIEW_MIME in o.get("data", {}) or TRANSCRIPT_MIME in o.get("data", {})
        # An MCP server's inspector is no run: its static copy is its catalog.
        if INSPECTOR_STATIC not in "".join(o.get("data", {}).get("text/html", ""))
    ]
    assert shown, "the tutorial shows no run"
    for data in shown:
        if EVALUATION_MIME in data:  # an evaluation: its table, not a run
            check_evaluation(data[EVALUATION_MIME])
            continue
        assert TRANSCRIPT_MIME in data, "an output without nbagent's transcript"
        runs = data[TRANSCRIPT_MIME]["runs"]
        assert runs
        for run in runs:
            assert run["state"]["blocks"], "a run saved without its blocks"
            assert run["state"]["status"] != "running"
