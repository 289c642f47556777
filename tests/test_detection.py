"""format="auto": the first item of every recorded stream is recognised as its own format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nbagent.adapters import ADAPTERS, UnknownFormatError, detect_format
from nbagent.adapters.base import ServerSentEvent

FIXTURES = Path(__file__).parent / "fixtures"
# Fixture folders whose lines are the wire payloads themselves (one JSON item a line).
PLAIN = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir() and d.name in ADAPTERS)


def first_items(fmt: str) -> list[tuple[str, str]]:
    items = []
    for path in sorted((FIXTURES / fmt).glob("*.jsonl")):
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        if lines:
            items.append((path.stem, lines[0]))
    return items


CASES = [(fmt, name, line) for fmt in PLAIN for name, line in first_items(fmt)]


@pytest.mark.parametrize(("fmt", "name", "line"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_first_item_is_detected_as_its_format(fmt: str, name: str, line: str) -> None:
    payload = json.loads(line)
    if isinstance(payload, dict) and set(payload) == {"sse_event", "data"}:
        # A line of an SSE stream whose event name says what the data is (Assistants):
        # the item nbagent.sse() yields for it is detected.
        data = payload["data"] if isinstance(payload["data"], str) else json.dumps(payload["data"])
        assert detect_format(ServerSentEvent(data=data, event=payload["sse_event"])) == fmt
        return
    assert detect_format(payload) == fmt
    if not isinstance(payload, str):  # raw text lines (Vercel's v4 data stream) are not SSE
        assert detect_format(ServerSentEvent(data=line)) == fmt


def test_every_registered_format_has_a_detector() -> None:
    assert set(ADAPTERS) >= {"events", "text", "openai-chat", "anthropic", "ag-ui"}


def test_an_unknown_item_names_the_known_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        detect_format({"no": "format"})
    for name in ADAPTERS:
        assert name in str(info.value)
