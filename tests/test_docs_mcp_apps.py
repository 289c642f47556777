"""The MCP Apps guide (docs/guides/mcp-apps.md) says what the code does, by name: each limit of
its Limits table is a constant defined in the file it names, the Content-Security-Policy it
quotes is the one the page puts in an app's document (js/src/panels/app_host.js ``CSP``), and
the flood it says a hostile app sent is the test server's (tests/mcp_servers/apps.py ``FLOOD``).
A constant renamed or moved, or a policy changed, fails here until the guide says so. The peers
tables (docs/guides/peers.md) have their "MCP Apps in the cell" row, a cell for every tool."""

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


def tables(text: str) -> list[list[list[str]]]:
    """Each markdown table of ``text``: its rows (the header first, the rule left out), cells
    stripped."""
    found: list[list[list[str]]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            row = [c.strip() for c in line.strip("|").split("|")]
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(row)
        previous = line
    return found


def test_the_peers_tables_have_an_mcp_apps_row_with_a_cell_for_every_tool() -> None:
    said: dict[str, str] = {}
    for header, *body in tables(PEERS.read_text(encoding="utf-8")):
        assert header[1] == "nbagent"
        assert [len(row) for row in body] == [len(header)] * len(body)
        (apps,) = [row for row in body if row[0] == "**MCP Apps in the cell**"]
        said |= dict(zip(header[1:], apps[1:], strict=True))
    tools = {"Panel", "Gradio", "marimo chat", "Jupyter AI", "MCP Inspector", "eval viewers"}
    assert set(said) == {"nbagent"} | tools
    assert said["nbagent"].startswith("yes")
    assert said["MCP Inspector"].startswith("renders them")
