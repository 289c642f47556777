"""``nbagent.mcp()`` against MCP servers nobody here wrote, from PyPI, each in a venv of its
own as users run them (``make test`` builds ``.venv-mcp/``, pinned in tests/mcp_servers/*.txt):
``mcp-server-time`` on the SDK 1.x, ``mcp-server-git`` on 2.x, over stdio."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import nbagent
from tests.mcp_servers import ROOT

pytestmark = pytest.mark.mcp


def server_command(venv: str, script: str) -> str:
    path = ROOT / ".venv-mcp" / venv / "bin" / script
    if not path.exists():
        why = f"{path} is missing: `make test` builds it (make .venv-mcp/{venv}/stamp)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return str(path)


def sdk_version(venv: str) -> str:
    pip = ROOT / ".venv-mcp" / venv / "bin" / "pip"
    out = subprocess.run([pip, "show", "mcp"], capture_output=True, text=True, check=True).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("Version:"))


def test_a_server_on_the_sdk_1x_mcp_server_time() -> None:
    command = server_command("time-1x", "mcp-server-time")
    assert sdk_version("time-1x").startswith("1.")
    with nbagent.mcp([command, "--local-timezone", "Europe/Oslo"]) as server:
        assert server.name == "mcp-time"
        assert server.protocol_version < "2026"  # the initialize handshake of 1.x servers
        tools = {t.name: t for t in server.tools}
        assert set(tools) == {"get_current_time", "convert_time"}
        assert tools["convert_time"].input_schema["required"] == [
            "source_timezone",
            "time",
            "target_timezone",
        ]
        now = json.loads(server.call("get_current_time", timezone="Asia/Tokyo").text)
        assert now["timezone"] == "Asia/Tokyo"
        assert now["datetime"].endswith("+09:00")
        converted = json.loads(
            server.call(
                "convert_time", source_timezone="UTC", time="12:00", target_timezone="Asia/Tokyo"
            ).text
        )
        assert converted["target"]["datetime"].split("T")[1].startswith("21:00")


def test_a_server_on_the_sdk_2x_mcp_server_git(tmp_path: Path) -> None:
    command = server_command("git-2x", "mcp-server-git")
    assert sdk_version("git-2x").startswith("2.")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    (repo / "notes.txt").write_text("first line\n")
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    with nbagent.mcp([command, "--repository", str(repo)], env=env) as server:
        tools = {t.name: t for t in server.tools}
        assert {"git_status", "git_add", "git_commit", "git_log"} <= set(tools)
        assert tools["git_status"].read_only
        assert server.call("git_add", repo_path=str(repo), files=["notes.txt"]).is_error is False
        assert "new file:   notes.txt" in server.call("git_status", repo_path=str(repo)).text
        committed = server.call("git_commit", repo_path=str(repo), message="Add notes")
        assert not committed.is_error, committed.text
    log = subprocess.run(
        ["git", "-C", repo, "log", "--format=%s"], capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Add notes"
