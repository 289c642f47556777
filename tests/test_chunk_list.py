"""nbagent/widget/chunks.json, the one list of the widget's lazy chunks, is whole: each entry
names a module that exists, what sends the chunk (a ``mentions_*`` function of
nbagent/widget/chunks.py, or what sends it itself), what it holds and words only it holds; the
code model has a trait per chunk; a chunk that binds is a ``widget/<name>_chunk.js`` (how the lab
extension and the tests find it: js/src/widget/at_hand.js). docs/develop/lazy-chunks.md says
how to add one."""

from __future__ import annotations

from pathlib import Path

from nbagent.widget.chunks import CHUNKS, LIST, MENTIONS
from nbagent.widget.code_model import CodeModel

SRC = Path(__file__).resolve().parents[1] / "js" / "src"


def test_each_entry_is_whole() -> None:
    assert len(set(CHUNKS)) == len(CHUNKS), "a chunk named twice"
    for entry in LIST["chunks"]:
        name = entry["name"]
        assert (SRC / entry["entry"]).is_file(), f"{name}: no module js/src/{entry['entry']}"
        assert isinstance(entry["binds"], bool), name
        assert entry["mentions"] or entry.get("sent_by"), f"{name}: nothing sends it"
        assert entry["holds"], f"{name}: say what it holds"
        assert entry["words"], f"{name}: words only it holds (tests/test_bundle_size.py)"
        if entry["binds"]:
            assert entry["entry"] == f"widget/{name}_chunk.js", f"{name}: at_hand.js finds it so"


def test_what_sends_each_chunk_is_named_in_the_list() -> None:
    """Each ``mentions`` names a function of nbagent/widget/chunks.py (checked as it loads):
    the kernel looks at what a widget sends with those, math first."""
    named = [e["name"] for e in LIST["chunks"] if e["mentions"]]
    assert [name for name, _ in MENTIONS] == named
    assert named[0] == "math"


def test_the_code_model_has_a_trait_per_chunk() -> None:
    traits = CodeModel.class_traits(sync=True)
    for name in CHUNKS:
        assert name in traits, name
        assert traits[name].default_value == ""
