"""What a chat and a set of lanes cost on IOPub, in a real kernel: bytes proportional to output.

Every byte the kernel publishes for the widgets is counted (comm opens, state updates,
custom messages, display data and its updates: the serialized message content), per turn.
A chat's turn costs about its own text, however many turns came before it (issue 13: each
turn's end used to re-send every turn: 3.3 MB for 20 turns of 2 KB, 82x the text). The
widget's code (~150 KB in its comm open, whatever it shows, and the lazy chunks it is sent
once as widgets need them) is printed apart and left out of the ratio asserted.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, get_args

import pytest

from nbagent.widget.chunks import Chunk
from nbagent.widget.output import TRANSCRIPT_MIME
from tests.kernel import Kernel

pytestmark = pytest.mark.kernel

TURNS = 20
CHAT_RATIO = 4
"""A typed chat's bytes (without the widget's code) at most this many times its text:
docs/develop/budgets.md (tests/test_budgets.py)."""
HEADLESS_RATIO = 3.5
"""The same under a client that names no cell and has no page (nbclient), its static copy
included: no ops (no page follows them, ``nbagent.apps.lane_saves``), then in a cell the
text in the lane's state (the widget's saved model) and in its static copy (for readers
without nbagent), twice (2.62x measured over 20 turns, ~0.1x of it once per chat: the shared
layout, the empty chat's output, the copy's style; 2.5x over the 100 turns of
benchmarks/chat_bytes.py; 4.07x when the ops went too: 3.5 fails on their return)."""
CELLS_RATIO = 3.5
"""A chat sent from 20 cells under that client: each turn's opening and end saved in its cell
and its static copy in that cell's output (2.86x measured; 4.65x when the ops went too)."""
PAGE_TURNS = 8
"""The turns of a typed chat under a client that names no cell but has a page."""
LANE = re.compile(r"'lane\d+'")
"""A lane's key in a lanes widget's model (``nbagent/widget/lane_state.py``)."""
WIDGET_MESSAGES = {"comm_open", "comm_msg", "comm_close", "display_data", "update_display_data"}

KERNEL_SETUP = """\
import random, time
import nbagent

WORDS = ("the model streams tokens into the widget while the kernel counts every byte it "
         "sends for each turn of the conversation and compares it with the text").split()

def turn_text(n, size=2000):
    rng = random.Random(n)
    out = [f"Turn {n}."]
    length = len(out[0])
    while length < size:
        word = rng.choice(WORDS) + ("\\n\\n" if rng.random() < 0.05 else " ")
        out.append(word)
        length += len(word)
    return "".join(out)[:size]

def deltas(text):
    # ~4 characters a token, paced like a fast model (bursts of 10 tokens every 5 ms).
    for i in range(0, len(text), 4):
        yield text[i : i + 4]
        if i % 40 == 36:
            time.sleep(0.005)

def respond(prompt, turns):
    return deltas(turn_text(len(turns) + 1))
"""


def kind(message: dict[str, Any]) -> str:
    """``open``, ``state`` (a trait update), ``custom`` (ops, answers) or ``display``."""
    msg_type = message["msg_type"]
    if msg_type in ("display_data", "update_display_data"):
        return "display"
    if msg_type == "comm_msg":
        return "custom" if message["content"]["data"].get("method") == "custom" else "state"
    return "open"


def size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


@dataclass
class Traffic:
    """The widgets' IOPub messages of a scenario, cut into windows (a turn, a cell)."""

    windows: list[list[dict[str, Any]]]
    text: int
    """Characters of text the runs streamed."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for w in self.windows for m in w]

    def bytes(self, window: list[dict[str, Any]]) -> int:
        return sum(size(m["content"]) for m in window)

    @property
    def total(self) -> int:
        return self.bytes(self.messages)

    @property
    def code(self) -> int:
        """Bytes of the widget's code: in comm opens, the code model's bundle (once per kernel)
        and each widget's loader (``_esm``, ``_css``), the same for any output; and the lazy
        chunks the code model is sent when a widget first needs one (``nbagent/widget/chunks.py``:
        the lanes chunk with a chat), once per kernel too."""
        opens = sum(
            size(state[key])
            for m in self.messages
            if m["msg_type"] == "comm_open"
            for state in [m["content"]["data"]["state"]]
            for key in (("code", "css") if "version" in state else ("_esm", "_css"))
            if key in state
        )
        return opens + sum(
            size(state[key])
            for m in self.messages
            if m["msg_type"] == "comm_msg"
            for state in [m["content"]["data"].get("state", {})]
            for key in get_args(Chunk)
            if key in state
        )

    def per_window(self) -> list[int]:
        return [self.bytes(w) for w in self.windows]

    def updates(self, window: list[dict[str, Any]]) -> int:
        return sum(m["msg_type"] == "update_display_data" for m in window)

    def report(self, name: str) -> None:
        kinds: Counter[str] = Counter()
        for m in self.messages:
            kinds[kind(m)] += size(m["content"])
        per = self.per_window()
        print(
            f"\n{name}: {self.total:,} bytes for {self.text:,} chars of text "
            f"({self.total / self.text:.2f}x; {(self.total - self.code) / self.text:.2f}x "
            f"without the widget's code, {self.code:,} bytes)\n"
            f"  by kind: {dict(kinds)}\n  per turn (0: the widget): {per}"
        )


def cut(k: Kernel, marks: list[int]) -> list[list[dict[str, Any]]]:
    messages = k.messages()
    return [
        [m for m in messages[a:b] if m["msg_type"] in WIDGET_MESSAGES]
        for a, b in itertools.pairwise(marks)
    ]


def customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The widgets' custom messages among ``messages``, their content."""
    return [
        m["content"]["data"]["content"]
        for m in messages
        if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "custom"
    ]


def answers(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The kernel's answers to ``output`` requests among ``messages``."""
    out = []
    for m in messages:
        data = m["content"].get("data", {}) if m["msg_type"] == "comm_msg" else {}
        content = data.get("content") if data.get("method") == "custom" else None
        if isinstance(content, dict) and content.get("type") == "output":
            out.append(content)
    return out


class Browser:
    """What JupyterLab's view asks once a chat settles: the output data, saying which lanes'
    static parts it holds (from the earlier answers)."""

    def __init__(self) -> None:
        self.held: dict[int, int] = {}

    def request(self) -> dict[str, Any]:
        return {"type": "output", "have": sorted([k, v] for k, v in self.held.items())}

    def take(self, answer: dict[str, Any]) -> None:
        for lane, version, _part in answer["parts"]:
            self.held[lane] = version


def typed_chat(
    k: Kernel,
    *,
    lab: bool = False,
    turns: int = TURNS,
    next_cell: bool = False,
    listen: bool | None = None,
    throttle_ms: float = 3_600_000,
) -> tuple[Traffic, list[dict[str, Any]]]:
    """A ``Chat(respond)`` of ``turns`` turns typed into its box, each awaited before the next
    (window 0: creating and displaying the chat; ``next_cell``: a cell run after the last
    turn, the last window), and the answers to ``output`` requests. ``lab``: as in JupyterLab,
    the cells are named and the page asks for the output data each time the chat settles;
    else as a client that names no cell (`jupyter execute`'s kind: the next cell gets what
    went out between cells again). ``listen`` (as ``lab`` unless given): a page says it
    follows the ops, as nbagent's widget does when it shows the model; `jupyter execute` has
    no page, its turns made here as typed. ``throttle_ms``: the chat's (an hour by default,
    below). ``benchmarks/chat_bytes.py`` drives its chats with this."""
    cell = itertools.count()

    def execute(code: str) -> None:
        k.execute(code, cell_id=f"cell-{next(cell)}" if lab else None)

    marks = [len(k.messages())]
    # An hour's interval by default: a turn's messages are its own (its lane's opening, start
    # and end), not one per 50 ms of however long it streamed on this machine, so the turns'
    # bytes differ only by what each sends (the interval's own cost: benchmarks/kernel_wire.py).
    execute(f"chat = nbagent.Chat(respond, title='Bytes', throttle_ms={throttle_ms!r})")
    comm_id = k.value("chat.widget.model_id")
    if lab if listen is None else listen:
        k.send_custom(comm_id, {"type": "listen"})
    browser = Browser()
    got = []
    for n in range(1, turns + 1):
        marks.append(len(k.messages()))
        k.send_custom(comm_id, {"type": "prompt", "text": f"question {n}"})
        k.wait_value(f"len(chat.turns) == {n} and chat.turns[-1].done", True, timeout=60)
        k.execute("")  # what the turn's end sent arrives before this empty cell's idle
        if lab:
            before = len(k.messages())
            k.send_custom(comm_id, browser.request())
            # Handled after the request (one shell queue), and an empty cell runs no cell
            # hooks: once it is idle, the answer has arrived.
            k.execute("")
            (answer,) = answers(k.messages()[before:])
            browser.take(answer)
            got.append(answer)
    marks.append(len(k.messages()))
    if next_cell:
        execute("x = 1")  # the display's static copy, what went out between cells
        marks.append(len(k.messages()))
    text = k.value("sum(len(t.transcript.text) for t in chat.turns)")
    return Traffic(cut(k, marks), text), got


def displayed(window: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data of the new outputs (not updates) among ``window``'s messages."""
    return [m["content"]["data"] for m in window if m["msg_type"] == "display_data"]


def test_a_typed_chat_turn_costs_its_own_text(kernel: Kernel) -> None:
    """A client that names no cell and has no page (`jupyter execute`'s kind): a turn sends
    no ops (no page follows them); the next cell gets the turns' states and their static copy,
    once each."""
    traffic, _ = typed_chat(kernel, next_cell=True)
    traffic.report("chat, typed, then a cell")
    *windows, window = traffic.windows
    turns = traffic.per_window()[1:-1]
    assert traffic.text >= TURNS * 1900
    assert turns[-1] <= 1.5 * turns[1], turns
    # Flat: no list of every lane re-sent as turns add up (a turn grew by ~45 B a turn); here
    # a turn sends nothing (a page's ops: test_a_page_that_names_no_cell_gets_the_ops).
    assert max(turns[1:]) <= 1.02 * min(turns[1:]), turns
    # Nothing measured: no ops for no page, the lane's state waits for a cell, no model opened
    # per turn.
    before = traffic.total - traffic.code - traffic.bytes(window)
    assert before <= CHAT_RATIO * traffic.text, (traffic.total, traffic.code)
    # No cell ran: the display is never updated (the browser has every turn).
    assert sum(traffic.updates(w) for w in windows) == 0
    # The next cell gets what went out between cells again (`jupyter execute` keeps only a
    # cell's messages): each turn's state once, the list of turns, and the turns' static copy
    # in an output of that cell, not the chat's display updated with every turn again.
    assert traffic.updates(window) == 0
    (copy,) = displayed(window)
    assert [copy["text/html"].count(f">question {n}<") for n in range(1, 21)] == [1] * TURNS
    # Each turn's status line, and no folded Details repeating it without a usage (~190 B).
    assert copy["text/html"].count('<div class="nba-status ') == TURNS
    assert 'class="nba-details"' not in copy["text/html"]
    # Every turn's saved state in one update of the chat's model, a key each (``lane{n}``).
    states = [m["content"]["data"]["state"] for m in window if kind(m) == "state"]
    (saved,) = [state for state in states if LANE.search(str(list(state)))]
    assert list(saved) == [f"lane{n}" for n in range(TURNS)]
    assert [lane["meta"]["prompt"] for lane in saved.values()] == [
        f"question {n}" for n in range(1, 21)
    ]
    assert {lane["state"]["status"] for lane in saved.values()} == {"completed"}
    # No model of its own per turn (its opening, a pointer to the newest moved each turn).
    assert [m for w in windows[1:] for m in w if m["msg_type"] == "comm_open"] == []
    assert [m for w in windows[1:] for m in w if kind(m) == "state" and LANE.search(str(m))] == []
    # The whole chat: in a cell, its state (the widget's saved model) and its static copy
    # (the HTML a reader without nbagent shows).
    assert traffic.total - traffic.code <= HEADLESS_RATIO * traffic.text


def test_a_page_that_names_no_cell_gets_the_ops(kernel: Kernel) -> None:
    """A client that names no cell, with a page that follows the ops (nbagent's widget says
    so as it loads the model: Voilà, VS Code): each turn's ops go out, the page keeps each
    turn's state (the kernel sends none), the next cell gets the turns' static copy."""
    traffic, _ = typed_chat(kernel, turns=PAGE_TURNS, next_cell=True, listen=True)
    traffic.report("chat, typed in a page that names no cell, then a cell")
    window = traffic.windows[-1]
    turns = traffic.per_window()[1:-1]
    assert max(turns[1:]) <= 1.02 * min(turns[1:]), turns
    assert [m for m in traffic.messages if kind(m) == "state" and LANE.search(str(m))] == []
    assert sum(traffic.updates(w) for w in traffic.windows) == 0
    (copy,) = displayed(window)
    counts = [copy["text/html"].count(f">question {n}<") for n in range(1, PAGE_TURNS + 1)]
    assert counts == [1] * PAGE_TURNS
    # The text in the ops and in the static copy (2.9x measured over 8 turns).
    assert traffic.total - traffic.code <= CHAT_RATIO * traffic.text, traffic.total


def test_a_page_that_listens_late_gets_what_was_held_back(kernel: Kernel) -> None:
    """Under a client that names no cell, a page that says it listens after two turns gets
    them in one snapshot, then the next turn's ops."""
    kernel.execute("chat = nbagent.Chat(respond, title='Late', throttle_ms=3_600_000)")
    comm_id = kernel.value("chat.widget.model_id")

    def turn(n: int) -> list[dict[str, Any]]:
        since = len(kernel.messages())
        kernel.send_custom(comm_id, {"type": "prompt", "text": f"question {n}"})
        kernel.wait_value(f"len(chat.turns) == {n} and chat.turns[-1].done", True, timeout=60)
        kernel.execute("")
        return customs(kernel.messages()[since:])

    assert turn(1) + turn(2) == []
    since = len(kernel.messages())
    kernel.send_custom(comm_id, {"type": "listen"})
    kernel.execute("")
    (snapshot,) = customs(kernel.messages()[since:])
    assert snapshot["type"] == "snapshot"
    assert [lane["meta"]["prompt"] for lane in snapshot["lanes"]] == ["question 1", "question 2"]
    assert [lane["state"]["blocks"][0]["text"][:7] for lane in snapshot["lanes"]] == [
        "Turn 1.",
        "Turn 2.",
    ]
    ops = turn(3)
    assert ops
    assert all("type" not in m and m["seq"] > snapshot["seq"] for m in ops)
    assert {entry[0] for m in ops for entry in m["lanes"]} == {2}
    # The turns that ended while no page listened are saved in the next cell, as for none.
    since = len(kernel.messages())
    kernel.execute("x = 1")
    states = [
        m["content"]["data"]["state"] for m in kernel.messages()[since:] if kind(m) == "state"
    ]
    assert [list(state) for state in states if LANE.search(str(list(state)))] == [
        ["lane0", "lane1"]
    ]


def test_a_typed_chat_answers_output_with_the_new_turn_only(kernel: Kernel) -> None:
    """As in JupyterLab (the cells named): the view asks for the output data each time the
    chat settles, and writes the output itself; a turn's end sends its state only in the
    ops (the page writes it into the lane's model), its static copy in the answer."""
    traffic, got = typed_chat(kernel, lab=True, next_cell=True)
    traffic.report("chat, typed, the output asked after each turn, then a cell")
    assert [[part[0] for part in answer["parts"]] for answer in got] == [[n] for n in range(TURNS)]
    *windows, window = traffic.windows
    turns = traffic.per_window()[1:-1]
    # Turn 20's widget messages cost what turn 2's do.
    assert turns[-1] <= 1.1 * turns[1], turns
    # The page has every turn: nothing to send again in the next cell.
    assert window == []
    # No lane's state sent: the page writes it into the chat's model (``followLanes``).
    assert [m for w in windows for m in w if kind(m) == "state" and LANE.search(str(m))] == []
    # 3.0x measured: the text in the ops and in its static copy's HTML (the plain text is
    # an outline), the answer's head.
    assert traffic.total - traffic.code <= CHAT_RATIO * traffic.text, traffic.total


def test_a_chat_sent_from_cells_puts_each_turn_in_its_cell(kernel: Kernel) -> None:
    """Under `jupyter execute` (no cell named) each cell's turn gets an output of its own in
    that cell, its static copy: the chat's display, updated whole, would carry every turn
    again at each cell (20 cells sent 23x the text)."""
    marks = [len(kernel.messages())]
    kernel.execute("chat = nbagent.Chat(respond, title='Bytes')")
    for n in range(1, TURNS + 1):
        marks.append(len(kernel.messages()))
        kernel.execute(f"chat.send('question {n}')\nawait chat")
    marks.append(len(kernel.messages()))
    text = kernel.value("sum(len(t.transcript.text) for t in chat.turns)")
    traffic = Traffic(cut(kernel, marks), text)
    traffic.report("chat, chat.send + await from 20 cells")
    assert [traffic.updates(w) for w in traffic.windows[1:]] == [0] * TURNS
    copies = [displayed(w) for w in traffic.windows[1:]]
    assert [[c["text/html"].count(">question ") for c in w] for w in copies] == [[1]] * TURNS
    assert all(f">question {n}<" in w[0]["text/html"] for n, w in enumerate(copies, 1))
    assert all(w[0]["text/plain"].startswith(f"> question {n}\n") for n, w in enumerate(copies, 1))
    # Marked as the chat's: where its widget shows, it hides them (they are for other readers).
    mark = f'<div class="nba-apart nba-of-{kernel.value("chat.widget.store_key")}">'
    assert all(w[0]["text/html"].startswith(mark) for w in copies)
    # Linear: twice the turns, twice the bytes (turns 2-10, then 11-19).
    turns = traffic.per_window()[1:]
    first, then = sum(turns[1:10]), sum(turns[10:19])
    assert 0.9 * first <= then <= 1.1 * first, turns
    assert traffic.total - traffic.code <= CELLS_RATIO * traffic.text, traffic.total


def test_a_chat_sent_from_named_cells_costs_each_turn_the_same(kernel: Kernel) -> None:
    """In JupyterLab (the cells named) a display update from a later cell than the displaying
    one is dropped, and the page (nbagent's renderer, which asks for the output data as the
    chat settles) writes the output itself from the answers (the new turns only): the kernel
    sends none, and a turn costs what the one before did."""
    marks = [len(kernel.messages())]
    # An hour's interval (as typed_chat's): a turn's ops are its opening, start and end, not
    # one message per 50 ms of this machine's pace, which a turn without its state's echo
    # (~4.5 KB) would feel in its size.
    code = "chat = nbagent.Chat(respond, title='Bytes', throttle_ms=3_600_000)"
    kernel.execute(code, cell_id="chat")
    kernel.send_custom(kernel.value("chat.widget.model_id"), Browser().request())
    kernel.execute("", cell_id="asked")
    for n in range(1, TURNS + 1):
        marks.append(len(kernel.messages()))
        kernel.execute(f"chat.send('question {n}')\nawait chat", cell_id=f"turn-{n}")
    marks.append(len(kernel.messages()))
    text = kernel.value("sum(len(t.transcript.text) for t in chat.turns)")
    traffic = Traffic(cut(kernel, marks), text)
    traffic.report("chat, chat.send + await from 20 named cells")
    assert [traffic.updates(w) for w in traffic.windows[1:]] == [0] * TURNS
    turns = traffic.per_window()[1:]
    assert max(turns[1:]) <= 1.05 * min(turns[1:]), turns
    assert traffic.total - traffic.code <= CHAT_RATIO * traffic.text, traffic.total


RUN_RATIO = 2.5
"""One run's widget messages (its code apart) at most this many times its text: the ops
and one saved state, the text twice."""

RUN_SETUP = """\
text = turn_text(1, 10_719)
parts = [text[i * len(text) // 2000 : (i + 1) * len(text) // 2000] for i in range(2000)]

def late(parts):
    time.sleep(0.5)  # the cell that showed it has ended by then
    yield from parts

# What a kernel sends once, at its first widget (the code model, the shared layout), before.
nbagent.show(iter(["warm"])).wait(60)
"""


@pytest.mark.parametrize("ending", ["awaited", "between cells"])
def test_one_run_sends_its_text_twice(kernel: Kernel, ending: str) -> None:
    """``show()`` of 2,000 deltas in JupyterLab (the cell is named), awaited in its cell or
    ending after it: the ops and the final ``snapshot`` once, however the run ends (the
    display's static copy aside: the cell's output, not a widget message)."""
    kernel.execute(RUN_SETUP)
    since = len(kernel.messages())
    if ending == "awaited":
        kernel.execute("w = nbagent.show(iter(parts))\nawait w", cell_id="show")
    else:
        kernel.execute("w = nbagent.show(late(parts))", cell_id="show")
        kernel.wait_value("w.done", True)
    kernel.execute("x = 1", cell_id="next")
    (window,) = cut(kernel, [since, len(kernel.messages())])
    comms = [m for m in window if m["msg_type"].startswith("comm")]
    traffic = Traffic([comms], kernel.value("len(w.transcript.text)"))
    traffic.report(f"one run of 2,000 deltas, {ending}")
    snapshots = [m for m in comms if "snapshot" in m["content"]["data"].get("state", {})]
    assert traffic.text == 10_719
    assert len(snapshots) == 2  # the comm's opening (no text yet) and the run's end
    assert traffic.total - traffic.code <= RUN_RATIO * traffic.text, traffic.total


def test_eight_lanes_update_their_display_once(kernel: Kernel) -> None:
    marks = [len(kernel.messages())]
    kernel.execute(
        "lanes = nbagent.show({f'lane {i}': deltas(turn_text(i)) for i in range(8)})\nawait lanes"
    )
    marks.append(len(kernel.messages()))
    text = kernel.value("sum(len(t.text) for t in lanes.transcripts.values())")
    traffic = Traffic(cut(kernel, marks), text)
    traffic.report("8 lanes of show({...})")
    assert traffic.updates(traffic.windows[0]) == 1


GATED = """\
import threading
go = threading.Event()

def gated(text):
    go.wait(30)
    yield text

lanes = nbagent.show({"a": gated("alpha"), "b": gated("beta")}, title="Gated")
"""


def test_the_displaying_cells_lanes_stay_in_its_display(kernel: Kernel) -> None:
    """Under a client that names no cell, lanes of the displaying cell that end in a later
    one update the display (it shows them); a lane a later cell adds gets an output of its
    own in that cell."""
    kernel.execute(GATED)
    marks = [len(kernel.messages())]
    kernel.execute("go.set()\nlanes.wait(30)")
    marks.append(len(kernel.messages()))
    kernel.execute("lanes.add(iter(['gamma']), name='c')\nlanes.wait(30)")
    marks.append(len(kernel.messages()))
    ended, added = cut(kernel, marks)
    traffic = Traffic([ended, added], 0)
    (update,) = [m["content"]["data"] for m in ended if m["msg_type"] == "update_display_data"]
    assert displayed(ended) == []
    assert "alpha" in update["text/html"]
    assert "beta" in update["text/html"]
    assert [r["title"] for r in update[TRANSCRIPT_MIME]["runs"]] == ["a", "b"]
    assert traffic.updates(added) == 0
    (copy,) = displayed(added)
    assert "gamma" in copy["text/html"]
    assert "alpha" not in copy["text/html"]
