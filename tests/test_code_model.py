"""The code model carries the math chunk only once a widget's text may hold a formula: a
notebook without math does not save KaTeX's 270 KB (``CodeModel.include_math``); the answer
chunk (a paused call's answers) only once a widget shows a paused call; each feature chunk
only once a widget's message or state needs it (``nbagent/widget/chunks.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nbagent.widget.chunks import LIST, mentions_math
from nbagent.widget.code_model import _make_code_model
from nbagent.widget.widget import AgentWidget, LanesWidget
from tests.recording import record_comms
from tests.wait import wait_for

if TYPE_CHECKING:
    from tests.kernel import Kernel

STATIC = Path(__file__).resolve().parents[1] / "nbagent" / "static"
MATH = (STATIC / "math.js").read_text(encoding="utf-8")
ANSWER = (STATIC / "answer.js").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"seq": 1, "ops": [["t", 0, "it costs $5"]]}, True),
        ({"seq": 1, "ops": [["t", 0, "see \\(x\\)"]]}, True),
        ({"seq": 1, "ops": [["+", {"type": "text", "text": "\\[x\\]"}]]}, True),
        ({"seq": 1, "ops": [["t", 0, "no formula (at all) [here]"]]}, False),
        ({"$key": "a dollar in a key is not text"}, False),
        ({"method": "update", "state": {"_esm": "const x = `$${y}`;"}}, False),  # its code
        ({"state": {"snapshot": {"result": {"_esm": "$x$"}}}}, True),  # data, named so
        ([1, 2.5, None, True], False),
    ],
)
def test_what_may_hold_a_formula(value: object, expected: bool) -> None:
    assert mentions_math(value) is expected


def test_the_chunk_is_sent_with_the_first_formula_only() -> None:
    code = _make_code_model()
    widget = AgentWidget(code=code, snapshot={"seq": 0, "state": {"blocks": []}})
    widget.send({"seq": 1, "ops": [["t", 0, "Plain words, a [link](https://x.test)."]]})
    assert code.math == ""
    version = code.version
    widget.send({"seq": 2, "ops": [["t", 0, " The area is $\\pi r^2$."]]})
    assert code.math == MATH
    assert code.version == version  # the version names the build, sent or not


def test_the_answer_chunk_is_sent_with_the_first_paused_call_only() -> None:
    code = _make_code_model()
    widget = AgentWidget(code=code, snapshot={"seq": 0, "state": {"blocks": []}})
    tool = {"type": "tool", "id": "c1", "name": "add", "state": "running", "pause": None}
    widget.send({"type": "ops", "seq": 1, "ops": [{"op": "add", "block": tool}]})
    widget.send({"type": "ops", "seq": 2, "ops": [{"op": "set", "i": 0, "set": {"x": "$5"}}]})
    assert code.answer == ""
    assert code.math == MATH
    pause = {"actions": ["run", "deny"], "origin": "breakpoint", "hint": None}
    widget.send({"type": "ops", "seq": 3, "ops": [{"op": "set", "i": 0, "set": {"pause": pause}}]})
    assert code.answer == ANSWER


def test_a_formula_in_a_state_counts_too() -> None:
    """A widget opened on a finished transcript (a replay's end, a lane) sends its text in
    its state, not in messages."""
    code = _make_code_model()
    lanes = LanesWidget(code=code)
    lanes.keep_lane(0, {"state": {"blocks": [{"type": "text", "text": "\\(a+b\\)"}]}})
    assert code.math == ""  # kept: the page has it
    lanes.send_lanes([0])
    assert code.math == MATH


def test_a_widgets_own_code_is_not_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """An evaluation's widget carries its chunk in its ``_esm`` (with ``$`` in it): only
    what it shows counts, or every evaluation would save KaTeX too."""
    from nbagent.evaluation.widget import EvaluationWidget

    code = _make_code_model()
    monkeypatch.setattr("nbagent.widget.widget.code_model", lambda: code)  # the page's, fresh
    comms = record_comms(monkeypatch)  # anywidget sends `_esm` as a state update: looked at
    widget = EvaluationWidget(snapshot={"seq": 0, "header": {}, "rows": []})
    assert widget.code is code
    assert "$" in widget._esm
    assert any("_esm" in data.get("state", {}) for c in comms for _, data in c.log)
    assert code.math == ""
    widget.snapshot = {"seq": 1, "header": {}, "rows": [{"i": 0, "output": "costs $5"}]}
    assert code.math == MATH


@pytest.mark.kernel
def test_a_chunk_sent_between_two_cells_goes_again_with_the_next_cell(
    new_kernel: Callable[[str], Kernel],
) -> None:
    """`jupyter execute` keeps only what a cell sends before its end: the chunk sent by a
    turn typed into a chat (no cell runs) is sent again as the next cell starts, once; a
    chunk sent inside a cell is not."""
    kernel = new_kernel("")  # a kernel that has sent no chunk yet: they go once per kernel
    kernel.execute(
        "import nbagent\n"
        "def respond(prompt, turns):\n"
        "    yield 'The area is $\\\\pi r^2$.'\n"
        "chat = nbagent.Chat(respond, title='Math')"
    )
    assert kernel.value("chat.widget.code.math") == ""
    comm_id = kernel.value("chat.widget.model_id")
    code_id = kernel.value("chat.widget.code.model_id")
    # The page that types shows the chat: it follows the ops (no page, none are sent).
    kernel.send_custom(comm_id, {"type": "listen"})
    kernel.send_custom(comm_id, {"type": "prompt", "text": "the area?"})
    kernel.wait_value("len(chat.turns) == 1 and chat.turns[-1].done", True, timeout=60)

    def math_sent(since: int) -> list[str]:
        return [
            m["parent_header"].get("msg_type")
            for m in kernel.messages()[since:]
            if m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == code_id
            and m["content"]["data"].get("state", {}).get("math") == MATH
        ]

    # The turn's messages come from the chat's thread: they may reach the test's reader
    # after the kernel says the turn is done.
    wait_for(lambda: math_sent(0), what="the math chunk sent as the turn streamed")
    since = len(kernel.messages())
    kernel.execute("x = 1")
    assert math_sent(since) == ["execute_request"]  # again, tagged with the next cell
    since = len(kernel.messages())
    kernel.execute("chat.send('again?')\nawait chat")
    kernel.execute("y = 2")
    assert math_sent(since) == []  # sent once already; nothing owed


# The feature chunks (nbagent/widget/chunks.json's entries that bind to the widget's modules).
FEATURES = {
    entry["name"]: (STATIC / f"{entry['name']}.js").read_text(encoding="utf-8")
    for entry in LIST["chunks"]
    if entry["binds"]
}
TEXT_ONLY = {
    "seq": 1,
    # A run's own start is no timed call: a plain text stream needs no timeline.
    "ops": [["r", {"started_at": 1.0}], ["+", {"type": "text", "text": "Plain words."}]],
}
TOOL = {"type": "tool", "id": "c1", "state": "running"}


@pytest.mark.parametrize(
    ("names", "needs"),
    [
        (
            ("debug", "tools"),
            {"seq": 2, "ops": [["+", {"type": "tool", "id": "c1", "started_at": 1.5}]]},
        ),
        (("debug",), {"seq": 2, "ops": [["r", {"steps": [{"id": "model-1", "started_at": 1.0}]}]]}),
        (("debug",), {"method": "update", "state": {"can_rerun": True}}),
        (("debug",), {"method": "update", "state": {"forks": ["IPY_MODEL_f"]}}),
        (("debug",), {"method": "update", "state": {"replay": {"position": 0, "total": 3}}}),
        (
            ("data", "highlight"),
            {"seq": 2, "ops": [["=", 0, {"display": [{"data": {"text/plain": "df"}}]}]]},
        ),
        (("acp",), {"seq": 2, "ops": [["r", {"plan": {"entries": []}}]]}),
        (("acp",), {"seq": 2, "ops": [["r", {"context": {"used": 1, "size": 2}}]]}),
        (("acp",), {"seq": 2, "ops": [["=", 0, {"meta": {"kind": "edit", "status": "pending"}}]]}),
        (
            ("acp", "highlight"),
            {"seq": 2, "ops": [["=", 0, {"result": "```diff\n--- a\n+++ a\n```"}]]},
        ),
        (("tools",), {"seq": 2, "ops": [["+", TOOL]]}),
        (("tools",), {"seq": 2, "ops": [["+", {"type": "agent", "id": "researcher:1"}]]}),
        (("tools",), {"seq": 2, "ops": [["+", {"type": "note", "id": "n1", "title": "Note"}]]}),
        (("thinking",), {"seq": 2, "ops": [["+", {"type": "thinking", "id": "r1", "text": ""}]]}),
        (("media",), {"seq": 2, "ops": [["+", {"type": "media", "id": "m1", "data": "iVBO"}]]}),
        (("highlight",), {"seq": 2, "ops": [["t", 0, "\n```py\nx = 1\n```"]]}),
        (("highlight",), {"seq": 2, "ops": [["t", 0, "\n~~~\ncode\n~~~"]]}),
        (("highlight",), {"seq": 2, "ops": [["t", 0, "\n| a | b |\n|---|---|"]]}),
        (("highlight",), {"seq": 2, "ops": [["t", 0, "\n\n    x = 1\n"]]}),
        # A running run: the page may have to end it should its kernel go; a warning to show.
        (("trouble",), {"seq": 2, "ops": [["r", {"status": "running"}]]}),
        (("trouble",), {"seq": 2, "ops": [["r", {"warnings": [{"message": "slow"}]}]]}),
        (("trouble",), {"seq": 2, "ops": [["r", {"error": {"message": "boom"}}]]}),
        (("output",), {"seq": 2, "ops": [["r", {"status": "completed", "ended_at": 2.0}]]}),
        (("output",), {"seq": 2, "ops": [["r", {"status": "cancelled", "ended_at": 2.0}]]}),
        (("app",), {"seq": 2, "ops": [["=", 0, {"meta": {"app": {"uri": "ui://a"}}}]]}),
        # A call with an app whose arguments stream in (the app is sent them as they come).
        (
            ("tools", "app", "app_extras"),
            {"seq": 2, "ops": [["+", {**TOOL, "state": "args", "meta": {"app": {"uri": "a"}}}]]},
        ),
        # An app's own call (its record under the owning call).
        (
            ("app_extras",),
            {"seq": 2, "ops": [["=", 0, {"reruns": [{"by": "app", "state": "running"}]}]]},
        ),
        # An app's code is no text of the run: no highlight (nor math) for its backticks.
        ((), {"seq": 2, "ops": [["r", {"apps": {"ui://a": {"html": "<p>`$x$` | y</p>"}}}]]}),
    ],
)
def test_a_feature_chunk_is_sent_with_the_first_message_that_needs_it(
    monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], needs: dict
) -> None:
    """The debug chunk (timeline, forks, replay) with the first step, timed call, re-runnable
    tool, fork or replay; the data chunk with the first result as data; the acp chunk with a
    coding agent's plan, context window, tool kind or a diff; the tools chunk with the first
    tool call, sub-agent or note; the thinking chunk with the first thinking; the media chunk
    with the first picture or sound the model made; the highlight
    chunk with the first text that may hold a code block or a table (a backtick, tilde or pipe)
    or a result as data; the trouble chunk with a running run, an error or a warning; the
    output chunk with a run's end; the app chunk with the first call with an MCP app (not with
    the app's code: no text of the run); the app extras chunk with an app's first own call or a
    call with an app whose arguments stream; a text stream that goes on needs none. Each is sent
    once, on the code model's comm."""
    comms = record_comms(monkeypatch)
    code = _make_code_model()
    widget = AgentWidget(code=code, snapshot={"seq": 0, "state": {"blocks": []}})
    widget.send(TEXT_ONLY)
    assert [n for n in FEATURES if getattr(code, n)] == []
    version = code.version
    widget.send(needs)
    widget.send(needs)
    assert [n for n in FEATURES if getattr(code, n)] == [n for n in FEATURES if n in names]
    assert code.version == version
    (code_comm,) = [c for c in comms if c.comm_id == code.model_id]
    for name in names:
        assert getattr(code, name) == FEATURES[name]
        sent = [d for _, d in code_comm.log if d.get("state", {}).get(name) == FEATURES[name]]
        assert len(sent) == 1, name


def test_the_lanes_chunk_comes_with_the_first_widget_of_several_runs() -> None:
    """Before the widget opens (its state names its `arrangement`): the page imports the
    chunk to draw it."""
    from nbagent.widget.widget import LanesWidget

    code = _make_code_model()
    AgentWidget(code=code, snapshot={"seq": 0, "state": {"blocks": []}})
    assert code.lanes == ""
    LanesWidget(code=code, arrangement="chat")
    assert code.lanes == FEATURES["lanes"]


def test_a_page_asks_for_a_chunk_only_it_knows_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An MCP app's log or download (js/src/base/chunks.js): the page asks on the code model's
    comm, and the chunk is sent once; a name that is no chunk, or no ask, changes nothing."""
    comms = record_comms(monkeypatch)
    code = _make_code_model()
    for content in (
        {"type": "include", "chunk": "_esm"},
        {"type": "include", "chunk": ["app_extras"]},
        {"type": "other", "chunk": "app_extras"},
        "include",
    ):
        code._handle_custom_msg(content, [])
    assert code.app_extras == ""
    code._handle_custom_msg({"type": "include", "chunk": "app_extras"}, [])
    code._handle_custom_msg({"type": "include", "chunk": "app_extras"}, [])
    assert code.app_extras == FEATURES["app_extras"] != ""
    (code_comm,) = [c for c in comms if c.comm_id == code.model_id]
    chunk = FEATURES["app_extras"]
    sent = [d for _, d in code_comm.log if d.get("state", {}).get("app_extras") == chunk]
    assert len(sent) == 1
