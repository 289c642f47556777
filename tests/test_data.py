"""nbagent.core.data against the real libraries: pandas, polars, numpy, matplotlib (Agg), PIL.

Tables keep names, dtypes, shape and the first and last rows; images are PNG/JPEG/WebP within
the caps (never SVG); ``_repr_html_`` goes through the nh3 table allow-list; nothing raises.
"""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import tracemalloc
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import polars as pl
import pytest
from PIL import Image

from nbagent.core.data import TABLE_MIME, clean_display, clean_table_html, image_size, to_display
from nbagent.core.data.images import sniff
from nbagent.core.data.limits import IMAGE_BYTES, IMAGE_SIDE, TABLE_HEAD_ROWS, TABLE_TAIL_ROWS

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def only(value: Any) -> tuple[dict[str, Any], str]:
    shown = to_display(value)
    assert shown is not None
    (bundle,) = shown.bundles
    return bundle["data"], shown.text


def encoded(img: Image.Image, fmt: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


# -- tables ---------------------------------------------------------------------------


def test_pandas_frame_head_tail_dtypes_shape_and_markdown() -> None:
    df = pd.DataFrame(
        {"city": [f"c{i}" for i in range(100)], "temp": np.arange(100) / 4, "n": range(100)}
    )
    data, text = only(df)
    t = data[TABLE_MIME]
    assert t["shape"] == [100, 3]
    assert t["columns"] == [
        {"name": "city", "dtype": str(df["city"].dtype)},
        {"name": "temp", "dtype": "float64"},
        {"name": "n", "dtype": "int64"},
    ]
    assert t["head"][0] == ["c0", "0", "0"]
    assert t["head"][1] == ["c1", "0.25", "1"]
    assert len(t["head"]) == TABLE_HEAD_ROWS
    assert len(t["tail"]) == TABLE_TAIL_ROWS
    assert t["tail"][-1] == ["c99", "24.75", "99"]
    assert t["omitted_rows"] == 100 - TABLE_HEAD_ROWS - TABLE_TAIL_ROWS
    assert t["index"] is None  # the default RangeIndex says nothing
    assert text == data["text/markdown"]
    lines = text.splitlines()
    assert lines[0] == "DataFrame: 100 rows x 3 columns (first 10 and last 5 rows shown)"
    assert lines[2:4] == ["| city | temp | n |", "|---|---|---|"]
    assert "| … | … | … |" in lines
    assert lines[-1] == "| c99 | 24.75 | 99 |"
    assert data["text/plain"] == repr(df)


def test_a_meaningful_index_a_series_and_cells_that_need_escaping() -> None:
    df = pd.DataFrame({"v": [1.5, float("nan")], "s": ["a|b", "x\ny"]}, index=["p", "q"])
    df.index.name = "key"
    data, text = only(df)
    t = data[TABLE_MIME]
    assert t["index"] == {"name": "key"}
    assert t["head_index"] == ["p", "q"]
    assert t["head"] == [["1.5", "a|b"], ["NaN", "x\ny"]]
    assert "| key | v | s |" in text
    assert "| p | 1.5 | a\\|b |" in text
    assert "| q | NaN | x y |" in text
    series = pd.Series(range(50), name="count")
    t = only(series)[0][TABLE_MIME]
    assert (t["kind"], t["shape"], t["columns"]) == (
        "Series",
        [50, 1],
        [{"name": "count", "dtype": "int64"}],
    )
    assert t["head"][:2] == [["0"], ["1"]]
    assert t["tail"][-1] == ["49"]


def test_ten_million_rows_are_never_copied() -> None:
    df = pd.DataFrame({"a": np.arange(10_000_000), "b": np.zeros(10_000_000)})
    # numpy reports its buffers to tracemalloc, so a copy of even one 80 MB column shows in
    # the peak whatever the machine's speed; measured ~50 KB without one
    tracemalloc.start()
    try:
        data, _ = only(df)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    t = data[TABLE_MIME]
    assert t["shape"] == [10_000_000, 2]
    assert t["omitted_rows"] == 10_000_000 - 15
    assert t["tail"][-1] == ["9999999", "0"]
    assert peak < 8_000_000, f"{peak} bytes allocated: the frame (160 MB) was copied"


def test_wide_frames_are_cut_and_counted() -> None:
    df = pd.DataFrame(np.zeros((3, 100)))
    t = only(df)[0][TABLE_MIME]
    assert len(t["columns"]) == 40
    assert t["omitted_columns"] == 60
    assert t["shape"] == [3, 100]
    assert all(len(row) == 40 for row in t["head"])


def test_polars_frame_and_series() -> None:
    df = pl.DataFrame({"x": list(range(30)), "y": [f"s{i}" for i in range(30)]})
    data, text = only(df)
    t = data[TABLE_MIME]
    assert t["kind"] == "polars.DataFrame"
    assert t["shape"] == [30, 2]
    assert t["columns"] == [{"name": "x", "dtype": "Int64"}, {"name": "y", "dtype": "String"}]
    assert t["head"][0] == ["0", "s0"]
    assert t["tail"][-1] == ["29", "s29"]
    assert t["omitted_rows"] == 15
    assert text.startswith("polars.DataFrame: 30 rows x 2 columns")
    s = only(pl.Series("v", [1.25, None]))[0][TABLE_MIME]
    assert s["head"] == [["1.25"], ["None"]]
    assert s["columns"] == [{"name": "v", "dtype": "Float64"}]


def test_numpy_arrays_shape_dtype_head_and_small_ones_as_tables() -> None:
    data, text = only(np.arange(12).reshape(3, 4))
    assert text.startswith("array of shape (3, 4), dtype int64\n[[ 0  1  2  3]")
    t = data[TABLE_MIME]
    assert t["head"][2] == ["8", "9", "10", "11"]
    assert t["head_index"] == ["0", "1", "2"]
    big = np.ones((1000, 3, 3))
    data, text = only(big)
    assert TABLE_MIME not in data
    assert "shape (1000, 3, 3), dtype float64" in text
    assert "..." in text
    assert len(text) < 2000


# -- images ---------------------------------------------------------------------------


def test_matplotlib_figure_is_a_png_of_its_size() -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 3, 2])
    data, text = only(fig)
    plt.close(fig)
    raw = base64.b64decode(data["image/png"])
    assert sniff(raw) == ("image/png", 640, 480)
    assert Image.open(io.BytesIO(raw)).size == (640, 480)
    assert text.startswith("<Figure size 640x480 with 1 Axes>: PNG image, 640x480")
    shown = to_display(fig)
    assert shown is not None
    assert shown.bundles[0]["metadata"] == {"image/png": {"width": 640, "height": 480}}


def test_pil_images_and_image_bytes_and_the_caps() -> None:
    img = Image.new("RGB", (40, 30), "teal")
    data, _ = only(img)
    assert sniff(base64.b64decode(data["image/png"])) == ("image/png", 40, 30)
    for fmt, mime in (("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("PNG", "image/png")):
        raw = encoded(img, fmt)
        data, text = only(raw)
        assert data[mime] == base64.b64encode(raw).decode(), fmt
        assert text == f"bytes: {fmt} image, 40x30, shown to the user"
    huge = Image.effect_noise((4000, 2500), 64).convert("RGB")
    data, text = only(huge)
    mime = next(m for m in ("image/png", "image/jpeg") if m in data)
    raw = base64.b64decode(data[mime])
    assert sniff(raw) == (mime, IMAGE_SIDE, 1000)
    assert len(raw) <= IMAGE_BYTES
    assert "downscaled from 4000x2500" in text


def test_oversized_bytes_without_pil_loaded_become_a_note() -> None:
    """In a process that never imported PIL, an image over the cap is described, not shown."""
    raw = encoded(Image.new("L", (3000, 10)), "PNG")
    code = (
        "import sys; from nbagent.core.data import to_display\n"
        f"d = to_display({raw!r})\n"
        "assert 'PIL' not in sys.modules and 'numpy' not in sys.modules\n"
        "print(d.text); print(list(d.bundles[0]['data']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "PNG image, 3000x10 (" in out
    assert "not shown" in out
    assert out.strip().endswith("['text/plain']")


def test_svg_and_fakes_are_never_images() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    assert to_display(svg) is None  # plain bytes: the caller's repr
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 30  # the signature, no IHDR
    assert to_display(fake_png) is None
    png = encoded(Image.new("RGB", (2, 2)), "PNG")
    b64 = base64.b64encode(png).decode()
    assert image_size("image/png", b64) == (2, 2)
    assert image_size("image/jpeg", b64) is None  # mislabelled
    assert image_size("image/png", base64.b64encode(svg).decode()) is None
    assert image_size("image/svg+xml", base64.b64encode(svg).decode()) is None
    assert image_size("image/png", b64 + '"onerror=x') is None


# -- _repr_*_ -------------------------------------------------------------------------


class Markdown:
    def _repr_markdown_(self) -> str:
        return "**bold** and a [link](https://example.org)"


class Png:
    def _repr_png_(self) -> bytes:
        return encoded(Image.new("RGB", (5, 4), "red"), "PNG")


class Jpeg:
    def _repr_jpeg_(self) -> tuple[str, dict[str, Any]]:  # base64 text and metadata, as IPython
        return base64.b64encode(encoded(Image.new("RGB", (6, 3)), "JPEG")).decode(), {}


class Html:
    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return "Html()"


class Broken:
    def _repr_markdown_(self) -> str:
        raise RuntimeError("no")

    def _repr_png_(self) -> bytes:
        return b"<svg/>"

    def _repr_svg_(self) -> str:
        return "<svg onload='alert(1)'/>"


class Everything:
    """Answers every attribute (a mock, a proxy): not taken for a data object."""

    def __getattr__(self, name: str) -> Any:
        return lambda: "**fake**"


def test_repr_methods() -> None:
    data, text = only(Markdown())
    assert data["text/markdown"] == text == "**bold** and a [link](https://example.org)"
    data, _ = only(Png())
    assert sniff(base64.b64decode(data["image/png"])) == ("image/png", 5, 4)
    data, _ = only(Jpeg())
    assert sniff(base64.b64decode(data["image/jpeg"])) == ("image/jpeg", 6, 3)
    assert to_display(Broken()) is None  # no markdown, an "image" that is SVG, no SVG ever
    assert to_display(Everything()) is None
    data, text = only(Html("<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"))
    assert data["text/html"] == (
        "<table><tbody><tr><th>a</th></tr><tr><td>1</td></tr></tbody></table>"
    )
    assert text == "Html()"
    assert to_display(Html("<div>no table</div>")) is None


HOSTILE_HTML = [
    "<table><tr><td><script>window.__pwned=1</script>a</td></tr></table>",
    '<table><tr><td><img src=x onerror="window.__pwned=1">b</td></tr></table>',
    '<table style="background:url(https://beacon.test/c)"><tr><td style="x" class="c">c</td>'
    "</tr></table><style>@import url(https://beacon.test/i.css);</style>",
    '<table><tr><td><button data-commandlinker-command="notebook:run-all-cells">Go</button>'
    "</td></tr></table>",
    '<table><tr><td><a href="javascript:window.__pwned=1">d</a><a href="JaVaScRiPt:x">e</a>'
    '<a href="/relative">f</a><a href="https://ok.test/p" onclick="x">g</a></td></tr></table>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
    '<table><tr><td colspan="2" rowspan="x" width="9" id="i">h</td></tr></table>'
    '<iframe src="https://beacon.test"></iframe><svg onload="x"></svg>',
]


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_hostile_repr_html_is_inert(html: str) -> None:
    cleaned = clean_table_html(html)
    if cleaned is None:  # nothing of a table survived: not shown as HTML at all
        assert "mglyph" in html
        return
    low = cleaned.lower()
    for bad in ("<script", "<img", "<style", "<button", "<iframe", "<svg", "<math", "onerror"):
        assert bad not in low, (bad, cleaned)
    for bad in ("style=", "data-", "javascript:", "onclick", 'href="/', "id=", "class=", "width="):
        assert bad not in low, (bad, cleaned)
    if "https://ok.test/p" in html:
        assert (
            '<a href="https://ok.test/p" target="_blank" rel="noopener noreferrer nofollow">'
            in (cleaned)
        )


def test_clean_display_checks_bundles_from_elsewhere() -> None:
    png = base64.b64encode(encoded(Image.new("RGB", (2, 2)), "PNG")).decode()
    svg = base64.b64encode(b"<svg onload='x'/>").decode()
    table = only(pd.DataFrame({"a": [1]}))[0][TABLE_MIME]
    given = [
        {"data": {"image/png": png, "text/plain": "ok"}, "metadata": {"image/png": {"width": 1e9}}},
        {"data": {"image/png": svg, "image/svg+xml": svg, "text/plain": "svg"}},
        {"data": {"text/html": HOSTILE_HTML[1], TABLE_MIME: {"columns": "x"}}},
        {"data": {TABLE_MIME: table}},
        "junk",
        {"data": None},
    ]
    cleaned = clean_display(given)
    assert cleaned == [
        {
            "data": {"text/plain": "ok", "image/png": png},
            "metadata": {"image/png": {"width": 2, "height": 2}},
        },
        {"data": {"text/plain": "svg"}, "metadata": {}},
        {
            "data": {"text/html": "<table><tbody><tr><td>b</td></tr></tbody></table>"},
            "metadata": {},
        },
        {"data": {TABLE_MIME: table}, "metadata": {}},
    ]
    assert clean_display("x") is None
    assert clean_display([{"data": {}}]) is None


def test_plain_values_and_failures_are_not_data() -> None:
    for value in (None, "s", 1, 2.5, True, {"a": 1}, [1, 2], (), b"abc", object()):
        assert to_display(value) is None

    class BadFrame:  # named like pandas' but not pandas': read by module, so not taken
        __module__ = "pandas.core.frame"

        def __len__(self) -> int:
            raise RuntimeError("broken")

    BadFrame.__name__ = BadFrame.__qualname__ = "DataFrame"
    assert to_display(BadFrame()) is None  # the library's failure: the caller's repr


def test_several_objects_in_a_tuple() -> None:
    fig = plt.figure(figsize=(2, 1))
    shown = to_display((pd.DataFrame({"a": [1]}), fig))
    plt.close(fig)
    assert shown is not None
    assert len(shown.bundles) == 2
    assert TABLE_MIME in shown.bundles[0]["data"]
    assert "image/png" in shown.bundles[1]["data"]
    assert shown.text.startswith("DataFrame: 1 rows x 1 columns")
    assert "PNG image, 200x100" in shown.text
    assert to_display((pd.DataFrame(), 1)) is None  # not all data: the caller's JSON
