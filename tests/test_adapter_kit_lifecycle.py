"""The adapters' kit, ``kit/lifecycle.py``: a run started once, ended once, and the one
bad-item error, named by its format."""

from __future__ import annotations

import pytest

from nbagent.adapters.base import BadItemError
from nbagent.adapters.kit import Ids, Lifecycle, ModelStep
from nbagent.core.events import Event, RunStart


def test_a_run_starts_once_and_ends_once() -> None:
    life = Lifecycle("fmt")
    assert (life.started, life.done) == (False, False)
    assert life.start()
    assert not life.start()
    assert life.end()
    assert not life.end()
    assert (life.started, life.done) == (True, True)


def test_an_end_before_any_start_is_the_one_end() -> None:
    life = Lifecycle("fmt")
    assert life.end()
    assert not life.started
    assert not life.end()


def test_the_bad_item_error_names_the_format() -> None:
    life = Lifecycle("fmt", "dicts or JSON strings")
    assert str(life.bad("not a chunk", {"a": 1})) == "fmt: not a chunk: {'a': 1}"
    assert str(life.bad("no family 'x'")) == "fmt: no family 'x'"
    assert str(life.takes(3)) == "fmt takes dicts or JSON strings, got int: 3"
    assert str(life.takes(3, "str items")) == "fmt takes str items, got int: 3"
    assert str(life.again(BadItemError("not JSON"))) == "fmt: not JSON"
    assert all(
        isinstance(e, BadItemError)
        for e in (life.bad("x"), life.takes(1), life.again(life.bad("y")))
    )


def test_unwrap_names_the_format() -> None:
    life = Lifecycle("fmt", "event dicts")
    assert life.unwrap('{"type": "x"}') == (None, {"type": "x"})
    with pytest.raises(BadItemError, match="fmt takes event dicts, got int"):
        life.unwrap(3)
    with pytest.raises(BadItemError, match=r"^fmt: not JSON"):
        life.unwrap("{")


def test_a_model_step_shares_the_adapters_lifecycle() -> None:
    life = Lifecycle("fmt")
    run, out = ModelStep("s", life), list[Event]()
    run.start(out)
    assert life.started
    assert run.started
    assert life.end()
    assert run.done
    assert run.cut_off(lambda out: None, "chunk", "cut") == []


def test_begin_starts_the_run_once_and_scopes_the_ids_in_the_wires_run_id() -> None:
    life, ids = Lifecycle("fmt"), Ids()
    out: list[Event] = []
    assert life.begin(out, ids, run_id="r7", thread_id="t")
    assert not life.begin(out, ids, run_id="other")
    assert [(e.run_id, e.thread_id) for e in out if isinstance(e, RunStart)] == [("r7", "t")]
    assert ids.scope == "r7"
    assert ids.new("text") == "r7:text1"


def test_begin_without_a_wire_run_id_keeps_the_ids_scope() -> None:
    life, ids = Lifecycle("fmt"), Ids()
    out: list[Event] = []
    scope = ids.scope
    assert life.begin(out, ids)
    assert ids.scope == scope
    assert len(out) == 1
