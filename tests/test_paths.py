"""This machine's paths are not said in what a view saves (``nbagent/core/paths.py``): a tool's
traceback, an MCP server's command in the inspector's head line."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

import nbagent
from nbagent.core.paths import private_paths, shown_command
from nbagent.tools import Tool
from nbagent.tools.calling import call_tool_sync

HOME = str(Path.home())


def test_a_module_reads_as_its_import_path() -> None:
    here = Path(nbagent.__file__).parent  # on sys.path's entry that imported nbagent
    said = private_paths(f'File "{here / "demo" / "__init__.py"}", line 3')
    assert said == 'File "nbagent/demo/__init__.py", line 3'


def test_the_working_directory_home_and_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", [])  # no module's directory in the way
    cwd = os.getcwd()
    sales = os.path.join("data", "sales.csv")
    assert private_paths(os.path.join(HOME, sales)) == os.path.join("~", sales)
    assert private_paths(f"open {HOME}") == "open ~"
    assert private_paths(f"{HOME}less/x") == f"{HOME}less/x"  # another directory
    if len(Path(cwd).parts) > 2:
        assert private_paths(f"{cwd}{os.sep}weather_server.py") == f".{os.sep}weather_server.py"
    if sys.prefix != sys.base_prefix:
        assert private_paths(f"{sys.prefix}{os.sep}bin") == f"<venv>{os.sep}bin"
    assert private_paths("/tmp/ipykernel_1/2.py") == "/tmp/ipykernel_1/2.py"  # nobody's
    assert private_paths("") == ""


def test_a_command_names_its_program() -> None:
    shown = shown_command([sys.executable, "-m", "server", f"{HOME}{os.sep}cfg.json"])
    assert shown == f"{Path(sys.executable).name} -m server ~{os.sep}cfg.json"
    assert sys.executable not in shown
    assert shown_command(["uvx", "mcp-server-time"]) == "uvx mcp-server-time"


def fails(path: str) -> None:
    """Open a file that is not there."""
    raise FileNotFoundError(f"no {path}")


def test_a_tools_traceback_holds_no_path_of_this_machine() -> None:
    outcome = call_tool_sync(Tool.from_function(fails), {"path": "x"})
    assert outcome.traceback is not None
    assert "fails" in outcome.traceback
    # as imported: from the checkout (tests/...) or from its own folder on pytest's sys.path
    assert re.search(r'File "(tests/)?test_paths\.py", line \d+, in fails', outcome.traceback)
    for path in (HOME + os.sep, sys.prefix + os.sep, str(Path(__file__).parents[1]) + os.sep):
        assert path not in outcome.traceback
