"""Headless execution (`jupyter execute`) keeps the run; nbconvert shows it without widget state."""

from __future__ import annotations

import html.parser
import importlib.util
import itertools
import os
import re
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape as html_escape
from pathlib import Path
from typing import Any

import nbformat
import pytest

import nbagent
from benchmarks.saved_size import execute as run_notebook
from nbagent import Transcript, demo, load
from tests.commit_notebook import demo_venv
from tests.commit_notebook import execute as execute_copy
from tests.kernel import ROOT

pytestmark = pytest.mark.kernel

# nbconvert and nbclient (`jupyter execute`) are in the dev extra only, not in the other
# Pythons' venvs (make test-pythons): skip the module there rather than fail collecting it.
pytest.importorskip("nbclient", reason="needs nbclient (pip install -e '.[dev]')")
HTMLExporter = pytest.importorskip(
    "nbconvert", reason="needs nbconvert (pip install -e '.[dev]')"
).HTMLExporter


def execute(tmp_path: Path, cells: list[str]) -> nbformat.NotebookNode:
    return run_notebook(tmp_path / "run.ipynb", cells)


def widget_snapshots(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Each run widget's snapshot (an evaluation's widget has a ``snapshot`` too: its table)."""
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [
        s["state"]["snapshot"]
        for s in states.values()
        if "snapshot" in s["state"] and "transcripts" not in s["state"]
    ]


def answer(snapshot: dict[str, Any]) -> str:
    return "".join(b["text"] for b in snapshot["state"]["blocks"] if b["type"] == "text")


HOSTILE_CELL = (
    "evil = ['Hello <img src=x onerror=\"window.__pwned=1\"> ', '<script>window.__pwned=1',"
    " '</script> [a](javascript:alert(1))']\n"
    "await nbagent.show(iter(evil))"
)
"""A run of hostile text (the notebook's last cell: its static copy is read)."""


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
            HOSTILE_CELL,
        ],
    )


def test_saved_widget_state_holds_the_final_transcript(executed: nbformat.NotebookNode) -> None:
    recorded = Transcript.from_events(load(demo.recording("weather")))
    snapshots = widget_snapshots(executed)
    assert len(snapshots) == 3  # the two replays and the hostile text's run
    assert [s["state"]["status"] for s in snapshots] == ["completed"] * 3
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


def test_hostile_text_stays_text_in_the_static_copy(executed: nbformat.NotebookNode) -> None:
    data = executed.cells[4].outputs[0]["data"]
    static = data["text/html"]
    parser = _Collect()
    parser.feed(static)
    assert not [t for t, _ in parser.tags if t in {"img", "script", "iframe", "svg"}]
    for _, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on") or a in {"src", "style"}]
        href = attrs.get("href")
        assert href is None or href.startswith(("http:", "https:", "mailto:", "#"))


# -- notebooks/*.ipynb: the quickstart and the tutorials ------------------------------------------

# What each notebook prints, offline, besides the runs' own answers and tool names.
PRINTED: dict[str, list[str]] = {
    "quickstart.ipynb": [
        "failed: revenue_by_region {'path': 'sales_q3.csv'}",
        "2,599 characters of markdown",
        "-> revenue_by_region",
    ],
    "sources.ipynb": [
        "completed: ",  # the OpenAI stream
        "One sentence, as asked:",  # the async client
        'data: {"chunk": "You sent **hello**. "}',  # the wire, read with httpx
        "completed | You sent **hello**. This backend streams",  # the same through nbagent.sse
        "completed [('get_weather', {'city': 'Oslo'})] ['ChatOpenAI']",  # LangChain events
    ],
    "tools-debugging.ipynb": [
        "0 ok     get_weather {'city': 'Lisbon'}",
        "1 failed get_weather {'city': 'Atlantis'} -> LookupError: no weather station",
        "printed: asking the weather station in Atlantis...",
        'raise LookupError(f"no weather station',  # the traceback
        "still failing: LookupError: no weather station in 'Gotham'",
        "[({'city': 'Oslo'}, False), ({'city': 'Gotham'}, True)]",
        "get_weather(city='Atlantis')",  # Copy as code
        "[('local_time', {'city': 'Oslo'})]",
        "['notes.txt', 'old.log'] | denied: True | {'action': 'deny'",  # pause, deny
        "['notes.txt'] | asked: {'path': 'notes.txt'} | ran: {'path': 'old.log'}",  # edit
        "mocked: True | the model read: {'city': 'Oslo', 'temp_c': 31, 'sky': 'heatwave'}",
        "completed | 1 fork beside the original: fork after step 1 — edited: get_weather",
        "run: $0.00035",  # 169 + 372 tokens in, 27 + 56 out at $0.40 / $1.60 per million
    ],
    "compare.ipynb": [
        "with get_weather: completed, get_weather(Paris), get_weather(Oslo)",
        "no tools: completed, no tool calls",
        "one sentence: ",
        "completed [{'city': 'Lisbon'}]",
        "2 turns, 8 messages in the conversation",
    ],
    "replay-and-export.ipynb": [
        "weather.jsonl: ",
        "completed\n[('get_weather', {'city': 'Paris'}), ('get_weather', {'city': 'Oslo'})]\nTrue",
        "completed True first token after",  # the replay: same text
        'get_weather({"city": "Oslo"}): done',  # stepped to the second result
        "answer.jsonl holds",
        "✓ get_weather",  # `nbagent replay` in a terminal
        "<summary>Tool: <code>get_weather</code>",  # to_markdown()
        "scripts: False",  # to_html(standalone=True)
        "['thinking', 'tool', 'tool', 'thinking', 'text']",  # to_dict()
        "otlp completed 7804d3cfbf042dfd82d3d572e2d45217 · 165 in, 29 out",  # load_trace
        "lookup_order({'order_id': 'A-1720'}) failed: order 'A-1720' not found",
        "step 4ffe338c5dfc054e: 3.669 s  (inside the ask_researcher call)",
    ],
    "frameworks.ipynb": [
        "completed | Paris is sunny and 21 °C: leave the coat at home. | True",  # Agents SDK
        "['delete_file']\ncompleted | I kept notes.txt, as you asked. | denied: True",  # approval
        "completed | A coat depends on the weather in Oslo. | Oslo is sunny",  # pydantic-ai
        "completed [('get_weather', {'city': 'Lisbon'}, 'Sunny and 21 °C in Lisbon.')] | Lisbon",
        "completed | A chat model streams its message in chunks.",  # LangChain model.stream
        "completed | Hello from LiteLLM's mock response, streamed chunk by chunk. | ",
        "completed | Rome is sunny and 21 °C: no coat today. | True",  # LlamaIndex
    ],
    "mcp.ipynb": [
        "<McpServer 'weather' (stdio, 4 tools)>",
        "delete_city: Remove a city and its forecast. | hints: ['destructive', 'open_world']",
        "{'city': 'Oslo', 'temp_c': -2, 'sky': 'light snow'}\nis_error: True",
        "['ui://weather/card.html', 'weather://cities'] ['Oslo', 'Bergen', 'Lisbon']",
        "['looking up Oslo', 'looking up Atlantis']",  # the server's log
        "elicitation | How many days will you stay? | ['days']\n3 days in Bergen: pack for rain",
        "completed [('forecast', {'city': 'Oslo'}), ('forecast', {'city': 'Bergen'})]",
        "['delete_city']\ncompleted | denied: True\n['Oslo', 'Bergen', 'Lisbon']",
        # A server with an app: the tool's app, the agent's call, the app kept in the run.
        "McpApp(uri='ui://weather/card.html', visibility=('model', 'app'))\n"
        "completed [('weather_card', {'city': 'Lisbon'})]\n"
        "the run keeps 1 app: ['ui://weather/card.html']",
        "broken: could not connect: MCPError: Connection closed\n"
        "--- the server's stderr (end) ---\nno config file",
    ],
    "acp.ipynb": [
        "session: sales-1\n['ask', 'auto'] | now: ask",
        "['Write monthly.py']\ncompleted | ['Read sales.csv', 'Write monthly.py']\n"
        "monthly.py written: True",  # approved from code
        "completed | mode: auto | [('Read sales.csv', 'done', None), ('Write monthly.py', 'done',",
        "I may not read it: /etc/hostname: outside the directories this session may use",
        "closed: True",
    ],
    "evaluate.ipynb": [
        "completed [('get_weather', {'city': 'Paris'})]",  # one case by hand
        "right_cities: True | facts_stated: 1.0",  # the scorers on it
        "completed | 12 cases (12 completed); right_cities 0.75; facts_stated 0.667; ",
        ' 7 "What\'s the weather like in oslo?": looked up [], facts 0.00',  # the failures
        "10 \"What's the weather in Berlin?\": looked up [('Berlin', 'error')], facts 0.00",
        "right_cities: 0.750 -> 0.750 (+0.000)\nfacts_stated: 0.667 -> 0.833 (+0.167)",  # baseline
        "3 reviewed cases: ",  # to_dataset()
        "Evaluation v2: six stations | 12 cases | a city in lower case: no tool call\nTrue",
    ],
    "watch.ipynb": [
        "completed | Oslo is sunny and 21 °C today: no coat needed. | True",  # pydantic-ai
        "[('get_weather', {'city': 'Oslo'}, 'Sunny and 21 °C in Oslo.')] | steps: 2",
        "Lisbon is sunny and 21 °C: a light jacket at most.\nTrue",  # LangGraph invoke
        "[('completed', 'Rome is sunny and 21 °C: no coat today.'), "
        "('completed', 'Bergen is sunny and 21 °C, for once.')]",  # watch(graph)
        "returned **Sunny and 21 °C in Paris.**. | True",  # Agents SDK Runner.run
        "completed | Madrid is sunny and 21 °C: leave the coat. | True | streamed: True",
        "completed | steps: 3 | cost known: True\n"  # LiteLLM and the openai client
        "[('get_weather', {'city': 'Paris'}, 'Sunny and 21 °C in Paris.')]\nTrue True",
    ],
}
# The first line a notebook prints: where its model calls go.
FIRST = {
    "acp.ipynb": "Offline: the agent below is a script that speaks ACP",
    "frameworks.ipynb": "Offline: each framework below streams from its own test model",
    "watch.ipynb": "Offline: every call below runs on its library's own test model",
}
# How many evaluations a notebook shows (nbagent.evaluate), each ending completed.
EVALUATIONS = {"evaluate.ipynb": 2}
# Every run's answer, for the notebooks whose runs are all scripted (no demo model's rules).
ANSWERS = {
    "frameworks.ipynb": [
        "Paris is sunny and 21 °C: leave the coat at home.",  # OpenAI Agents SDK
        "I kept notes.txt, as you asked.",  # its tool approval, denied
        "Oslo is sunny and 21 °C today: no coat needed.",  # pydantic-ai
        "Lisbon is sunny and 21 °C: a light jacket at most.",  # LangGraph
        "A chat model streams its message in chunks.",  # LangChain
        "Hello from LiteLLM's mock response, streamed chunk by chunk.",  # LiteLLM
        "Rome is sunny and 21 °C: no coat today.",  # LlamaIndex
    ],
}
# The packages a notebook imports besides nbagent's (the frameworks extra).
NEEDS = {
    "acp.ipynb": ["acp"],
    "frameworks.ipynb": ["agents", "pydantic_ai", "langgraph", "litellm", "llama_index.core"],
    "watch.ipynb": [
        *("agents", "pydantic_ai", "opentelemetry.sdk", "langgraph", "llama_index.core"),
        "litellm",
    ],
}
# Files a notebook writes into its directory.
WRITES = {
    "quickstart.ipynb": ["failing_tool.jsonl"],
    "replay-and-export.ipynb": ["weather.jsonl", "answer.jsonl", "weather.html", "weather.json"],
    "mcp.ipynb": ["weather_server.py", "forecast_card.html"],
    "acp.ipynb": ["coding_agent.py", "sales.csv", "monthly.py"],
    "evaluate.ipynb": ["eval.jsonl"],  # ev.save()
}


def _lanes(traits: dict[str, Any]) -> list[dict[str, Any]]:
    """The lanes a lanes widget keeps in its model's keys ``lane0``, ``lane1``..."""
    return list(itertools.takewhile(bool, (traits.get(f"lane{n}") for n in itertools.count())))


def runs(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every run's final state in the saved widget state: each single run's ``snapshot``, and
    each lane (chat turn) of a lanes widget, in its model's key ``lane{n}``."""
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    found = [snapshot["state"] for snapshot in widget_snapshots(nb)]
    for entry in states.values():
        found += [lane["state"] for lane in _lanes(entry["state"])]
    return found


def chat_turns(nb: nbformat.NotebookNode) -> set[str]:
    """The run ids of the chats' turns (lanes of a widget arranged as a chat)."""
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ids: set[str] = set()
    for entry in states.values():
        if entry["state"].get("arrangement") == "chat":
            ids |= {lane["state"].get("run_id") for lane in _lanes(entry["state"])}
    return ids


def answer_of(state: dict[str, Any]) -> str:
    """A run's answer, as ``Transcript.text`` reads it (and the text copy shows it)."""
    return nbagent.Transcript.from_dict(state).text


def shown(nb: nbformat.NotebookNode, mimetype: str) -> str:
    return "\n".join(
        "".join(o["data"][mimetype])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if mimetype in o.get("data", {})
    )


def machine_paths(workdir: Path) -> dict[str, str]:
    """What no view may save into a notebook: this machine's absolute paths, each followed by
    a separator (so that ``/root`` is not found in ``/rootless``). On an author's machine the
    checkout and the notebook's directory are under the home directory; here they may not be,
    so each is looked for too."""
    paths = {
        "the home directory": str(Path.home()),
        "the virtual environment": sys.prefix,
        "the checkout": str(ROOT),
        "the notebook's directory": str(workdir),
    }
    venv = demo_venv()  # the kernel's, when the tutorials run in make demo's environment
    if venv is not None:
        paths["make demo's virtual environment"] = str(venv)
    return paths


def assert_no_machine_paths(workdir: Path) -> None:
    """No file a tutorial saved (the notebook with its outputs and widget state, its exports)
    holds one of ``machine_paths``: a notebook is read on other machines."""
    found = []
    for file in sorted(p for p in workdir.rglob("*") if p.is_file()):
        text = file.read_text(encoding="utf-8", errors="replace")
        for what, path in machine_paths(workdir).items():
            at = text.find(path + os.sep)
            if at >= 0:
                seen = text[max(0, at - 80) : at + 120]
                found.append(f"{file.name} holds {what} ({path}): …{seen!r}…")
    assert not found, "\n".join(found)


def _missing(name: str) -> list[str]:
    venv = demo_venv()
    if venv is not None:  # make demo's: every package there (else it fails), maybe too old a Python
        cfg = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
        old = re.search(r"^version(?:_info)? = 3\.10\.", cfg, re.MULTILINE)
        return ["its frameworks"] if old and name in NEEDS_PYTHON_311 else []
    # Looked up, not imported: importing LiteLLM here would fetch its price list.
    return [m for m in NEEDS.get(name, []) if importlib.util.find_spec(m) is None]


@pytest.fixture(scope="module")
def tutorials(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, Future[nbformat.NotebookNode]]]:
    """The selected tutorials executed, three at a time (each `jupyter execute` mostly waits
    on its kernel and its runs): the directory it ran in, and the executed copy."""
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_notebook_runs_offline_top_to_bottom"
    }
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="tutorial")
    started: dict[str, tuple[Path, Future[nbformat.NotebookNode]]] = {}
    for name in sorted(selected, key=lambda n: n != "watch.ipynb"):  # the slowest first
        if not _missing(name):
            workdir = tmp_path_factory.mktemp(name.removesuffix(".ipynb"))
            notebook = ROOT / "notebooks" / name
            started[name] = (workdir, pool.submit(execute_copy, notebook, workdir))
    pool.shutdown(wait=False)
    return started


# Every tutorial runs in `make demo`'s environment (the demo group of pyproject.toml;
# tests/test_demo_group.py). Those about other frameworks need Python >= 3.11, as they do.
NEEDS_PYTHON_311 = {"frameworks.ipynb", "watch.ipynb"}
TUTORIALS = [pytest.param(name, marks=[pytest.mark.demo_env]) for name in sorted(PRINTED)]


def test_every_tutorial_is_executed_here() -> None:
    assert sorted(PRINTED) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert set(PRINTED) >= NEEDS_PYTHON_311


@pytest.mark.parametrize("name", TUTORIALS)
def test_notebook_runs_offline_top_to_bottom(
    name: str, tutorials: dict[str, tuple[Path, Future[nbformat.NotebookNode]]]
) -> None:
    """No API key: replays, the scripted model or a framework's own test model; `jupyter
    execute` awaits each run. Each runs in the environment `make demo` built when
    NBAGENT_DEMO_VENV names it (make test-demo-install: benchmarks/demo_install.py), and make
    test runs them only there."""
    missing = _missing(name)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (make demo, make install: on Python >= 3.11)")
    tmp_path, executed = tutorials[name]
    nb = executed.result()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"] == []
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert printed.startswith(FIRST.get(name, "Offline: no OPENAI_API_KEY or OPENAI_BASE_URL"))
    for text in PRINTED[name]:
        assert text in printed
    for file in WRITES.get(name, []):
        assert (tmp_path / file).is_file(), file
    assert_no_machine_paths(tmp_path)
    # Every run ended, and its static copy (what GitHub shows) has its answer and tool names.
    states = runs(nb)
    assert states
    saved = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    tables = [m["state"]["snapshot"] for m in saved.values() if "transcripts" in m["state"]]
    assert [t["header"]["status"] for t in tables] == ["completed"] * EVALUATIONS.get(name, 0)
    assert {s["status"] for s in states} == {"completed"}
    plain, html = shown(nb, "text/plain"), shown(nb, "text/html")
    if name in ANSWERS:
        # (the saved widget state is not in the cells' order)
        assert sorted(answer_of(s).strip() for s in states) == sorted(ANSWERS[name])
    turns = chat_turns(nb)
    for state in states:
        answer = answer_of(state)
        assert answer
        if state.get("run_id") in turns:
            # A chat's turn: its outline in the text copy (the answer's start), the whole
            # in the HTML copy (its first line there as a paragraph's text).
            start = " ".join(answer.split())[:40]
            assert start in " ".join(plain.split()), (start, plain)
            first = answer.strip().splitlines()[0]
            assert html_escape(first, quote=False) in html, (first, html)
            continue
        # A run's copy, or (a fork, drawn beside its run: no copy of its own) what a cell printed.
        assert answer.strip() in plain or answer.strip() in printed, (
            f"the answer of the run {state.get('title')!r} saved in the widget state, "
            f"{answer!r}, is in no cell's text copy; the copies:\n{plain}"
        )
        for tool in (b["name"] for b in state["blocks"] if b["type"] == "tool"):
            assert f"<code>{tool}</code>" in html or f">{tool}<" in html, tool
    # Committed as `tests/commit_notebook.py` leaves it: outputs, but no widget state.
    committed = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert "widgets" not in committed.metadata
    assert [c.source for c in committed.cells] == [c.source for c in nb.cells]
    static = '<div class="nbagent-static">'
    assert shown(committed, "text/html").count(static) == html.count(static)
    assert all(c.outputs for c in committed.cells if c.cell_type == "code")


def test_quickstart_runs_the_demo_agent_live() -> None:
    """Its runs are an nbagent.Agent's on demo.connect() (Re-run and Fork here work), set up in
    a first code cell of a few lines; only its last section replays (a run it saved)."""
    committed = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    code = [c.source for c in committed.cells if c.cell_type == "code"]
    assert len(code[0].splitlines()) <= 6
    assert "demo.connect()" in code[0]
    assert "nbagent.Agent(" in code[0]
    assert "demo.recording" not in "".join(code)
    assert [s.count("agent.run(") for s in code[1:5]] == [1, 0, 1, 1]
    html = shown(committed, "text/html")
    assert "Paris vs Oslo today" in html
    assert html.count('<div class="nbagent-static">') == 4
    titles = [s.split("<", 1)[0] for s in html.split('class="nba-title">')[1:]]
    assert sorted(titles) == sorted(
        demo.DEMOS[n].title for n in ("weather", "failing_tool", "markdown", "failing_tool")
    )
