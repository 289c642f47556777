"""Notes (an agent's question, a notice, its context compacted: nbagent/transcript/notes.py)
in real Chromium: the bare page (the built bundle, a fake model) draws each as a line of the
run, its title and text as text (hostile markup in them stays inert), edged by its level, a
compaction's summary streaming in under its title."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_bundle_page import Kernel, assert_clean

pytestmark = pytest.mark.browser

PWN = '<img src=x onerror="window.__pwned=1">'


def note(i: str, kind: str, level: str, title: str, text: str) -> dict[str, Any]:
    block = {"type": "note", "id": i, "kind": kind, "level": level, "title": title, "text": text}
    return {"op": "add", "block": block}


def test_bare_page_draws_notes_as_text_edged_by_their_level(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    k.ops(note("q", "question", "info", f"Input required {PWN}", f"Which city? {PWN}"))
    k.ops(note("n", "notice", "error", "Quota exceeded", "90% used"))
    k.ops(note("c", "compaction", "info", "Compacting context…", ""))
    k.ops({"op": "append", "i": 2, "key": "text", "text": f"Kept the plan {PWN}"})
    k.ops({"op": "set", "i": 2, "set": {"title": "Context compacted", "status": "completed"}})
    k.end("completed")
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k.msgs))
    got = bare.eval(
        """() => [...document.querySelectorAll('.nba-note')].map((n) => ({
          tag: n.tagName,
          level: n.className,
          head: n.firstElementChild.textContent,
          text: n.lastElementChild.textContent,
          edge: getComputedStyle(n).borderLeftStyle,
          foreign: n.querySelectorAll('img, script, [onerror]').length,
        }))"""
    )
    assert got == [
        {
            "tag": "DIV",
            "level": "nba-note nba-note-info",
            "head": f"Input required {PWN}",
            "text": f"Which city? {PWN}",
            "edge": "solid",
            "foreign": 0,
        },
        {
            "tag": "DIV",
            "level": "nba-note nba-note-error",
            "head": "Quota exceeded",
            "text": "90% used",
            "edge": "solid",
            "foreign": 0,
        },
        {
            "tag": "DIV",
            "level": "nba-note nba-note-info",
            "head": "Context compacted",
            "text": f"Kept the plan {PWN}",
            "edge": "solid",
            "foreign": 0,
        },
    ]
    error_edge = bare.eval(
        "() => getComputedStyle(document.querySelectorAll('.nba-note')[1]).borderLeftColor"
    )
    info_edge = bare.eval(
        "() => getComputedStyle(document.querySelectorAll('.nba-note')[0]).borderLeftColor"
    )
    assert error_edge != info_edge
    assert_clean(bare, None)
