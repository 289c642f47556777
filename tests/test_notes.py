"""The ``note`` block (``nbagent/transcript/notes.py``): an agent's question, a notice, its
context compacted; folded from ``Custom("note")``, its ops replaying its state, saved and
reopened, shown by the exports; hostile values skipped or cleaned, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nbagent.core.events import Custom, Event, RunEnd, RunStart, TextDelta
from nbagent.transcript.transcript import Transcript
from tests.invariants import check_ops


def note(**value: Any) -> Custom:
    return Custom(name="note", value=value)


def run(*events: Event) -> Transcript:
    return check_ops([RunStart(run_id="r"), *events, RunEnd(reason="completed")])


def notes(t: Transcript) -> list[dict[str, Any]]:
    return [b for b in t.to_dict()["blocks"] if b["type"] == "note"]


def test_a_note_is_a_block_in_its_place_and_updates_in_place() -> None:
    t = run(
        TextDelta(message_id="m", delta="Working."),
        note(id="c1", kind="compaction", title="Compacting context", status="in_progress"),
        note(id="c1", kind="compaction", append="Kept: the plan"),
        note(id="c1", kind="compaction", append=" and the failing test."),
        note(id="c1", kind="compaction", title="Context compacted", status="completed"),
        TextDelta(message_id="m2", delta="Going on."),
        note(kind="notice", level="warning", title="Rate limited", text="Retrying in 5 s"),
    )
    assert [b["type"] for b in t.to_dict()["blocks"]] == ["text", "note", "text", "note"]
    assert notes(t) == [
        {
            "type": "note",
            "id": "c1",
            "kind": "compaction",
            "level": "info",
            "title": "Context compacted",
            "text": "Kept: the plan and the failing test.",
            "status": "completed",
        },
        {
            "type": "note",
            "id": "note:2",
            "kind": "notice",
            "level": "warning",
            "title": "Rate limited",
            "text": "Retrying in 5 s",
        },
    ]
    assert t.text == "Working.\n\nGoing on."  # a note is no answer, but apart from it
    assert t.to_dict()["deltas"] == 2  # nor tokens


def test_text_replaces_and_null_clears() -> None:
    t = run(
        note(id="c", kind="compaction", text="old summary"),
        note(id="c", kind="compaction", text="new summary"),
    )
    assert notes(t)[0]["text"] == "new summary"
    t = run(note(id="c", kind="compaction", text="old"), note(id="c", kind="compaction", text=None))
    assert notes(t)[0]["text"] == ""


def test_saved_and_reopened_and_exported() -> None:
    t = run(
        note(kind="question", level="info", title="Input required", text="Which city?\n<b>x</b>"),
        note(id="c", kind="compaction", title="Context compacted", text="Summary kept"),
    )
    state = json.loads(json.dumps(t.to_dict()))
    again = Transcript.from_dict(state)
    assert again.to_dict() == t.to_dict()
    again.apply(note(id="c", kind="compaction", append="!"))  # ended: folds nothing more
    markdown, page, text = again.to_markdown(), again.to_html(), again.to_text()
    assert "> **Input required**\n> Which city?\n> &lt;b&gt;x&lt;/b&gt;" in markdown
    assert "<summary>Context compacted</summary>" in markdown
    assert "Summary kept" in markdown
    assert '<div class="nba-note"><strong>Input required</strong>' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<b>x</b>" not in page
    assert "[question] Input required: Which city? <b>x</b>" in text
    assert "[compaction] Context compacted: Summary kept" in text


def test_a_note_level_shows_in_the_page() -> None:
    t = run(note(kind="notice", level="error", title="Quota exceeded"))
    assert '<div class="nba-note nba-error"><strong>Quota exceeded</strong></div>' in t.to_html()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "a note",
        ["kind", "notice"],
        {"kind": "poem", "title": "x"},
        {"title": "no kind"},
        {"kind": 3},
    ],
)
def test_what_is_no_note_is_skipped(value: Any) -> None:
    t = run(Custom(name="note", value=value))
    assert notes(t) == []
    assert t.status == "completed"


def test_wrong_types_are_left_out_and_unknown_levels_are_info() -> None:
    t = run(
        note(kind="notice", level="catastrophic", title=["a"], text=5, id=7, status={}),
        note(kind="notice", level="warning", title="  many\n\nlines   of title " + "x" * 900),
    )
    first, second = notes(t)
    assert (first["id"], first["level"], first["title"], first["text"]) == (
        "note:1",
        "info",
        "",
        "",
    )
    assert "status" not in first
    assert second["title"].startswith("many lines of title x")
    assert len(second["title"]) == 500


def test_the_page_carries_the_notes_look_only_with_a_note() -> None:
    assert ".nba-note{" in run(note(kind="notice", title="Heads up")).to_html()
    assert ".nba-note{" not in run(TextDelta(message_id="m", delta="Hi")).to_html()


def test_a_terminal_prints_notices_and_compactions_and_leaves_the_question_to_the_end() -> None:
    import io

    from nbagent.widget.terminal import Printer

    out = io.StringIO()
    Printer(out, colour=False).feed(
        [
            note(kind="notice", level="warning", title="Rate limited", text="Retrying\nsoon"),
            note(id="c", kind="compaction", title="Compacting context", status="in_progress"),
            note(id="c", kind="compaction", append="Kept the plan."),
            note(id="c", kind="compaction", title="Context compacted", status="completed"),
            note(kind="question", title="Input required", text="Which city?"),
            Custom(name="note", value="hostile"),
            RunEnd(reason="interrupted", message="Which city?"),
        ]
    )
    assert out.getvalue().splitlines() == [
        "[notice] Rate limited: Retrying soon",
        "[compaction] Compacting context",
        "[compaction] Context compacted",
        "[interrupted: Which city?]",
    ]


def test_a_saved_note_of_a_kind_or_level_it_cannot_have_reopens_as_a_notice() -> None:
    t = run(note(kind="notice", title="Hi"))
    state = t.to_dict()
    state["blocks"][0] |= {"kind": "poem", "level": "x nba-stop", "status": 5, "text": None}
    block = Transcript.from_dict(state).to_dict()["blocks"][0]
    assert (block["kind"], block["level"], block["text"]) == ("notice", "info", "")
    assert "status" not in block
