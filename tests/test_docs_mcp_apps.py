"""The MCP Apps guide (docs/guides/mcp-apps.md) says what the code does, by name: each limit of
its Limits table is a constant defined in the file it names, the Content-Security-Policy it
quotes is the one the page puts in an app's document (js/src/panels/app_host.js ``CSP``), and
the flood it says a hostile app sent is the test server's (tests/mcp_servers/apps.py ``FLOOD``).
A constant renamed or moved, or a policy changed, fails here until the guide says so. The peers
table (docs/guides/peers.md) has its "MCP Apps in the cell" row, a cell for every tool."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guides" / "mcp-apps.md"
PEERS = ROOT / "docs" / "guides" / "peers.md"


def limits() -> list[tuple[str, str]]:
    """The Limits table's rows: (name, file)."""
    section = GUIDE.read_text(encoding="utf-8").split("\n## Limits\n", 1)[1]
    return re.findall(r"^\| `(\w+)` \| `([\w/.]+)` \|", section, re.MULTILINE)


def test_every_limit_the_guide_names_is_defined_in_the_file_it_names() -> None:
    rows = limits()
    assert len(rows) >= 7, rows
    for name, path in rows:
        source = (ROOT / path).read_text(encoding="utf-8")
        defined = rf"^{name}\b[^=\n]*=" if path.endswith(".py") else rf"^(?:export )?const {name}\b"
        assert re.search(defined, source, re.MULTILINE), f"{name} is not defined in {path}"


def test_the_guide_quotes_the_policy_the_page_puts_in_an_app() -> None:
    host = (ROOT / "js" / "src" / "panels" / "app_host.js").read_text(encoding="utf-8")
    (csp,) = re.findall(r'export const CSP =\s*"([^"]+)"', host)
    assert f"`{csp}`" in GUIDE.read_text(encoding="utf-8")


def test_the_flood_the_guide_describes_is_the_hostile_apps() -> None:
    pytest.importorskip("mcp.server.apps", reason="needs the mcp SDK (pip install -e '.[dev]')")
    from tests.mcp_servers.apps import FLOOD

    assert f"{FLOOD:,} pings" in GUIDE.read_text(encoding="utf-8")


def test_the_peers_table_has_an_mcp_apps_row_with_a_cell_for_every_tool() -> None:
    rows = [line for line in PEERS.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header, *body = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert header[1] == "nbagent"
    assert {"MCP Inspector", "Jupyter AI v3", "marimo chat"} <= set(header)
    assert [len(row) for row in body] == [len(header)] * len(body)
    (apps,) = [row for row in body if row[0] == "**MCP Apps in the cell**"]
    assert apps[1].startswith("yes")
    assert apps[header.index("MCP Inspector")].startswith("renders them")
