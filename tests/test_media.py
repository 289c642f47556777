"""Pictures and sounds a model made (``Media`` events): the ``media`` block they fold into
(what the page is given to draw, and in words what it is not), a partial image replaced in
place, the bound a saved run keeps, the exports, an older state read unchanged, and the
controller sending a replaced part once per flush."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import nbagent
from nbagent.core.data.limits import MEDIA_RUN_SAVED_BYTES, MEDIA_SAVED_BYTES, MEDIA_SHOWN_BYTES
from nbagent.core.data.media import join_base64, mend_wav, pcm_params, pcm_wav
from nbagent.core.events import Media, RunEnd, RunStart, TextDelta, event_from_json
from nbagent.runtime.controller import Coalescer
from nbagent.transcript.media import saved_state, size_words
from nbagent.transcript.transcript import Transcript
from nbagent.widget.output import OutputRun, mimebundle
from nbagent.widget.wire import decode_ops
from tests.invariants import check_ops
from tests.media_samples import GIF, JPEG, PNG, SVG, WEBP, b64, png_of, wav
from tests.recording import RecordingComm, browser_state, ops_messages, ours, snapshots, start
from tests.wait import PATIENCE

FIXTURES = Path(__file__).parent / "fixtures"


def media(**fields: object) -> dict[str, object]:
    """The media block of one ``Media`` event folded."""
    t = check_ops([RunStart(), Media(media_id="m1", **fields)])  # type: ignore[arg-type]
    (block,) = t.to_dict()["blocks"]
    return block


@pytest.mark.parametrize(
    ("data", "mime"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")],
)
def test_an_image_the_page_draws_keeps_its_data_and_size(data: bytes, mime: str) -> None:
    block = media(mime="image/png", data=b64(data))  # the bytes say what they are
    assert block == {
        "type": "media", "id": "m1", "mime": mime, "data": b64(data), "bytes": len(data),
        "line": "", "width": 4, "height": 3,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("mime", "data", "line"),
    [
        ("image/svg+xml", SVG, "image/svg+xml, 59 B, not shown: SVG may carry script"),
        ("image/png", SVG, "image/png, 59 B, not shown: not a kind the page shows"),
        ("image/png", wav(), "image/png, 524 B, not shown: not a kind the page shows"),
        (
            "application/pdf",
            b"%PDF-1.7",
            "application/pdf, 8 B, not shown: not a kind the page shows",
        ),
    ],
)
def test_what_the_page_does_not_draw_is_a_line(mime: str, data: bytes, line: str) -> None:
    block = media(mime=mime, data=b64(data))
    assert (block["data"], block["line"], block["mime"]) == ("", line, mime)


def test_a_part_that_is_not_base64_or_only_a_url_is_a_line() -> None:
    assert media(mime="image/png", data="not base64!")["line"] == (
        "image/png, 8 B, not shown: its data is not base64"
    )
    block = media(mime="image/png", url="https://example.test/a.png")
    assert (block["data"], block["line"]) == ("", "image/png at https://example.test/a.png")


def test_a_part_over_what_the_cell_shows_is_a_line() -> None:
    block = media(mime="image/png", data=b64(png_of(MEDIA_SHOWN_BYTES + 1)))
    assert block["line"] == f"image/png, {size_words(MEDIA_SHOWN_BYTES + 1)}, not shown"


def test_base64_with_line_breaks_or_url_safe_is_read() -> None:
    wrapped = "\n".join(b64(PNG)[i : i + 76] for i in range(0, len(b64(PNG)), 76))
    assert media(mime="image/png", data=wrapped)["data"] == b64(PNG)
    urlsafe = base64.urlsafe_b64encode(PNG).decode().rstrip("=")
    assert media(mime="image/png", data=urlsafe)["data"] == b64(PNG)


def test_raw_pcm_plays_as_a_wav_and_a_streamed_wav_gets_its_sizes() -> None:
    pcm = b"\x01\x00" * 480
    block = media(mime="audio/L16;codec=pcm;rate=16000", data=b64(pcm))
    assert block["mime"] == "audio/wav"
    assert base64.b64decode(block["data"]) == pcm_wav(pcm, 16_000)
    streamed = wav()[:40] + b"\0\0\0\0" + b"\0\0" * 10  # its data size said as 0
    fixed = base64.b64decode(media(mime="audio/wav", data=b64(streamed))["data"])
    assert fixed == mend_wav(streamed)
    assert fixed[40:44] == (20).to_bytes(4, "little")
    assert pcm_params("audio/pcm") == (24_000, 1)


def test_base64_pieces_join_encoded_alone_or_cut_anywhere() -> None:
    data = bytes(range(200))
    whole = b64(data)
    assert join_base64([whole[:7], whole[7:50], whole[50:]]) == data
    assert join_base64([b64(data[:100]), b64(data[100:])]) == data
    assert join_base64(["@@@@"]) is None


def test_a_partial_image_is_replaced_in_place() -> None:
    t = check_ops(
        [
            RunStart(),
            TextDelta(message_id="t", delta="Drawing:"),
            Media(media_id="ig", mime="image/png", data=b64(PNG), partial=True),
            Media(media_id="ig", mime="image/png", data=b64(GIF), partial=True),
            Media(media_id="ig", mime="image/webp", data=b64(WEBP), alt="a cat on a mat"),
            RunEnd(),
        ]
    )
    blocks = t.to_dict()["blocks"]
    assert [b["type"] for b in blocks] == ["text", "media"]
    assert blocks[1] | {"data": "…"} == {
        "type": "media", "id": "ig", "mime": "image/webp", "data": "…", "bytes": len(WEBP),
        "line": "", "width": 4, "height": 3, "alt": "a cat on a mat", "partial": False,
    }  # fmt: skip
    assert t.text == "Drawing:"  # the answer's text has no picture in it


def test_the_saved_run_keeps_parts_within_the_bounds() -> None:
    """As the run ends, the parts over the bound are marked (their data stays for the page);
    what a notebook saves (``saved_state``) has their line only."""
    big, ok = png_of(MEDIA_SAVED_BYTES + 1), png_of(MEDIA_SAVED_BYTES)
    t = Transcript()
    t.apply(RunStart())
    t.apply(Media(media_id="a", mime="image/png", data=b64(big)))
    for i in "bcd":
        t.apply(Media(media_id=i, mime="image/png", data=b64(ok)))
    end = t.apply(RunEnd())
    assert MEDIA_RUN_SAVED_BYTES // MEDIA_SAVED_BYTES == 2
    blocks = t.to_dict()["blocks"]
    assert [b["line"] for b in blocks] == [
        "image/png, 2.0 MB, not saved", "", "", "image/png, 2.0 MB, not saved",
    ]  # fmt: skip
    assert [b.get("saved", True) for b in blocks] == [False, True, True, False]
    assert all(b["data"] for b in blocks)  # the page goes on showing them
    sets = [op for op in end if op["op"] == "set"]
    assert sets == [
        {"op": "set", "i": i, "set": {"saved": False, "line": "image/png, 2.0 MB, not saved"}}
        for i in (0, 3)
    ]  # one small op each, no data
    saved = saved_state(t.to_dict())["blocks"]
    assert [bool(b["data"]) for b in saved] == [False, True, True, False]
    assert saved_state(saved_state(t.to_dict())) == saved_state(t.to_dict())
    plain = check_ops([RunStart(), Media(media_id="m", mime="image/png", data=b64(PNG))])
    state = plain.to_dict()
    assert saved_state(state) is state  # nothing over the bound: the state as it is
    assert "not saved" in t.to_html()
    assert t.to_html().count("<img") == 2


def test_an_older_state_reads_unchanged_and_a_saved_media_block_round_trips() -> None:
    t = check_ops([RunStart(), Media(media_id="m", mime="image/png", data=b64(PNG), partial=True)])
    state = json.loads(json.dumps(t.to_dict()))
    again = Transcript.from_dict(state)
    assert again.to_dict() == state
    again.apply(Media(media_id="m", mime="image/png", data=b64(JPEG)))
    assert again.to_dict()["blocks"][0]["partial"] is False
    older = {k: v for k, v in state.items() if k != "blocks"} | {"blocks": []}
    assert Transcript.from_dict(older).to_dict() == older


def test_a_recording_keeps_the_event() -> None:
    ev = Media(media_id="m", mime="image/png", data=b64(PNG), alt="x", partial=True)
    assert event_from_json(ev.to_json()) == ev


def test_exports_show_the_part_or_its_line() -> None:
    t = check_ops(
        [
            RunStart(),
            Media(media_id="i", mime="image/png", data=b64(PNG), alt="a [red] square"),
            Media(media_id="a", mime="audio/wav", data=b64(wav())),
            Media(media_id="s", mime="image/svg+xml", data=b64(SVG)),
            RunEnd(),
        ]
    )
    html = t.to_html()
    assert f'<img class="nba-media-image" src="data:image/png;base64,{b64(PNG)}"' in html
    assert 'width="4" height="3" alt="a [red] square"' in html
    assert f'src="data:audio/wav;base64,{b64(wav())}"></audio>' in html
    assert "image/svg+xml, 59 B, not shown: SVG may carry script" in html
    assert "<svg" not in html
    assert "onload" not in html
    md = t.to_markdown()
    assert f"![a (red) square](data:image/png;base64,{b64(PNG)})" in md
    assert f'<audio controls src="data:audio/wav;base64,{b64(wav())}"></audio>' in md
    assert "*image/svg+xml, 59 B, not shown: SVG may carry script*" in md
    assert nbagent.Transcript.from_dict(t.to_dict()).to_text().splitlines()[:3] == [
        f"[image] image/png, 4x3, {len(PNG)} B: a [red] square",
        f"[audio] audio/wav, {len(wav())} B",
        "[image] image/svg+xml, 59 B, not shown: SVG may carry script",
    ]


def test_an_export_checks_a_saved_part_again() -> None:
    """A state from anywhere: data that is not what its type says is its line, never an img."""
    state = media(mime="image/png", data=b64(PNG))
    forged = state | {"data": b64(SVG)}
    t = Transcript.from_dict({"version": 1, "status": "completed", "blocks": [forged]})
    assert "<img" not in t.to_html()
    assert "data:" not in t.to_markdown()


def test_a_replaced_part_goes_out_once_per_flush() -> None:
    """Partial images between two flushes: the last one only, however much text came between."""
    c = Coalescer()
    c.add([{"op": "set", "i": 1, "set": {"data": "A", "partial": True}}])
    c.add([{"op": "append", "i": 0, "key": "text", "text": "x"}])
    c.add([{"op": "set", "i": 1, "set": {"data": "B"}}])
    c.add([{"op": "append", "i": 0, "key": "text", "text": "y"}])
    c.add([{"op": "set", "i": 1, "set": {"data": "C", "partial": False}}])
    assert c.take() == [
        {"op": "set", "i": 1, "set": {"data": "C", "partial": False}},
        {"op": "append", "i": 0, "key": "text", "text": "xy"},
    ]


def test_a_saved_run_replays_its_pictures_and_sounds(tmp_path: Path) -> None:
    """``run.save`` keeps each part as it came (a recording holds the whole image, partial
    ones too); ``nbagent.replay`` draws them again, through the same pipeline."""
    wire = (FIXTURES / "openai-responses" / "image_generation.jsonl").read_text().splitlines()
    run = nbagent.show([json.loads(line) for line in wire])
    original = run.wait(PATIENCE)
    saved = run.save(tmp_path / "run.jsonl")
    kept = [e for e in nbagent.load(saved) if isinstance(e, Media)]
    assert [m.partial for m in kept] == [True, False]
    again = nbagent.replay(saved, speed=0).wait(PATIENCE)
    shown = [[b for b in t.to_dict()["blocks"] if b["type"] == "media"] for t in (original, again)]
    assert shown[0] == shown[1]
    assert shown[0][0]["data"] == kept[-1].data
    assert f'src="data:image/webp;base64,{kept[-1].data}"' in again.to_html()


def test_the_widget_sends_each_part_once_and_saves_within_the_bound(
    comms: list[RecordingComm],
) -> None:
    """Live: each part goes to the page at most once (partial images replaced in the batch),
    the page's state is the transcript's; saved: the widget's state and its static copy keep
    the parts within the bound, the others a line."""
    big = [png_of(MEDIA_SAVED_BYTES + n) for n in (1, 2, 3)]
    events = [
        RunStart(model="gpt-image"),
        *(Media(media_id="ig", mime="image/png", data=b64(p), partial=True) for p in big[:2]),
        Media(media_id="ig", mime="image/png", data=b64(big[2])),
        Media(media_id="a", mime="audio/wav", data=b64(wav())),
        RunEnd(),
    ]
    run = start(iter(events))
    run.wait(PATIENCE)
    c = ours(comms)
    sent = [
        (op.get("set") or op.get("block") or {}).get("data", "")
        for m in ops_messages(c)
        for op in decode_ops(m)
    ]
    parts = [d for d in sent if d]
    assert len(parts) <= 4
    assert parts[-2:] == [b64(big[2]), b64(wav())]
    assert len(set(parts)) == len(parts)  # none twice
    final = snapshots(c)[-1]["state"]
    live = run.transcript.to_dict()
    assert browser_state(c) == live  # the page has every part it was sent
    assert final == saved_state(live)  # the notebook saves the bounded state
    image, sound = final["blocks"]
    assert (image["data"], image["line"], image["saved"]) == (
        "",
        "image/png, 2.0 MB, not saved",
        False,
    )
    assert live["blocks"][0]["data"] == b64(big[2])
    assert sound["data"] == b64(wav())
    html = mimebundle([OutputRun(final)])["text/html"]
    assert "image/png, 2.0 MB, not saved" in html
    assert f'src="data:audio/wav;base64,{b64(wav())}"' in html
