"""An MCP app's call saved: the static HTML copy (``to_html``, an output's ``text/html``) says
in one line which app (its ``ui://`` uri) and which tool, never the app's HTML; the page's saved
view (js/test/mcp_app_saved.test.js) runs it only in a trusted notebook."""

from __future__ import annotations

import json
import re

from nbagent.core.events import Custom, ToolCallEnd, ToolCallStart, ToolResult
from nbagent.mcp_client._apps import app_key
from nbagent.runtime.controller import Coalescer
from nbagent.transcript.transcript import Transcript, apply_op
from nbagent.widget.output import OutputRun, mimebundle

URI = "ui://chart/<b>app</b>.html"
HTML = "<!doctype html><script>globalThis.ran = 1</script><p>the app itself</p>"


def with_app() -> Transcript:
    t = Transcript()
    t.apply(ToolCallStart(tool_call_id="c", name="chart", meta={"app": {"uri": URI}}))
    t.apply(ToolCallEnd(tool_call_id="c", args={"values": [3, 4]}))
    t.apply(Custom(name="mcp_app", value={"uri": URI, "html": HTML}))
    result = {"uri": URI, "result": {"content": [], "isError": False}}
    t.apply(ToolResult(tool_call_id="c", content="2 values", meta={"app": result}))
    return t


def test_the_static_copy_names_the_app_and_its_tool_in_one_line_never_its_html() -> None:
    t = with_app()
    for copy in (t.to_html(), mimebundle([OutputRun(t)])["text/html"]):
        (line,) = re.findall(r'<div class="nba-app-line">(.*?)</div>', copy)
        assert line == (
            "MCP app <code>ui://chart/&lt;b&gt;app&lt;/b&gt;.html</code> of <code>chart</code>"
        )
        assert "the app itself" not in copy
        assert "globalThis.ran" not in copy


def test_a_call_without_an_app_has_no_app_line() -> None:
    t = Transcript()
    t.apply(ToolCallStart(tool_call_id="c", name="chart"))
    t.apply(ToolResult(tool_call_id="c", content="x"))
    assert "nba-app-line" not in t.to_html()


def test_the_same_uri_of_two_servers_is_two_apps_and_a_keyless_one_is_keyed_by_uri() -> None:
    """``apps`` is keyed by server and uri (``app_key``): two servers' ``ui://app`` do not
    collide; an ``mcp_app`` without a key (a run recorded before there was one) by its uri."""
    t = Transcript()
    for server in ("a", "b", "a"):
        key = app_key(server, "ui://app")
        t.apply(Custom(name="mcp_app", value={"uri": "ui://app", "key": key, "html": server}))
    t.apply(Custom(name="mcp_app", value={"uri": "ui://old", "html": "old"}))
    assert t.to_dict()["apps"] == {
        app_key("a", "ui://app"): {"html": "a"},
        app_key("b", "ui://app"): {"html": "b"},
        "ui://old": {"html": "old"},
    }
    assert app_key("a\nb", "c") != app_key("a", "b\nc")


def test_each_apps_html_is_sent_once_however_many_apps_a_run_shows() -> None:
    """A run set adds to the run's ``apps`` (``MERGED_RUN_FIELDS``): the k-th app's op carries
    its own HTML only, not the k - 1 before it again; applied one by one or coalesced into one
    batch (``Coalescer``), the ops give the run's whole map."""
    t = Transcript()
    ops: list[dict[str, object]] = []
    htmls = [f"<p>app {k}</p>" * 50 for k in range(5)]
    for k, html in enumerate(htmls):
        ops += t.apply(Custom(name="mcp_app", value={"uri": f"ui://a{k}", "html": html}))
    sent = json.dumps(ops)
    assert [sent.count(html) for html in htmls] == [1] * 5
    whole = {f"ui://a{k}": {"html": html} for k, html in enumerate(htmls)}
    assert t.to_dict()["apps"] == whole
    replayed = Transcript().to_dict()
    for op in ops:
        apply_op(replayed, op)
    assert replayed["apps"] == whole
    batch = Coalescer()
    batch.add(ops)
    (run_op,) = batch.take()
    coalesced = Transcript().to_dict()
    apply_op(coalesced, run_op)
    assert coalesced["apps"] == whole
