"""The inline <think> splitter: tags split anywhere, only a leading block counts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nbagent.adapters.think import ThinkSplitter


def split(chunks: list[str], **kwargs: bool) -> tuple[str, str]:
    splitter = ThinkSplitter(**kwargs)
    parts = [p for chunk in chunks for p in splitter.feed(chunk)] + splitter.flush()
    thinking, answer = "", ""
    for channel, text in parts:
        if channel == "was_thinking":  # the answer so far was thinking
            thinking, answer = thinking + answer, ""
        elif channel == "thinking":
            thinking += text
        else:
            answer += text
    return thinking, answer


def cut(text: str, points: list[int]) -> list[str]:
    edges = [0, *sorted({p % (len(text) + 1) for p in points}), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(edges)]


CASES = [
    ("<think>\nPlan it.\n</think>\n\nHello!", ("Plan it.\n", "Hello!")),
    ("<thinking>Plan</thinking>Answer", ("Plan", "Answer")),
    ("  \n<think>x</think>y", ("x", "y")),
    ("<think>\n\n</think>\n\nAnswer", ("", "Answer")),  # Qwen3 with thinking off
    ("Hello <think>literal</think>", ("", "Hello <think>literal</think>")),
    ("<p>html first</p>", ("", "<p>html first</p>")),
    ("<thinker> is not a tag", ("", "<thinker> is not a tag")),
    ("<think>cut off mid-thought", ("cut off mid-thought", "")),
    ("", ("", "")),
    # a template that opens <think> in the prompt: only the closing tag streams
    ("Let me plan.\nStep 1.</think>\n\nThe answer.", ("Let me plan.\nStep 1.", "The answer.")),
    ("Plan</thinking>Answer", ("Plan", "Answer")),
    ("</think>\n\nAnswer", ("", "Answer")),  # a lone closing tag at the start: dropped
    ("\n \n</think>Answer", ("", "Answer")),
    ("Use <think> and </think> as tags", ("", "Use <think> and </think> as tags")),
    ("Literal </think", ("", "Literal </think")),
]


@pytest.mark.parametrize(("stream", "expected"), CASES)
def test_whole_and_char_by_char(stream: str, expected: tuple[str, str]) -> None:
    assert split([stream]) == expected
    assert split(list(stream)) == expected


@given(st.sampled_from(CASES), st.lists(st.integers(0, 200), max_size=8))
def test_any_split_gives_the_same_result(
    case: tuple[str, tuple[str, str]], points: list[int]
) -> None:
    stream, expected = case
    assert split(cut(stream, points)) == expected


def test_prefilled_think_tag_only_the_closing_one_arrives() -> None:
    stream = "Okay, the user said hi.\n</think>\n\nHello!"
    assert split(list(stream), assume_open=True) == ("Okay, the user said hi.\n", "Hello!")


@given(st.text().filter(lambda t: "<" not in t), st.lists(st.integers(0, 500), max_size=10))
def test_nothing_is_lost_or_invented(text: str, points: list[int]) -> None:
    """Without tags in play, every character comes out, in order, as one channel: leading
    whitespace waits for a possible tag, and with nothing after it, it is the answer."""
    assert split(cut(text, points)) == ("", text)


def test_blank_start_dropped_where_thinking_comes_apart() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("\n\n") == []
    assert splitter.flush(blank=False) == []


AFTER_REASONING = [
    ("</think>\n\n2 + 2 = 4.", "2 + 2 = 4."),  # lmdeploy: the closing tag, then the answer
    ("\n</think>Answer", "Answer"),
    ("</thinking>Answer", "Answer"),
    ("<think>is text here</think>", "<think>is text here</think>"),  # nothing is thinking
    ("Answer </think> later", "Answer </think> later"),
    ("\n\nAnswer", "\n\nAnswer"),
    ("</thi", "</thi"),  # cut off mid-tag: what came
]


@pytest.mark.parametrize(("stream", "answer"), AFTER_REASONING)
@given(points=st.lists(st.integers(0, 40), max_size=6))
def test_after_reasoning_only_a_leading_closing_tag_goes(
    stream: str, answer: str, points: list[int]
) -> None:
    assert split(cut(stream, points), after_reasoning=True) == ("", answer)
