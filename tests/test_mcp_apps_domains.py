"""The domains an MCP app may reach (no kernel, no page): an app's ``_meta.ui.csp`` asks for
some; the page allows them in its frame's CSP only when the notebook's author says so for its
server (``nbagent.mcp(..., app_domains=True)``, or a list of origins), each checked (an https
origin or all the subdomains of one; a bare ``*``, a CSP keyword, a path: dropped, said in the
app panel's line), named in the frame's CSP, which the kernel writes (``csp_policy``) and the
page takes only in that shape (js/test/mcp_app.test.js)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import nbagent
from nbagent.apps.inspector import McpInspector
from nbagent.mcp_client._app_domains import allowed_domains, check_domains, csp_policy
from nbagent.mcp_client._apps import APP_MIME, app_key, read_app
from tests.mcp_servers import ROOT
from tests.mcp_servers.apps import APP_HTML, APP_URI
from tests.wait import PATIENCE

ASKED = {
    "connectDomains": ["https://api.example.com", "wss://live.example.com", "*"],
    "resourceDomains": ["https://*.cdn.example.com/", "'unsafe-eval'", "http://plain.example"],
    "frameDomains": ["https://maps.example.com", "https://x.com; script-src *"],
    "baseUriDomains": ["wss://live.example.com", "https://API.example.com"],
}


def test_by_default_none_is_allowed_and_the_panel_says_how_to() -> None:
    assert allowed_domains(ASKED, False) == (
        {},
        "the app asks for 10 domains; none allowed "
        "(nbagent.mcp(..., app_domains=True) allows them)",
    )
    assert allowed_domains({"connectDomains": ["https://a.com"]}, False)[1].startswith(
        "the app asks for 1 domain; none"
    )
    assert allowed_domains({}, True) == ({}, "")


def test_true_allows_the_apps_own_domains_each_checked() -> None:
    allowed, line = allowed_domains(ASKED, True)
    assert allowed == {
        "connectDomains": ["https://api.example.com", "wss://live.example.com"],
        "resourceDomains": ["https://*.cdn.example.com"],
        "frameDomains": ["https://maps.example.com"],
        "baseUriDomains": ["https://api.example.com"],
    }
    assert line == (
        "the app may reach https://api.example.com, wss://live.example.com, "
        "https://*.cdn.example.com, https://maps.example.com; dropped: '*' (not an https "
        "origin), \"'unsafe-eval'\" (not an https origin), 'http://plain.example' (not an https "
        "origin), 'https://x.com; script-src *' (not an https origin), 'wss://live.example.com' "
        "(not an https origin)"
    )


def test_the_csp_names_each_lists_domains_where_the_spec_puts_them() -> None:
    base = (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
    )
    assert csp_policy({}) == base
    allowed, _ = allowed_domains(ASKED, True)
    assert csp_policy(allowed) == (
        "default-src 'none'; script-src 'unsafe-inline' https://*.cdn.example.com; "
        "style-src 'unsafe-inline' https://*.cdn.example.com; "
        "img-src data: https://*.cdn.example.com; "
        "connect-src https://api.example.com wss://live.example.com; "
        "font-src https://*.cdn.example.com; media-src https://*.cdn.example.com; "
        "frame-src https://maps.example.com; base-uri https://api.example.com"
    )
    assert "unsafe-eval" not in csp_policy(allowed)


def test_a_list_allows_those_of_the_apps_domains_in_it() -> None:
    allowed, line = allowed_domains(ASKED, ["https://API.example.com", "https://other.org"])
    assert allowed == {
        "connectDomains": ["https://api.example.com"],
        "baseUriDomains": ["https://api.example.com"],
    }
    assert line.startswith("the app may reach https://api.example.com; dropped: ")
    assert "wss://live.example.com (not in app_domains)" in line
    assert allowed_domains(ASKED, [])[1].startswith("the app may reach no domain; dropped: ")


def test_app_domains_is_checked_when_the_server_is_made() -> None:
    assert check_domains(True) is True
    assert check_domains(["https://A.com/", "https://*.b.org:8443"]) == (
        "https://a.com",
        "https://*.b.org:8443",
    )
    for bad in ["https://a.com", ["*"], ["'unsafe-eval'"], ["https://a.com/x"], [3]]:
        with pytest.raises(ValueError, match="app_domains"):
            check_domains(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="app_domains"):
        nbagent.mcp("python -c pass", app_domains=["*"])


def test_the_check_is_linear_on_long_hostile_text() -> None:
    page = {"uri": "ui://a", "mimeType": APP_MIME, "text": "<p>"}
    hostile = ["https://" + "a-" * 1000 + "!", "https://" + "a." * 1000, "https://*." * 200]
    csp = {"connectDomains": hostile}
    found = read_app("ui://a", [page | {"_meta": {"ui": {"csp": csp}}}], True)
    assert found.allowed == {}
    assert found.domains.count("(not an https origin)") == 3


def test_a_servers_app_domains_reach_the_runs_app(tmp_path: Path) -> None:
    if not APP_HTML.is_file():
        pytest.fail(f"{APP_HTML} is missing: `make tests/mcp_apps/dist/app.html`", pytrace=False)
    apps = [sys.executable, "-m", "tests.mcp_servers.apps"]
    policy = csp_policy({"connectDomains": ["https://api.example.com"]})
    for given, sent in [(False, None), (True, policy)]:
        with nbagent.mcp(apps, cwd=ROOT, timeout_s=30, app_domains=given) as server:
            run = McpInspector(server).call("chart", {"values": [1]}).wait(PATIENCE)
        shown = run.to_dict()["apps"][app_key("apps", APP_URI)]
        assert shown.get("policy") == sent
        assert shown["domains"] == (
            "the app may reach https://api.example.com"
            if given
            else "the app asks for 1 domain; none allowed "
            "(nbagent.mcp(..., app_domains=True) allows them)"
        )
