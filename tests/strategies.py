"""Hypothesis strategies for nbagent events (reusable by every test module).

- ``texts``: short unicode strings, often empty, with emoji, CJK, combining marks, markdown.
- ``events(final_text=True)``: one arbitrary event of any kind, ids from small sets so that
  messages and tool calls collide, interleave, repeat and end twice.
- ``event_sequences(...)``: lists of those (missing starts, duplicate ends, events after
  ``run_end``, fatal errors in the middle: everything a broken adapter could send).
- ``json_values``: JSON-ready values (tool results, arguments).
- ``sse_streams()``: the bytes of an SSE stream (fields, comments, blank lines, CR/LF/CRLF).
- ``plain_text_streams()``: the pieces of a plain answer, no think tag among them (blank ones,
  ones that look like keep-alives, markdown, emoji).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from nbagent.core.events import (
    END_REASONS,
    Custom,
    ErrorEvent,
    Event,
    Media,
    MessageEnd,
    MessageStart,
    RunEnd,
    RunStart,
    State,
    Status,
    StepEnd,
    StepStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResult,
    Usage,
)

_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGNkYPjPwMDAwMD"
    "AxAADABErAQPdiBRnAAAAAElFTkSuQmCC"
)
"""A 3x2 PNG, base64."""

__all__ = [
    "event_sequences",
    "events",
    "json_values",
    "message_ids",
    "plain_text_streams",
    "sse_streams",
    "step_ids",
    "texts",
    "tool_ids",
]

message_ids = st.sampled_from(["m1", "m2", "m3"])
tool_ids = st.sampled_from(["call_a", "call_b", "call_c"])
step_ids = st.sampled_from(["s1", "s2"])
_SPECIAL = ["", "😀", "汉字", "e\u0301", "\n\n", "```", "<script>", "👩\u200d💻", " ", "\u202e"]
texts = st.one_of(st.sampled_from(_SPECIAL), st.text(max_size=12))
_args_chunks = st.sampled_from(['{"a"', ":", "1", "}", "", '"x', "\\u00", "e9", "[", "]", "null"])
timestamps = st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=2e9, allow_nan=False))
_counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10**6))

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)


def events(*, final_text: bool = True) -> st.SearchStrategy[Event]:
    """One event of any kind; ``final_text=False`` never sets ``MessageEnd.final_text``."""
    channel = st.sampled_from(["text", "thinking"])
    final = st.one_of(st.none(), texts) if final_text else st.none()
    ts = timestamps
    return st.one_of(
        st.builds(TextDelta, message_id=message_ids, delta=texts, refusal=st.booleans(), ts=ts),
        st.builds(TextDelta, message_id=message_ids, delta=texts, ts=ts),
        st.builds(ThinkingDelta, message_id=message_ids, delta=texts, ts=ts),
        st.builds(
            MessageStart, message_id=message_ids, channel=channel, whole=st.booleans(), ts=ts
        ),
        st.builds(
            MessageEnd,
            message_id=message_ids,
            channel=channel,
            final_text=final,
            redacted=st.booleans(),
            ts=ts,
        ),
        st.builds(
            ToolCallStart,
            tool_call_id=tool_ids,
            name=st.sampled_from(["", "f", "g"]),
            server=st.sampled_from([None, None, "mcp"]),  # a later start may name it
            ts=ts,
        ),
        st.builds(ToolCallArgsDelta, tool_call_id=tool_ids, delta=_args_chunks, ts=ts),
        st.builds(
            ToolCallEnd,
            tool_call_id=tool_ids,
            arguments=st.one_of(st.none(), st.sampled_from(["", "{}", '{"x": 1}', "{bad"])),
            ts=ts,
        ),
        st.builds(
            ToolResult,
            tool_call_id=tool_ids,
            content=json_values,
            name=st.one_of(st.none(), st.just("h")),
            is_error=st.booleans(),
            preliminary=st.booleans(),
            ts=ts,
        ),
        st.builds(
            Usage,
            input_tokens=_counts,
            output_tokens=_counts,
            total_tokens=_counts,
            reasoning_tokens=_counts,
            cumulative=st.booleans(),
            scope=st.sampled_from(["step", "run"]),
            model=st.one_of(st.none(), st.just("gpt-x")),
            ts=ts,
        ),
        st.builds(StepStart, step_id=step_ids, name=st.sampled_from(["", "model"]), ts=ts),
        st.builds(StepEnd, step_id=step_ids, finish_reason=st.one_of(st.none(), st.just("stop"))),
        st.builds(Status, state=st.sampled_from(["", "searching"]), text=st.none() | texts, ts=ts),
        st.builds(ErrorEvent, message=texts, recoverable=st.booleans(), code=st.none(), ts=ts),
        st.builds(State, value=json_values, ts=ts),
        st.builds(Custom, name=st.just("x"), value=json_values, ts=ts),
        st.builds(  # a picture or a sound: real, forged, cut, or only a URL
            Media,
            media_id=st.sampled_from(["m1", "m2"]),
            mime=st.sampled_from(["image/png", "image/svg+xml", "audio/pcm", ""]),
            data=st.none() | st.sampled_from([_PNG, _PNG[:20], "PHN2Zz4=", "@@"]) | texts,
            url=st.none() | st.just("https://example.test/x.png"),
            partial=st.booleans(),
            ts=ts,
        ),
        st.builds(RunStart, run_id=st.sampled_from(["", "r1"]), model=st.none(), ts=ts),
        st.builds(
            RunEnd, reason=st.sampled_from([*END_REASONS, "bogus"]), message=st.none() | texts
        ),
    )


def event_sequences(
    *, final_text: bool = True, min_size: int = 0, max_size: int = 40
) -> st.SearchStrategy[list[Event]]:
    """Arbitrary (often broken) event sequences, as an adapter might produce them."""
    return st.lists(events(final_text=final_text), min_size=min_size, max_size=max_size)


_sse_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"),
    max_size=12,
) | st.sampled_from(["🎉", "héllo", "世界", "a🧑‍💻b", "é"])
_eol = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def _sse_lines(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["data", "event", "id", "retry", "comment", "blank", "other"]))
    value = draw(_sse_text)
    if kind == "comment":
        return ":" + value
    if kind == "blank":
        return ""
    if kind == "retry":
        value = draw(st.sampled_from([str(draw(st.integers(0, 99999))), value]))
    sep = draw(st.sampled_from([": ", ":", ":  "]))
    name = "foo" if kind == "other" else kind
    return name + sep + value


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    """A byte stream of SSE fields, comments and blank lines, any line ending, maybe a BOM."""
    lines = draw(st.lists(_sse_lines(), max_size=25))
    out = "\ufeff" if draw(st.booleans()) else ""
    for line in lines:
        out += line + draw(_eol)
    if draw(st.booleans()):
        out += draw(_eol)
    return out.encode()


_THINK_TAGS = ("<think", "</think", "<thinking", "</thinking")
_PLAIN = ["\n\n", "\n", " ", "", ": not a comment", "{}", "<b>", "</b>", "<", "</", "<th"]


def plain_text_streams(*, objects: bool = True) -> st.SearchStrategy[list[str]]:
    """Lists of answer pieces with no think tag in their text, often starting blank (``"\n\n"``,
    what a keep-alive looks like); ``objects=False`` leaves out pieces with a ``{`` (a piece
    that is a JSON object could be another format's event when the format is detected)."""
    piece = st.one_of(st.sampled_from([*_SPECIAL, *_PLAIN]), st.text(max_size=12))
    if not objects:
        piece = piece.filter(lambda p: "{" not in p)
    return st.lists(piece, max_size=12).filter(
        lambda items: not any(tag in "".join(items) for tag in _THINK_TAGS)
    )
