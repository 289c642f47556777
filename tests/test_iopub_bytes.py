"""What a chat and a set of lanes cost on IOPub, in a real kernel: bytes proportional to output.

Every byte the kernel publishes for the widgets is counted (comm opens, state updates,
custom messages, display data and its updates: the serialized message content), per turn.
A chat's turn costs about its own text, however many turns came before it (issue 13: each
turn's end used to re-send every turn, ~28x the text for 20 turns).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.kernel import Kernel

pytestmark = pytest.mark.kernel

TURNS = 20
WIDGET_MESSAGES = {"comm_open", "comm_msg", "comm_close", "display_data", "update_display_data"}

SETUP = """\
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


def by_kind(messages: list[dict[str, Any]]) -> Counter[str]:
    """Bytes of the widgets' IOPub messages (their content as the kernel serializes it)."""
    out: Counter[str] = Counter()
    for m in messages:
        if m["msg_type"] in WIDGET_MESSAGES:
            out[kind(m)] += len(json.dumps(m["content"], ensure_ascii=False).encode())
    return out


def widget_bytes(messages: list[dict[str, Any]]) -> int:
    return sum(by_kind(messages).values())


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
        for lane, version, _part in answer.get("parts", []):
            self.held[lane] = version


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    k.execute(SETUP)
    yield k
    k.close()


def typed_chat(k: Kernel, *, ask_output: bool = False) -> tuple[list[int], int]:
    """A ``Chat(respond)`` of ``TURNS`` turns typed into its box, each awaited before the next.
    Bytes per turn (index 0: creating and displaying the chat) and the chat's text length."""
    since = len(k.messages())
    k.execute("chat = nbagent.Chat(respond, title='Bytes')")
    comm_id = k.value("chat.widget.model_id")
    marks = [since]
    browser = Browser()
    for n in range(1, TURNS + 1):
        marks.append(len(k.messages()))
        k.send_custom(comm_id, {"type": "prompt", "text": f"question {n}"})
        k.wait_value(f"len(chat.turns) == {n} and chat.turns[-1].done", True, timeout=60)
        k.execute("")  # what the turn's end sent arrives before this empty cell's idle
        if ask_output:
            before = len(k.messages())
            k.send_custom(comm_id, browser.request())
            # Handled after the request (one shell queue), and an empty cell runs no cell
            # hooks: once it is idle, the answer has arrived.
            k.execute("")
            for answer in answers(k.messages()[before:]):
                browser.take(answer)
    k.execute("")
    marks.append(len(k.messages()))
    messages = k.messages()
    per_turn = [widget_bytes(messages[a:b]) for a, b in itertools.pairwise(marks)]
    text = k.value("sum(len(t.transcript.text) for t in chat.turns)")
    print(f"\n  by kind: {dict(by_kind(messages[since:]))}")
    return per_turn, text


def report(name: str, per_turn: list[int], text: int) -> str:
    total = sum(per_turn)
    turns = per_turn[1:]
    line = (
        f"{name}: {total:,} bytes for {text:,} chars of text ({total / text:.2f}x); "
        f"setup {per_turn[0]:,}, turn 2 {turns[1]:,}, turn {len(turns)} {turns[-1]:,} "
        f"({turns[-1] / turns[1]:.2f}x turn 2)"
    )
    print(f"\n{line}\n  per turn: {turns}")
    return line


def test_a_typed_chat_turn_costs_its_own_text(kernel: Kernel) -> None:
    per_turn, text = typed_chat(kernel)
    report("chat, typed", per_turn, text)
    turns = per_turn[1:]
    assert text >= TURNS * 1900
    assert turns[-1] <= 1.5 * turns[1], turns
    assert sum(per_turn) <= 6 * text, (sum(per_turn), text)


def test_measure_a_typed_chat_with_output_requests(kernel: Kernel) -> None:
    """As in JupyterLab: the view asks for the output data each time the chat settles."""
    per_turn, text = typed_chat(kernel, ask_output=True)
    report("chat, typed, output asked after each turn", per_turn, text)


def test_measure_a_chat_sent_from_cells(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute("chat = nbagent.Chat(respond, title='Bytes')")
    marks = [since]
    for n in range(1, TURNS + 1):
        marks.append(len(kernel.messages()))
        kernel.execute(f"chat.send('question {n}')\nawait chat")
    marks.append(len(kernel.messages()))
    messages = kernel.messages()
    per_cell = [widget_bytes(messages[a:b]) for a, b in itertools.pairwise(marks)]
    text = kernel.value("sum(len(t.transcript.text) for t in chat.turns)")
    print(f"\n  by kind: {dict(by_kind(messages[since:]))}")
    report("chat, chat.send + await from 20 cells", per_cell, text)


def test_measure_eight_lanes(kernel: Kernel) -> None:
    since = len(kernel.messages())
    kernel.execute(
        "lanes = nbagent.show({f'lane {i}': deltas(turn_text(i)) for i in range(8)})\nawait lanes"
    )
    kernel.execute("")
    kinds = by_kind(kernel.messages()[since:])
    total = sum(kinds.values())
    text = kernel.value("sum(len(t.text) for t in lanes.transcripts.values())")
    print(f"\n8 lanes of show({{...}}): {total:,} bytes for {text:,} chars ({total / text:.2f}x)")
    print(f"  by kind: {dict(kinds)}")
