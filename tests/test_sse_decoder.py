"""``nbagent.sources.sse.SSEDecoder``: WHATWG rules one by one, chunking invariance, fuzz."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbagent.adapters.base import ServerSentEvent as SSE
from nbagent.core.events import NbagentError, RunEnd, RunStart, TextDelta
from nbagent.sources.files import JSONLError, load, sse_file
from nbagent.sources.sse import SSEDecoder, iter_sse
from tests.strategies import sse_streams


def decode(data: bytes, *, flush: bool = True) -> list[SSE]:
    dec = SSEDecoder()
    out = dec.feed(data)
    if flush:
        out += dec.flush()
    return out


def decode_split(data: bytes, cuts: list[int]) -> list[SSE]:
    dec = SSEDecoder()
    out: list[SSE] = []
    prev = 0
    for cut in sorted(set(cuts)):
        out += dec.feed(data[prev:cut])
        prev = cut
    out += dec.feed(data[prev:])
    return out + dec.flush()


def test_simple_events() -> None:
    assert decode(b"data: a\n\ndata: b\n\n") == [SSE("a"), SSE("b")]


def test_event_field_sets_type_and_resets() -> None:
    assert decode(b"event: x\ndata: 1\n\ndata: 2\n\n") == [SSE("1", "x"), SSE("2")]


def test_multi_line_data_joined_with_lf() -> None:
    assert decode(b'data: {\ndata:  "a": 1\ndata: }\n\n') == [SSE('{\n "a": 1\n}')]


def test_exactly_one_space_stripped() -> None:
    assert decode(b"data:  two\n\ndata:none\n\n") == [SSE(" two"), SSE("none")]


def test_no_colon_field_has_empty_value() -> None:
    # "data" with no colon appends "" + LF: the buffer is "\n", one LF removed → data ""
    assert decode(b"data\n\n") == [SSE("")]
    assert decode(b"data\ndata\n\n") == [SSE("\n")]


def test_data_only_lf_is_dispatched_as_empty_string() -> None:
    # the spec dispatches when the data buffer is non-empty (it holds "\n")
    assert decode(b"data:\n\n") == [SSE("")]


def test_no_data_no_dispatch() -> None:
    assert decode(b"event: x\n\nid: 1\n\nretry: 5\n\n") == []
    # the event type was reset by the blank line
    assert decode(b"event: x\n\ndata: y\n\n") == [SSE("y", id=None)]


def test_comments_ignored() -> None:
    assert decode(b": keep-alive\n\n:\ndata: a\n: mid\n\n") == [SSE("a")]


def test_field_names_case_sensitive_and_unknown_ignored() -> None:
    assert decode(b"Data: x\nfoo: bar\ndata: y\n\n") == [SSE("y")]


@pytest.mark.parametrize("sep", [b"\n", b"\r", b"\r\n"])
def test_line_endings(sep: bytes) -> None:
    raw = b"event: e" + sep + b"data: 1" + sep + sep + b"data: 2" + sep + sep
    assert decode(raw) == [SSE("1", "e"), SSE("2")]


def test_cr_then_lf_across_chunks_is_one_break() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"data: a\r") == []
    assert dec.feed(b"\ndata: b\r") == []  # not a blank line: the LF belongs to the CR
    assert dec.feed(b"\n\r\n") == [SSE("a\nb")]


def test_cr_cr_is_two_breaks() -> None:
    assert decode(b"data: a\r\rdata: b\r\r", flush=False) == [SSE("a"), SSE("b")]


def test_bom_stripped_once() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [SSE("a")]
    # a second BOM is part of the field name: that line is an unknown field
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\n") == []


def test_bom_split_across_chunks() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"\xef") == []
    assert dec.feed(b"\xbb") == []
    assert dec.feed(b"\xbfdata: a\n\n") == [SSE("a")]


def test_bom_only_at_start() -> None:
    assert decode(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == [SSE("a")]


def test_id_persists_and_resets() -> None:
    raw = b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"
    assert decode(raw) == [SSE("a", id="1"), SSE("b", id="1"), SSE("c", id="")]


def test_id_with_nul_ignored() -> None:
    assert decode(b"id: 7\ndata: a\n\nid: x\x00y\ndata: b\n\n") == [
        SSE("a", id="7"),
        SSE("b", id="7"),
    ]


def test_id_set_without_data_persists() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"id: 9\n\ndata: a\n\n") == [SSE("a", id="9")]
    assert dec.last_event_id == "9"


@pytest.mark.parametrize(
    ("value", "want"), [(b"3000", 3000), (b"0", 0), (b"3s", None), (b"", None), (b" 1", 1)]
)
def test_retry_digits_only(value: bytes, want: int | None) -> None:
    assert decode(b"retry:" + value + b"\ndata: a\n\n") == [SSE("a", retry=want)]


def test_retry_non_ascii_digits_ignored() -> None:
    assert decode("retry: ١٢\ndata: a\n\n".encode()) == [SSE("a")]


def test_unicode_split_across_chunks() -> None:
    raw = "data: héllo 🎉 世界\n\n".encode()
    for cut in range(len(raw) + 1):
        assert decode_split(raw, [cut]) == [SSE("héllo 🎉 世界")]


def test_invalid_utf8_replaced() -> None:
    assert decode(b"data: a\xffb\n\n") == [SSE("a\ufffdb")]


def test_eof_flush_is_lenient() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"data: a\n\ndata: b") == [SSE("a")]
    assert dec.flush() == [SSE("b")]
    assert decode(b"event: x\ndata: c\n") == [SSE("c", "x")]


def test_flush_nothing_pending() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"data: a\n\n: trailing comment") == [SSE("a")]
    assert dec.flush() == []


def test_done_sentinel_is_plain_data() -> None:
    assert decode(b"data: [DONE]\n\n") == [SSE("[DONE]")]


def test_iter_sse_and_sse_file() -> None:
    chunks = [b"data: a\n", b"\ndata: b"]
    assert list(iter_sse(chunks)) == [SSE("a"), SSE("b")]
    assert list(sse_file(chunks)) == [SSE("a"), SSE("b")]


# -- hypothesis -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=sse_streams(), cuts=st.lists(st.integers(0, 400), max_size=12))
def test_any_split_gives_same_events(data: bytes, cuts: list[int]) -> None:
    cuts = [c for c in cuts if c <= len(data)]
    assert decode_split(data, cuts) == decode(data)


@settings(max_examples=200, deadline=None)
@given(data=sse_streams())
def test_byte_by_byte_equals_whole(data: bytes) -> None:
    assert decode_split(data, list(range(len(data)))) == decode(data)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=8))
def test_arbitrary_bytes_never_raise(data: bytes, cuts: list[int]) -> None:
    events = decode_split(data, [c for c in cuts if c <= len(data)])
    assert all(isinstance(ev, SSE) for ev in events)
    assert events == decode(data)


# -- recorded files -------------------------------------------------------------------


def test_sse_file_path_bytes_and_file_object(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbfevent: e\r\ndata: 1\r\n\r\ndata: tail"
    path = tmp_path / "cap.sse"
    path.write_bytes(raw)
    want = [SSE("1", "e"), SSE("tail")]
    assert list(sse_file(path)) == want
    assert list(sse_file(str(path))) == want
    assert list(sse_file([raw[:3], raw[3:]])) == want
    with path.open("rb") as fh:
        assert list(sse_file(fh)) == want


def test_load_jsonl_roundtrip(tmp_path: Path) -> None:
    events = [
        RunStart(run_id="r", model="m"),
        TextDelta(message_id="m1", delta="héllo 🎉"),
        RunEnd(reason="completed"),
    ]
    path = tmp_path / "run.jsonl"
    path.write_text("\n".join(ev.to_json() for ev in events) + "\n\n", encoding="utf-8")
    it = load(path)
    assert not isinstance(it, list)  # lazy
    assert list(it) == events


def test_load_bad_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(RunStart().to_json() + "\n\n" + '{"kind": "nope"}\n', encoding="utf-8")
    with pytest.raises(JSONLError, match=r"run\.jsonl, line 3: unknown event kind") as info:
        list(load(path))
    assert isinstance(info.value, NbagentError)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(JSONLError, match="line 1: not valid JSON"):
        list(load(path))
