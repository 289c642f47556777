"""Tool data through nbagent: an Agent whose tool returns a DataFrame and a figure, driven by
the real ``openai`` client against a local server (the model gets the text form, the
transcript the bundles), a user source's ``ToolResult`` with a DataFrame (the normalizer makes
it data), the static HTML export, and a JSONL record/replay round trip."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest

import nbagent
from nbagent import Transcript
from nbagent.agent.agent import Agent
from nbagent.core.data import TABLE_MIME
from nbagent.core.data.images import sniff
from nbagent.core.events import RunEnd, RunStart, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.transcript.export.static_data import tool_data_html
from tests.servers import OpenAIServer, text_chunks
from tests.test_agent import calls_step, client_for, collect, off_loop, sent_messages

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from tests.wait import PATIENCE


def sales(region: str) -> pd.DataFrame:
    """Sales per month for a region."""
    return pd.DataFrame(
        {"month": [f"2024-{m:02d}" for m in range(1, 25)], "units": range(100, 124)},
    ).assign(region=region)


def chart(title: str) -> Any:
    """A line chart."""
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 4, 2, 5])
    ax.set_title(title)
    plt.close(fig)
    return fig


def agent_run(srv: OpenAIServer) -> Transcript:
    agent = Agent("m", tools=[sales, chart], client=client_for(srv))
    return collect(agent, "How did the north sell?")[1]


def scripts() -> list[Any]:
    return [
        calls_step(("c1", "sales", '{"region": "north"}'), ("c2", "chart", '{"title": "t"}')),
        text_chunks(["| a | b |\n|---|---|\n| 1 | 2 |\n"]),
    ]


def test_the_model_reads_the_text_form_and_the_transcript_keeps_the_bundles() -> None:
    with OpenAIServer(scripts=scripts()) as srv:
        t = agent_run(srv)
    assert t.status == "completed"
    tool_messages = [m for m in sent_messages(srv, 1) if m["role"] == "tool"]
    table_text, figure_text = tool_messages[0]["content"], tool_messages[1]["content"]
    assert table_text.startswith("DataFrame: 24 rows x 3 columns (first 10 and last 5 rows shown)")
    assert "| month | units | region |" in table_text
    assert "| 2024-01 | 100 | north |" in table_text
    assert "| … | … | … |" in table_text
    assert "| 2024-24 | 123 | north |" in table_text
    assert figure_text == "<Figure size 400x300 with 1 Axes>: PNG image, 400x300, shown to the user"

    state = t.to_dict()
    table_call, chart_call = (b for b in state["blocks"] if b["type"] == "tool")
    assert table_call["result"] == table_text  # old views show the text form
    (bundle,) = table_call["display"]
    table = bundle["data"][TABLE_MIME]
    assert table["shape"] == [24, 3]
    assert table["omitted_rows"] == 9
    assert [c["name"] for c in table["columns"]] == ["month", "units", "region"]
    png = base64.b64decode(chart_call["display"][0]["data"]["image/png"])
    assert sniff(png) == ("image/png", 400, 300)
    json.dumps(state, allow_nan=False)  # the state stays plain JSON
    # Transcript.from_dict keeps it; a tool call without data has no "display" key at all.
    assert Transcript.from_dict(state).to_dict()["blocks"] == state["blocks"]
    assert all("display" not in b for b in state["blocks"] if b["type"] != "tool")


def test_static_html_shows_the_table_and_the_figure() -> None:
    with OpenAIServer(scripts=scripts()) as srv:
        t = agent_run(srv)
    page = t.to_html()
    assert "<th>month<br><small>object</small></th>" in page or "<th>month<br><small>str" in page
    assert "<td>2024-01</td><td>100</td><td>north</td>" in page
    assert "… 9 rows …" in page
    assert "DataFrame · 24 rows x 3 columns" in page
    assert '<img class="nba-data-image" src="data:image/png;base64,' in page
    assert 'width="400" height="300"' in page
    assert "| month |" not in page  # the table, not its markdown text


def test_a_user_sources_dataframe_becomes_data() -> None:
    """Not only nbagent's agent: a ToolResult whose content is a DataFrame (any source, a
    watch() hook) is made data by the normalizer."""
    df = pd.DataFrame({"x": [1, 2]})
    events = [
        RunStart(),
        ToolCallStart(tool_call_id="c", name="q"),
        ToolCallEnd(tool_call_id="c", arguments="{}"),
        ToolResult(tool_call_id="c", content=df),
        RunEnd(),
    ]
    run = off_loop(lambda: nbagent.replay(events, speed=0).wait(PATIENCE))
    (call,) = run.to_dict()["blocks"]
    assert call["result"].startswith("DataFrame: 2 rows x 1 columns")
    assert call["display"][0]["data"][TABLE_MIME]["head"] == [["1"], ["2"]]


def test_record_and_replay_keep_the_bundles(tmp_path: Path) -> None:
    with OpenAIServer(scripts=scripts()) as srv:
        agent = Agent("m", tools=[sales, chart], client=client_for(srv))
        path = tmp_path / "run.jsonl"
        recorded = off_loop(
            lambda: nbagent.record(agent.stream("How did the north sell?"), path).wait(30)
        )
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    # the two calls run at once, so their results arrive in whichever order they finish
    names = {e["tool_call_id"]: e["name"] for e in lines if e["kind"] == "tool_call_start"}
    results = {names[e["tool_call_id"]]: e for e in lines if e["kind"] == "tool_result"}
    assert TABLE_MIME in results["sales"]["display"][0]["data"]
    assert "image/png" in results["chart"]["display"][0]["data"]
    replayed = off_loop(lambda: nbagent.replay(path, speed=0).wait(PATIENCE))
    shown = [(b["result"], b["display"]) for b in replayed.to_dict()["blocks"] if "display" in b]
    assert len(shown) == 2
    assert shown == [(b["result"], b["display"]) for b in recorded.to_dict()["blocks"][:2]]


@pytest.mark.parametrize(
    "display",
    [
        [{"data": {"text/html": '<table><tr><td><img src=x onerror="alert(1)">a</td></tr></table>'
                   }}],
        [{"data": {"text/html": "<table><tr><td style='x'><script>alert(1)</script></td></tr>"
                                "</table>"}}],
        [{"data": {"image/png": base64.b64encode(b"<svg onload='alert(1)'/>").decode()}}],
        [{"data": {"image/svg+xml": base64.b64encode(b"<svg/>").decode(), "text/plain": "s"}}],
        [{"data": {"audio/wav": base64.b64encode(b"<script>alert(1)</script>").decode()}}],
        [{"data": {"audio/wav": 'UklGRiQAAABXQVZF"><script>alert(1)</script>', "text/plain": "a"}}],
        [{"data": {'audio/wav"><script>alert(1)</script>': "UklGRiQAAABXQVZF"}}],
        [{"data": {"text/markdown": "[x](javascript:alert(1)) <img src=x onerror=alert(1)>"}}],
        [{"data": {TABLE_MIME: {"columns": [{"name": "<b onmouseover=x>"}], "shape": [1, 1],
                                "head": [["<script>alert(1)</script>"]], "tail": []}}}],
    ],
)  # fmt: skip
def test_static_html_of_hostile_bundles_is_inert(display: list[dict[str, Any]]) -> None:
    page = tool_data_html(display)
    elements = Elements()
    elements.feed(page)
    for tag, attrs in elements.found:
        assert tag not in ("script", "style", "img", "svg", "math", "iframe", "button"), page
        for name, value in attrs:
            assert not name.startswith("on"), page
            assert name not in ("style", "src"), page
            assert not name.startswith("data-"), page
            if name == "href":
                assert (value or "").startswith(("https:", "http:")), page


class Elements(HTMLParser):
    """The elements of an HTML string, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def test_a_rerun_keeps_its_data() -> None:
    step = calls_step(("c1", "sales", '{"region": "north"}'))
    with OpenAIServer(scripts=[step, text_chunks(["ok"])]) as srv:
        run = Agent("m", tools=[sales], client=client_for(srv)).run("Sales?")
        run.wait(PATIENCE)
    text = run.rerun_tool(0, region="south")
    assert text.startswith("DataFrame: 24 rows x 3 columns")
    (rerun,) = run.transcript.tool_calls[0].reruns
    assert rerun["result"] == text
    assert rerun["display"][0]["data"][TABLE_MIME]["head"][0] == ["2024-01", "100", "south"]
