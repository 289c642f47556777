"""An MCP tool's sound as a bundle the panel plays: a real WAV becomes one (its base64 under
its type, the result's line as ``text/plain``); a type off the allow-list, text or HTML
labelled audio, bad base64 and a sound over ``AUDIO_BYTES`` never do (the line says why when
it is too large); bundles from elsewhere are checked again, and the static HTML plays only
what passes."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from typing import Any

import pytest

from nbagent import McpResult
from nbagent.core.data import AUDIO_MIMES, BUNDLE_AUDIO_MIMES, audio_data_ok, clean_display
from nbagent.core.data.limits import AUDIO_BYTES
from nbagent.mcp_client._results import as_tool_result
from nbagent.transcript.export.static_data import tool_data_html
from tests.mcp_servers import silent_wav

WAV = silent_wav()
WAV_B64 = base64.b64encode(WAV).decode()
# The first bytes of each container nbagent plays (what a real file of that type starts with).
HEADS = {
    "audio/wav": WAV,
    "audio/x-wav": WAV,
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "audio/mp3": b"\xff\xfb\x90\x64\x00\x00\x00\x00",
    "audio/ogg": b"OggS\x00\x02\x00\x00\x00\x00",
    "audio/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
    "audio/flac": b"fLaC\x00\x00\x00\x22",
    "audio/aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
}


def audio(mime: str, data: bytes | str) -> dict[str, Any]:
    b64 = data if isinstance(data, str) else base64.b64encode(data).decode()
    return {"type": "audio", "data": b64, "mimeType": mime}


def test_a_real_wav_becomes_a_bundle_with_its_line() -> None:
    text, display, is_error = as_tool_result(McpResult([audio("audio/wav", WAV)]))
    line = f"[audio audio/wav, {len(WAV):,} bytes]"
    assert text == line
    assert display == [{"data": {"audio/wav": WAV_B64, "text/plain": line}, "metadata": {}}]
    assert not is_error
    assert clean_display(display) == display  # as the normalizer checks it on its way
    upper = as_tool_result(McpResult([audio("Audio/WAV", WAV)]))[1]
    assert upper is not None
    assert list(upper[0]["data"]) == ["audio/wav", "text/plain"]


@pytest.mark.parametrize("mime", sorted(HEADS))
def test_each_allowed_type_by_its_first_bytes(mime: str) -> None:
    _, display, _ = as_tool_result(McpResult([audio(mime, HEADS[mime])]))
    assert display is not None
    shown = AUDIO_MIMES[mime]
    assert shown in BUNDLE_AUDIO_MIMES
    assert list(display[0]["data"]) == [shown, "text/plain"]
    assert audio_data_ok(shown, display[0]["data"][shown])
    # An embedded resource's blob of that type plays too.
    blob = {"uri": "sounds://1", "blob": base64.b64encode(HEADS[mime]).decode(), "mimeType": mime}
    _, display, _ = as_tool_result(McpResult([{"type": "resource", "resource": blob}]))
    assert display is not None
    assert shown in display[0]["data"]


@pytest.mark.parametrize(
    ("mime", "data"),
    [
        ("audio/x-aiff", b"FORM\x00\x00\x00\x00AIFF"),  # a real container, not on the list
        ("audio/midi", b"MThd\x00\x00\x00\x06"),
        ("audio/wav", b"<script>alert(1)</script>"),  # text claiming to be audio
        ("audio/wav", b"<html><body onload=alert(1)>"),
        ("audio/mpeg", b"ID"),
        ("audio/ogg", WAV),  # a WAV labelled Ogg
        ("audio/wav", HEADS["audio/mpeg"]),
        ("audio/aac", HEADS["audio/mp3"]),  # an MP3 frame is no ADTS frame
        ("audio/mpeg", HEADS["audio/aac"]),
        ("audio/wav", b""),
        ('audio/wav"><script>alert(1)</script>', WAV),
        ("image/svg+xml", b"<svg onload=alert(1)>"),
    ],
)
def test_no_bundle_for_what_is_not_allowed_audio(mime: str, data: bytes) -> None:
    text, display, _ = as_tool_result(McpResult([audio(mime, data)]))
    assert display is None
    assert text == f"[audio {mime}, {len(data):,} bytes]"


def test_bad_base64_is_said_not_played() -> None:
    for b64 in ("UklGR<script>", "javascript:alert(1)", "https://beacon.test/a.wav"):
        text, display, _ = as_tool_result(McpResult([audio("audio/wav", b64)]))
        assert (text, display) == ("[audio audio/wav: not valid base64]", None)


def test_over_the_limit_the_line_says_it_is_too_large() -> None:
    big = WAV[:44] + bytes(AUDIO_BYTES)
    text, display, _ = as_tool_result(McpResult([audio("audio/wav", big)]))
    assert display is None
    assert text == (
        f"[audio audio/wav, {len(big):,} bytes] (over {AUDIO_BYTES:,} bytes: too large to play)"
    )
    at_limit = WAV[:44] + bytes(AUDIO_BYTES - 44)
    assert as_tool_result(McpResult([audio("audio/wav", at_limit)]))[1] is not None


def test_bundles_from_elsewhere_are_checked_again() -> None:
    def kept(data: dict[str, Any]) -> dict[str, Any] | None:
        out = clean_display([{"data": {**data, "text/plain": "t"}}])
        return out[0]["data"] if out else None

    assert kept({"audio/wav": WAV_B64}) == {"audio/wav": WAV_B64, "text/plain": "t"}
    text = base64.b64encode(b"<script>alert(1)</script>").decode()
    for data in (
        {"audio/wav": text},
        {"audio/x-wav": WAV_B64},  # bundles carry the canonical type only
        {"audio/ogg": WAV_B64},
        {"audio/wav": WAV_B64 + '"><script>alert(1)</script>'},
        {"audio/wav": WAV_B64.rstrip("=") + "\n"},
        {"audio/wav": "javascript:alert(1)"},
        {"audio/wav": 5},
        {"audio/wav": base64.b64encode(WAV[:44] + bytes(AUDIO_BYTES)).decode()},
    ):
        assert kept(data) == {"text/plain": "t"}, data


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_the_static_html_plays_what_passes_and_nothing_else() -> None:
    line = "[audio audio/wav, 1,644 bytes] <script>"
    page = tool_data_html([{"data": {"audio/wav": WAV_B64, "text/plain": line}}])
    elements = Elements()
    elements.feed(page)
    tags = [t for t, _ in elements.found]
    assert tags == ["div", "audio", "div"]
    player = elements.found[1][1]
    assert player == {
        "class": "nba-data-audio",
        "controls": None,
        "preload": "metadata",
        "src": f"data:audio/wav;base64,{WAV_B64}",
    }
    assert "&lt;script&gt;" in page

    hostile = base64.b64encode(b"<script>alert(1)</script>").decode()
    for data in ({"audio/wav": hostile}, {"audio/x-wav": WAV_B64}, {"audio/wav": "x\"'><b>"}):
        page = tool_data_html([{"data": {**data, "text/plain": "said"}}])
        assert page == "<pre><code>said</code></pre>", data
