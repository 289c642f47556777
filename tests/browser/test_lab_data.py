"""Tool results as data in real Chromium.

In the bare page (the built bundle, a fake model): a tool's table and image bundles are drawn,
and hostile bundles (``_repr_html_`` with script, ``img onerror``, style beacons,
``data-commandlinker-command``, javascript: links; SVG bytes called PNG; a PNG whose magic
number is wrong) stay inert (``bare/check.js``, whose ``img`` rule admits only nbagent's own
data images).

In JupyterLab: an ``nbagent.Agent`` (the real ``openai`` client, a local server) whose tools
return a pandas DataFrame and a matplotlib Figure: the table (cells, dtypes, shape, the
omitted rows), the figure decoded at its size, the TSV copy button on the clipboard; then the
notebook saved and reopened without its kernel, showing the same from the saved transcript.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image

from nbagent.core.data import TABLE_MIME
from tests.browser.lab import LabPage
from tests.browser.test_bundle_page import Kernel, assert_clean, tool_block
from tests.browser.test_reopen import (
    SAVED_SEL,
    reopen_without_kernel,
    saved_notebook,
    wait_output_final,
)
from tests.servers import OpenAIServer, chunk, text_chunks

pytestmark = pytest.mark.browser


def png(width: int, height: int) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "purple").save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


TABLE = {
    "kind": "DataFrame",
    "shape": [100, 2],
    "columns": [{"name": "city", "dtype": "object"}, {"name": "temp", "dtype": "float64"}],
    "index": None,
    "head": [["Paris", "21.5"]],
    "tail": [["Oslo", "9"]],
    "omitted_rows": 98,
    "omitted_columns": 0,
}
SVG = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>')
PWN = 'onerror="window.__pwned=1"'
HOSTILE_HTML = [
    "<table><tr><td><script>window.__pwned=1</script>a</td></tr></table>",
    f"<table><tr><td><img src=x {PWN}>b</td></tr></table>",
    '<table style="background:url(https://beacon.test/c)"><tr><td>c</td></tr></table>'
    "<style>@import url(https://beacon.test/i.css);</style>",
    '<table><tr><td><button data-commandlinker-command="notebook:run-all-cells">Continue'
    "</button></td></tr></table>",
    '<table><tr><td><a href="javascript:window.__pwned=1">d</a></td></tr></table>',
]
HOSTILE_DISPLAYS: list[list[dict[str, Any]]] = [
    *([{"data": {"text/html": html}}] for html in HOSTILE_HTML),
    [{"data": {"image/png": SVG.decode(), "image/svg+xml": SVG.decode(), "text/plain": "svg"}}],
    [{"data": {"image/png": "AAAA" + png(3, 2)[4:], "text/plain": "bad magic"}}],
    [{"data": {"text/markdown": f"![x](https://beacon.test/p.png) <img src=x {PWN}>"}}],
    [{"data": {TABLE_MIME: {**TABLE, "head": [[f"<img src=x {PWN}>", "x"]]}}}],
]


def data_scenario(display: list[dict[str, Any]]) -> Kernel:
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": tool_block(arguments="{}", args={}, state="running")})
    done = {"state": "done", "result": "text form", "display": display}
    k.ops({"op": "set", "i": 0, "set": done})
    k.end()
    return k


def test_bare_page_draws_tables_and_images(bare_page_factory: Any) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    display = [
        {"data": {TABLE_MIME: TABLE, "text/plain": "df"}},
        {
            "data": {"image/png": png(30, 20)},
            "metadata": {"image/png": {"width": 30, "height": 20}},
        },
    ]
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", data_scenario(display).msgs))
    bare.page.locator(".nba-tool .nba-summary").click()
    got = bare.eval(
        """() => ({
          cols: [...document.querySelectorAll('.nba-data-col')].map((e) => e.textContent),
          rows: [...document.querySelectorAll('.nba-data-table tbody tr')].map((r) => r.innerText),
          caption: document.querySelector('.nba-data-caption').textContent,
          pre: document.querySelector('.nba-result').hidden,
        })"""
    )
    assert got["cols"] == ["city", "temp"]
    assert got["rows"] == ["Paris\t21.5", "… 98 rows …", "Oslo\t9"]
    assert got["caption"] == "DataFrame · 100 rows \u00d7 2 columns"
    assert got["pre"] is True  # the text form gives way to the data
    bare.page.wait_for_function(
        "() => document.querySelector('img.nba-data-image')?.complete === true"
    )
    assert bare.eval("document.querySelector('img.nba-data-image').naturalWidth") == 30


@pytest.mark.parametrize("n", range(len(HOSTILE_DISPLAYS)))
def test_bare_page_hostile_bundles_stay_inert(bare_page_factory: Any, n: int) -> None:
    bare = bare_page_factory(manual=True)
    bare.eval("nba.mount()")
    failure = bare.eval("(m) => nba.stream(m)", data_scenario(HOSTILE_DISPLAYS[n]).msgs)
    assert_clean(bare, failure)
    bare.page.locator(".nba-tool .nba-summary").click()
    assert_clean(bare, None)  # also after the panel opened
    # nbagent's own icons are svg (check.js holds them to nbagent's shapes); nothing else is.
    leaked = "document.querySelectorAll('#app :is(img, svg:not(.nba-icon), script, style)')"
    assert bare.eval(f"{leaked}.length") == 0


# -- JupyterLab ---------------------------------------------------------------------------

AGENT = '''\
import nbagent, openai, pandas as pd
from matplotlib.figure import Figure

def sales(region: str) -> pd.DataFrame:
    """Units sold per month."""
    months = pd.date_range("2024-01-01", periods=40, freq="MS").strftime("%Y-%m")
    share = [i / 40 for i in range(40)]
    return pd.DataFrame({{"month": months, "units": range(100, 140), "share": share}})

def chart(title: str) -> Figure:
    """A line chart."""
    fig = Figure(figsize=(4, 3))
    fig.subplots().plot([1, 4, 2, 5])
    return fig

client = openai.AsyncOpenAI(base_url={url!r}, api_key="test", max_retries=0)
agent = nbagent.Agent("m", tools=[sales, chart], client=client)
run = agent.run("Sales?", title="Data")
'''


def calls_step() -> list[Any]:
    calls = [
        {"index": 0, "id": "c1", "type": "function",
         "function": {"name": "sales", "arguments": '{"region": "north"}'}},
        {"index": 1, "id": "c2", "type": "function",
         "function": {"name": "chart", "arguments": '{"title": "t"}'}},
    ]  # fmt: skip
    return [
        chunk(None, role="assistant"),
        chunk(tool_calls=calls),
        chunk(finish_reason="tool_calls"),
    ]


SHOWN_JS = """(root) => {
  const w = document.querySelector(root);
  const img = w.querySelector('img.nba-data-image');
  return {
    cols: [...w.querySelectorAll('.nba-data-col')].map((e) => e.textContent),
    dtypes: [...w.querySelectorAll('.nba-data-dtype')].map((e) => e.textContent),
    caption: w.querySelector('.nba-data-caption')?.textContent,
    first: w.querySelector('.nba-data-table tbody tr')?.innerText,
    gap: w.querySelector('.nba-data-gap')?.innerText,
    image: img && {complete: img.complete, w: img.naturalWidth, h: img.naturalHeight},
  };
}"""


def check_shown(lab: LabPage, root: str) -> None:
    lab.js(  # open the finished tool panels
        "(root) => document.querySelectorAll(root + ' .nba-tool:not([open]) > .nba-summary')"
        ".forEach((s) => s.click())",
        root,
    )
    lab.page.wait_for_function(
        "(root) => document.querySelector(root + ' img.nba-data-image')?.naturalWidth > 0",
        arg=root,
    )
    shown = lab.js(SHOWN_JS, root)
    assert shown["cols"] == ["month", "units", "share"]
    assert shown["dtypes"][1:] == ["int64", "float64"]
    assert shown["caption"] == "DataFrame · 40 rows \u00d7 3 columns"
    assert shown["first"] == "2024-01\t100\t0"
    assert shown["gap"] == "… 25 rows …"
    assert shown["image"] == {"complete": True, "w": 400, "h": 300}
    roots = lab.js(
        "(sel) => [...document.querySelectorAll(sel)].map((r) => __nbaViolations(r))", root
    )
    assert roots == [[]], roots


def test_agent_dataframe_and_figure_live_and_reopened(lab: LabPage) -> None:
    lab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.server.url)
    with OpenAIServer(scripts=[calls_step(), text_chunks(["Done."])]) as srv:
        lab.open("agent_data.ipynb", [AGENT.format(url=srv.base_url)])
        lab.wait_status("completed")
    tool_text = next(m["content"] for m in srv.requests[1]["messages"] if m["role"] == "tool")
    assert tool_text.startswith("DataFrame: 40 rows x 3 columns")
    check_shown(lab, ".nbagent")

    table = lab.widget().locator(".nba-data-table").first
    table.hover()
    table.locator("button.nba-copy-tsv").click()
    lab.page.wait_for_function("() => document.querySelector('.nba-copy-tsv.nba-copied')")
    copied = lab.js("() => navigator.clipboard.readText()")
    lines = copied.split("\n")
    assert lines[0] == "month\tunits\tshare"
    assert lines[1] == "2024-01\t100\t0"
    assert lines[-1] == "2027-04\t139\t0.975"
    assert len(lines) == 1 + 15  # the rows shown, not the "… 25 rows …" line

    wait_output_final(lab)
    lab.save()
    nb = saved_notebook(lab)
    payload = nb.cells[0].outputs[0]["data"]["application/vnd.nbagent.transcript+json"]
    blocks = payload["runs"][0]["state"]["blocks"]
    assert [TABLE_MIME in b["display"][0]["data"] for b in blocks if b["type"] == "tool"] == [
        True,
        False,
    ]
    html = nb.cells[0].outputs[0]["data"]["text/html"]
    assert "<td>2024-01</td><td>100</td><td>0</td>" in html
    assert '<img class="nba-data-image" src="data:image/png;base64,' in html

    reopen_without_kernel(lab)
    lab.page.wait_for_selector(SAVED_SEL)
    check_shown(lab, SAVED_SEL)
