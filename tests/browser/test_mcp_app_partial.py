"""An MCP app is sent its call's arguments as they stream, in Chromium, with the built bundle
and chunks (the bare page) and the test server's real app (ext-apps' own ``App``, its
``ontoolinputpartial``): each prefix read as the object it stands for so far
(``ui/notifications/tool-input-partial``, the app extras chunk), then the whole input once the
arguments are done (``ui/notifications/tool-input``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.test_bundle_page import Kernel, tool_block
from tests.mcp_servers.apps import APP_HTML

pytestmark = pytest.mark.browser


def test_an_app_is_sent_its_calls_arguments_as_they_stream(bare_page_factory: Any) -> None:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    app = {"uri": "ui://chart/app.html", "key": "apps:ui://chart/app.html"}
    entry = {"html": APP_HTML.read_text(encoding="utf-8"), "prefers_border": True}
    k.ops({"op": "run", "set": {"apps": {app["key"]: entry}}})
    k.ops({"op": "add", "block": tool_block("chart", meta={"app": app})})
    bare.eval("(m) => nba.stream(m)", k.msgs)
    # The call streams its arguments: its panel is open, its app's frame made at once.
    frame = bare.page.frame_locator("iframe.nba-app-frame")
    frame.locator("#state", has_text="connected").wait_for()

    def text(value: Any) -> str:  # as the app shows it (JSON.stringify)
        return json.dumps(value, separators=(",", ":"))

    def shown(what: str) -> Any:
        return json.loads(frame.locator(what).inner_text() or "null")

    sent = len(k.msgs)
    for piece, so_far in (
        ('{"values": [3', {"values": [3]}),
        (", 4", {"values": [3, 4]}),
        ('], "title": "Sa', {"values": [3, 4], "title": "Sa"}),
    ):
        k.ops({"op": "append", "i": 0, "key": "arguments", "text": piece})
        bare.eval("(m) => nba.stream(m)", k.msgs[sent:])
        sent = len(k.msgs)
        frame.locator("#partial", has_text=text(so_far)).wait_for()
        assert shown("#input") is None  # not whole yet
    whole = {"values": [3, 4], "title": "Sales"}
    k.ops({"op": "set", "i": 0, "set": {"args": whole, "state": "running"}})
    bare.eval("(m) => nba.stream(m)", k.msgs[sent:])
    frame.locator("#input", has_text=text(whole)).wait_for()
    assert shown("#partial") == {"values": [3, 4], "title": "Sa"}
    assert bare.errors == []
