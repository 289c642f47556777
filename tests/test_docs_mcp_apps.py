"""The MCP Apps guide (docs/guides/mcp-apps.md) says what the code does, by name: each limit of
its Limits table is a constant defined in the file it names, the Content-Security-Policy it
quotes is the one the page puts in an app's document (js/src/panels/app_host.js ``CSP``), and
the flood it says a hostile app sent is the test server's (tests/mcp_servers/apps.py ``FLOOD``).
A constant renamed or moved, or a policy changed, fails here until the guide says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guides" / "mcp-apps.md"


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
