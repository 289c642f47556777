"""The display bundle of a widget's runs (nbagent/output.py): the saved notebook's copy."""

from __future__ import annotations

import itertools
import json
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from nbagent import demo as demos
from nbagent.sources.files import load
from nbagent.transcript.transcript import Transcript
from nbagent.widget.output import (
    TRANSCRIPT_MIME,
    WIDGET_VIEW_MIME,
    Head,
    OutputRun,
    RunOutput,
    assemble,
    mimebundle,
    payload,
    split,
)

HOSTILE: list[str] = json.loads((Path(__file__).parent / "fixtures" / "hostile.json").read_text())


def demo() -> Transcript:
    return Transcript.from_events(load(demos.recording("weather")))


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_one_run_with_a_widget() -> None:
    t = demo()
    data = mimebundle([OutputRun(t)], model_id="m1")
    assert list(data) == [TRANSCRIPT_MIME, WIDGET_VIEW_MIME, "text/html", "text/plain"]
    assert data[TRANSCRIPT_MIME] == {
        "version": 1,
        "layout": "single",
        "model_id": "m1",
        "title": None,
        "runs": [{"title": None, "prompt": None, "state": t.to_dict()}],
    }
    assert data[WIDGET_VIEW_MIME] == {"version_major": 2, "version_minor": 1, "model_id": "m1"}
    # One run: exactly the transcript's own exports.
    assert data["text/html"] == t.to_html()
    assert data["text/plain"] == t.to_text()
    json.dumps(data)  # all of it is JSON, as nbformat stores it


def test_no_widget_no_widget_view() -> None:
    data = mimebundle([OutputRun(demo().to_dict(), "T")], layout="lanes")
    assert WIDGET_VIEW_MIME not in data
    assert data[TRANSCRIPT_MIME]["model_id"] is None
    assert data[TRANSCRIPT_MIME]["layout"] == "lanes"


def test_several_runs_stack_with_titles_and_prompts() -> None:
    first, second = demo(), demo()
    runs = [OutputRun(first, "one", "What to pack?"), OutputRun(second, None, None)]
    data = mimebundle(runs, layout="chat", model_id="m2")
    assert [(r["title"], r["prompt"]) for r in data[TRANSCRIPT_MIME]["runs"]] == [
        ("one", "What to pack?"),
        (None, None),
    ]
    assert data[TRANSCRIPT_MIME] == payload(runs, layout="chat", model_id="m2")
    html = data["text/html"]
    assert html.count('class="nbagent-static"') == 2
    assert html.index("What to pack?") < html.index(">one<") < html.index("Paris vs Oslo today")
    text = data["text/plain"]
    assert text.startswith("> What to pack?\none\n")
    assert text.count("[tool] get_weather") == 4


def test_hostile_titles_and_prompts_stay_text() -> None:
    runs = [OutputRun(demo(), title, prompt) for title, prompt in itertools.pairwise(HOSTILE)]
    html = mimebundle(runs)["text/html"]
    parser = Tags()
    # Without the timeline's SVG, whose attributes tests/test_timeline.py checks (numbers).
    parser.feed(re.sub(r'<svg [^>]*class="nba-timeline-svg".*?</svg>', "", html, flags=re.S))
    assert not {"script", "img", "svg", "math", "button", "a", "iframe"} & set(parser.tags)
    assert set(parser.attrs) <= {"class"}, set(parser.attrs)
    for title, prompt in itertools.pairwise(HOSTILE):
        assert escape(prompt) in html
        assert escape(title) in html


def test_an_output_is_its_head_and_each_runs_static_part() -> None:
    """What the browser assembles from an ``output`` answer (the head, each run's part, its own
    states) is the display data; one run's data splits back into its head and run."""
    t = demo()
    runs = [OutputRun(t, "one", "What to pack?"), OutputRun(t.to_dict(), None, "<b>again</b>")]
    head = Head("chat", "m3", "<i>Trip</i>")
    parts = [RunOutput(t.to_dict(), r.title, r.prompt).part() for r in runs]
    data = {
        TRANSCRIPT_MIME: {k: v for k, v in head.fields().items() if k not in ("html", "text")}
        | {
            "runs": [
                {"title": p["title"], "prompt": p["prompt"], "state": t.to_dict()} for p in parts
            ]
        },
        "text/html": head.fields()["html"] + "\n".join(p["html"] for p in parts),
        "text/plain": head.fields()["text"] + "\n\n".join(p["text"] for p in parts),
    }
    expected = mimebundle(runs, layout="chat", model_id="m3", title="<i>Trip</i>")
    assert data == {k: v for k, v in expected.items() if k != WIDGET_VIEW_MIME}
    assert "&lt;i&gt;Trip&lt;/i&gt;" in data["text/html"]
    one = mimebundle([OutputRun(t, "T")], model_id="m4")
    split_head, run = split(one, version=7)
    assert split_head == Head("single", "m4", None)
    assert (run.title, run.prompt, run.version, run.state) == ("T", None, 7, t.to_dict())
    assert assemble(split_head, [run]) == one
