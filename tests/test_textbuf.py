"""Block text storage: a TextBuffer is the text appended to it, in few pieces; the transcript
and the normalizer keep a long answer in pieces, not one object per token."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nbagent.core.events import MessageStart, RunStart, TextDelta
from nbagent.core.textbuf import JOIN_EVERY, TextBuffer
from nbagent.pipeline.normalize import Normalizer
from nbagent.transcript.transcript import Transcript
from tests.strategies import texts


@given(st.lists(texts, max_size=300), st.data())
def test_a_buffer_is_its_appends(parts, data):
    buffer = TextBuffer(parts[0] if parts else "")
    for part in parts[1:]:
        buffer.append(part)
    whole = "".join(parts)
    assert len(buffer) == len(whole)
    assert len(buffer.tail) < JOIN_EVERY
    start = data.draw(st.integers(0, len(whole)))
    stop = data.draw(st.integers(start, len(whole)))
    assert buffer.slice(start, stop) == whole[start:stop]
    assert buffer.text == whole
    assert buffer.slice(start, stop) == whole[start:stop]  # after the join into one piece
    buffer.append("tail")
    assert buffer.slice(start, len(whole) + 4) == whole[start:] + "tail"


def test_the_whole_text_is_joined_once_and_kept():
    buffer = TextBuffer()
    for _ in range(200):
        buffer.append("abcd")
    text = buffer.text
    assert buffer.pieces == [text]
    assert buffer.tail == []
    assert buffer.text is text  # the same object: a widget's final state shares it


def test_offsets_stay_valid_as_the_buffer_grows():
    buffer = TextBuffer()
    spans = []
    for i in range(1000):
        piece = f"<{i}>"
        spans.append((len(buffer), piece))
        buffer.append(piece)
        if i == 500:
            assert buffer.text  # joined in the middle
    assert all(buffer.slice(at, at + len(p)) == p for at, p in spans)


def test_the_transcript_joins_a_long_answer_into_pieces():
    t = Transcript()
    t.apply(RunStart(ts=1.0))
    for i in range(10_000):
        t.apply(TextDelta(message_id="m", delta=f"t{i % 10} ", ts=2.0))
    buffer = t.text_buffer("text", "m")
    assert buffer is not None
    assert len(buffer.tail) <= JOIN_EVERY  # the apply() hot path has JOIN_EVERY as a literal
    assert len(buffer.pieces) >= 10_000 // JOIN_EVERY - 1
    assert t.text == "".join(f"t{i % 10} " for i in range(10_000))


def test_blocks_that_take_turns_are_joined_too():
    # Two choices of one request: the block that gets every JOIN_EVERY-th token is always
    # the same one; the other is joined by the sweep.
    t = Transcript()
    t.apply(RunStart(ts=1.0))
    for i in range(20_000):
        t.apply(TextDelta(message_id=f"m{i % 2}", delta="ab", ts=2.0))
    for block_id in ("m0", "m1"):
        buffer = t.text_buffer("text", block_id)
        assert buffer is not None
        assert len(buffer.tail) <= 64 * JOIN_EVERY
        assert len(buffer) == 20_000
    assert t.text == "ab" * 20_000


def test_the_normalizer_keeps_the_streamed_text_in_pieces():
    n = Normalizer(clock=lambda: 1.0)
    n.feed(MessageStart(message_id="m"))
    for _ in range(5_000):
        n.feed(TextDelta(message_id="m", delta="tok "))
    (m,) = n._text.values()
    assert len(m.text.tail) <= JOIN_EVERY
    assert m.text.text == "tok " * 5_000
