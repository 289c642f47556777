"""``nbagent.load_trace`` around the files: a corrupt line (the run ends ``error`` naming the file
and the line, after everything before it), spans of attributes no convention knows (steps with
their names and times), the format told from the content (never the name), every kind of
source (path, file object, bytes, parsed data), what it raises, and a trace replayed at its
pace or step by step (the replay path a recording has). Kernel-free; no socket opened."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from pathlib import Path

import pytest

import nbagent
from nbagent.sources.trace_formats import FORMATS, detect_format, first_documents
from nbagent.sources.trace_input import open_trace
from tests.session_harness import CODEX_MAIN
from tests.traces import FIXTURES, calls, loaded, ms, no_sockets, steps

GENAI = FIXTURES / "otlp-genai" / "openai-v2.jsonl"


def test_a_corrupt_line_ends_the_run_after_what_came_before(tmp_path: Path) -> None:
    lines = GENAI.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "spans.jsonl"
    bad.write_text("".join(lines[:2]) + '{"resourceSpans": [ broken\n' + lines[3], encoding="utf-8")
    _run, t = loaded(bad)
    assert t.status == "error"
    assert f"{bad}, line 3" in error(t)
    assert [c.name for c in calls(t)] == ["get_weather", "lookup_order"]  # lines 1 and 2
    assert by_state(t) == {"get_weather": "done", "lookup_order": "error"}
    # The run's end is the last time the file gave, not the moment it was read.
    assert t.to_dict()["ended_at"] == pytest.approx(1795924452.595071212, abs=1e-6)


def by_state(t: nbagent.Transcript) -> dict[str, str]:
    return {c.name: c.state for c in calls(t)}


def error(t: nbagent.Transcript) -> str:
    return str(t.to_dict()["error"]["message"])


def test_a_last_line_cut_short(tmp_path: Path) -> None:
    text = GENAI.read_text(encoding="utf-8")
    cut = tmp_path / "spans.jsonl"
    cut.write_text(text[: len(text) - 200], encoding="utf-8")  # the last line's end is lost
    _, t = loaded(cut)
    assert t.status == "error"
    assert "line 4" in error(t)
    assert "cut short" in error(t)
    assert len(calls(t)) == 3


def test_a_corrupt_langsmith_line(tmp_path: Path) -> None:
    runs = json.loads((FIXTURES / "langsmith" / "runs.json").read_text(encoding="utf-8"))
    lines = [json.dumps(r) + "\n" for r in runs]
    bad = tmp_path / "runs.jsonl"
    bad.write_text("".join(lines[:3]) + "{not json\n" + "".join(lines[3:]), encoding="utf-8")
    _, t = loaded(bad)
    assert t.status == "error"
    assert f"{bad}, line 4" in error(t)
    assert [c.name for c in calls(t)] == ["get_weather"]


def test_a_record_of_the_wrong_shape_is_a_bad_line(tmp_path: Path) -> None:
    lines = GENAI.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "spans.jsonl"
    bad.write_text(lines[0] + '{"spans": []}\n', encoding="utf-8")
    _, t = loaded(bad)
    assert t.status == "error"
    assert "line 2: not an OTLP/JSON export request" in error(t)
    assert [c.name for c in calls(t)] == ["get_weather"]


def span(name: str, sid: str, parent: str, start: int, end: int, attrs: list[dict]) -> dict:
    return {
        "traceId": "ab" * 16,
        "spanId": sid,
        "parentSpanId": parent,
        "name": name,
        "kind": 1,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(end),
        "attributes": attrs,
        "status": {},
    }


def test_spans_of_no_convention_are_steps_with_their_names_and_times(tmp_path: Path) -> None:
    base = 1_700_000_000_000_000_000
    http = [{"key": "http.request.method", "value": {"stringValue": "GET"}}]
    odd = [{"key": "acme.widget.count", "value": {"intValue": "3"}}]
    request = {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "scopeSpans": [
                    {
                        "scope": {"name": "acme"},
                        "spans": [
                            span(
                                "GET /orders",
                                "00000000000000b2",
                                "00000000000000a1",
                                base + 2_000_000,
                                base + 9_400_000,
                                http,
                            ),
                            span(
                                "handle request",
                                "00000000000000a1",
                                "",
                                base,
                                base + 12_345_678,
                                [],
                            ),
                            span(
                                "count widgets",
                                "00000000000000c3",
                                "00000000000000a1",
                                base + 10_000_000,
                                base + 10_000_000,
                                odd,
                            ),
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "other.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    _run, t = loaded(path)
    assert t.status == "completed"
    got = [(s["id"], s["name"], s["type"], ms(s["ended_at"] - s["started_at"])) for s in steps(t)]
    assert got == [
        ("00000000000000a1", "handle request", "node", 12),
        ("00000000000000b2", "GET /orders", "node", 7),
        ("00000000000000c3", "count widgets", "node", 0),
    ]
    assert t.to_dict()["started_at"] == pytest.approx(base / 1e9)


def test_the_format_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "spans.otlp.jsonl"
    shutil.copy(FIXTURES / "langsmith" / "runs.json", disguised)
    run, t = loaded(disguised)
    assert run.trace_format == "langsmith"
    assert t.text.startswith("A: A.S.")
    assert len({f.name for f in FORMATS}) == len(FORMATS)


FORMAT_OF_FOLDER = {
    "otlp-genai": "otlp",
    "otlp-openinference": "otlp",
    "langfuse": "langfuse",
    "langsmith": "langsmith",
    "claude-code": "claude-code",
    "codex": "codex",
    "gemini-cli": "gemini-cli",
}
NONE = {
    "README.md": "cannot tell the trace format of .*README.md, line 1: not JSON",
    "LICENSE": "cannot tell the trace format of .*LICENSE, line 1: not JSON",
    ".project_root": "cannot tell the trace format of .*project_root, line 1: not JSON",
    # Claude Code's note on a sub-agent, beside its file: JSON of no format.
    "agent-a44e8f26ebf3de367.meta.json": (
        "meta.json is none of the trace formats nbagent reads "
        r"\(otlp, langfuse, langsmith, gemini-cli, codex, claude-code\): "
        r"its first documents hold \['agentType', 'description', "
    ),
}
TABLE = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", TABLE)
def test_each_fixture_file_is_told_its_format_by_its_content(path: str) -> None:
    """Every file under tests/fixtures/traces: a trace, a session or a sub-agent's file is
    taken by its format alone; a file of none raises the error that says what it holds."""
    source = open_trace(FIXTURES / path)
    name = Path(path).name
    if name in NONE:
        with pytest.raises(nbagent.UnknownFormatError, match=NONE[name]):
            detect_format(source)
        return
    expected = FORMAT_OF_FOLDER[Path(path).parts[0]]
    first = first_documents(source)
    assert [f.name for f in FORMATS if f.detect(first)] == [expected]
    assert detect_format(source).name == expected


def test_a_corrupt_line_of_a_session(tmp_path: Path) -> None:
    """A session's line cut: the run shows what was written before it, its sub-agent's file
    (read whole) too up to that time, and ends naming the file and the line."""
    day = tmp_path / "sessions" / "2026" / "11" / "29"
    shutil.copytree(CODEX_MAIN.parent, day)
    main = day / CODEX_MAIN.name
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    main.write_text("".join(lines[:30]) + lines[30][:60] + "\n" + "".join(lines[31:]))
    run, t = loaded(main)
    assert (run.trace_format, t.status) == ("codex", "error")
    assert error(t) == f"{main}, line 31: not JSON: Expecting value"
    assert [(c.id, c.state, c.parent) for c in calls(t)] == [
        ("call_wc", "done", None),
        ("call_cat", "error", None),
        ("call_spawn", "done", None),
        ("call_sub_cat", "cancelled", "call_spawn"),  # the sub-agent's, begun before line 31
        ("call_wait", "cancelled", None),
    ]
    assert t.text == "Let me count the lines first."


def test_every_kind_of_source() -> None:
    text = (FIXTURES / "langsmith" / "runs.json").read_text(encoding="utf-8")
    expected = loaded("langsmith/runs.json")[1].to_dict()
    for source in (
        io.StringIO(text),
        io.BytesIO(text.encode()),
        text.encode(),
        json.loads(text),
        str(FIXTURES / "langsmith" / "runs.json"),
    ):
        _, t = loaded(source)
        assert t.to_dict()["blocks"] == expected["blocks"]
        assert t.to_dict()["steps"] == expected["steps"]
    with (FIXTURES / "otlp-genai" / "openai-v2.jsonl").open("rb") as fh:
        _, t = loaded(fh)
    assert len(calls(t)) == 3


def test_what_it_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such trace file"):
        nbagent.load_trace(tmp_path / "missing.jsonl")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n", encoding="utf-8")
    with pytest.raises(nbagent.UnknownFormatError, match="cannot tell the trace format"):
        nbagent.load_trace(notes)
    with pytest.raises(nbagent.UnknownFormatError, match="none of the trace formats"):
        nbagent.load_trace({"hello": "world"})
    with pytest.raises(nbagent.UnknownFormatError, match="no trace format 'zipkin'"):
        nbagent.load_trace(GENAI, format="zipkin")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(nbagent.UnknownFormatError, match="is empty"):
        nbagent.load_trace(empty)


def test_a_format_named_reads_what_it_names() -> None:
    run, _t = loaded("otlp-genai/openai-v2.jsonl", format="otlp")
    assert run.trace_format == "otlp"
    _, wrong = loaded("otlp-genai/openai-v2.jsonl", format="langsmith")
    assert wrong.status == "error"
    assert "line 1: not a LangSmith run" in error(wrong)


def test_not_shown_until_shown_or_waited_for() -> None:
    run = nbagent.load_trace(GENAI)
    assert repr(run).startswith("<nbagent.TraceRun 'invoke_agent travel_assistant' otlp:")
    assert len(run.events) == 0
    assert run.wait(60).status == "completed"
    assert run.wait(60) is run.transcript  # once


def test_replayed_at_its_pace_and_step_by_step() -> None:
    run = nbagent.load_trace(GENAI)
    with no_sockets() as tried:
        fast = nbagent.replay(run, speed=0)
        assert fast.wait(60).text == run.wait(60).text
        assert [(c.id, c.args, c.result) for c in calls(fast.transcript)] == [
            (c.id, c.args, c.result) for c in calls(run.transcript)
        ]
        stepped = nbagent.replay(run, step=True)
        stepped.step("tool")
        assert [c.name for c in stepped.transcript.tool_calls] == ["get_weather"]
        stepped.step("end")
        assert stepped.wait(60).status == "completed"
    assert tried == []
    # The replay happens now, with the recorded gaps: the same durations to the millisecond.
    assert [ms(s["ended_at"] - s["started_at"]) for s in steps(fast.transcript)] == [
        ms(s["ended_at"] - s["started_at"]) for s in steps(run.transcript)
    ]


def test_awaited() -> None:
    run = nbagent.load_trace(FIXTURES / "langfuse" / "public" / "google-adk-2025-08-28.json")

    async def waited() -> nbagent.Transcript:
        return await run

    assert asyncio.run(waited()).text == "Hello Langfuse \U0001f44b!\n"


def test_rerun_of_the_tools_given() -> None:
    def get_weather(city: str) -> dict:
        """The weather now in a city."""
        return {"city": city, "temperature_c": 21, "sky": "sunny"}

    run = nbagent.load_trace(GENAI, tools=[get_weather])
    t = run.wait(60)
    assert run.rerun_tool(0) == {"city": "Paris", "temperature_c": 21, "sky": "sunny"}
    assert run.rerun_tool(0, city="Oslo")["city"] == "Oslo"
    assert [r["args"] for r in t.tool_calls[0].reruns] == [{"city": "Paris"}, {"city": "Oslo"}]
    with pytest.raises(RuntimeError, match="not one of the tools given to load_trace"):
        run.rerun_tool(1)
    plain = nbagent.load_trace(GENAI)
    plain.wait(60)
    with pytest.raises(RuntimeError, match="replayed from a recording"):
        plain.rerun_tool(0)


def test_traces_side_by_side() -> None:
    genai = nbagent.load_trace(GENAI)
    oi = nbagent.load_trace(FIXTURES / "otlp-openinference" / "openinference.jsonl")
    lanes = nbagent.show({"GenAI": genai, "OpenInference": oi})
    for run in lanes.runs:
        assert run.wait(60).status == "completed"
    assert [[c.name for c in run.transcript.tool_calls] for run in lanes.runs] == [
        ["get_weather", "lookup_order", "ask_researcher"]
    ] * 2
