"""The ``nbagent`` console script, as a user runs it (subprocesses of the installed script)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

import nbagent
from nbagent import demo
from nbagent._cli import TUTORIALS
from tests.kernel import ROOT
from tests.ports import free_port

SCRIPT = str(Path(sys.executable).with_name("nbagent"))
WEATHER = str(demo.recording("weather"))
ESC = "\x1b["


def env(**changes: str | None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    out["TERM"] = "xterm-256color"
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def nbagent_cli(*args: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=60, env=env(**env_changes)
    )


def on_a_terminal(*args: str, **env_changes: str | None) -> str:
    """Run with stdout on a pseudo-terminal; what it printed."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [SCRIPT, *args], stdout=follower, stderr=subprocess.PIPE, env=env(**env_changes)
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end closed
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(30) == 0
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_replay_prints_the_text_and_one_line_per_tool_call() -> None:
    done = nbagent_cli("replay", WEATHER, "--speed", "0")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert ESC not in out  # a pipe is not a terminal
    lines = out.splitlines()
    assert lines[0] == "[thinking…]"
    tools = [line for line in lines if line.startswith("✓ get_weather(")]
    assert tools[0].startswith('✓ get_weather({"city": "Paris", "unit": "C"}) → {"city": "Paris"')
    assert len(tools) == 2
    t = nbagent.Transcript.from_events(nbagent.load(WEATHER))
    assert t.text in out  # the whole answer, as streamed
    assert lines[-1] == "[completed]"
    assert done.stderr == ""


def test_colour_on_a_terminal_unless_no_color() -> None:
    coloured = on_a_terminal("replay", WEATHER, "--speed", "0")
    assert f"{ESC}32m✓ {ESC}0mget_weather(" in coloured
    assert f"{ESC}2m[thinking…]{ESC}0m" in coloured
    plain = on_a_terminal("replay", WEATHER, "--speed", "0", NO_COLOR="1")
    assert ESC not in plain
    assert "✓ get_weather(" in plain
    dumb = on_a_terminal("replay", WEATHER, "--speed", "0", TERM="dumb")
    assert ESC not in dumb
    forced = nbagent_cli("replay", WEATHER, "--speed", "0", "--color", "always")
    assert f"{ESC}32m✓ " in forced.stdout


def test_a_failing_tool_shows_as_an_error_line() -> None:
    done = nbagent_cli("replay", str(demo.recording("failing_tool")), "--speed=0")
    assert done.returncode == 0
    assert (
        '✗ revenue_by_region({"path": "sales_q3.csv"}) → FileNotFoundError: [Errno 2] '
        "No such file: 'sales_q3.csv'" in done.stdout
    )


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = nbagent_cli("replay", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert missing.stderr == f"nbagent: error: {tmp_path / 'nope.jsonl'}: no such file\n"
    assert missing.stdout == ""

    text = Path(WEATHER).read_text()
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[: len(text) // 2])  # cut mid-line, as a crash would
    broken = nbagent_cli("replay", str(cut), "--speed", "0")
    assert broken.returncode == 2
    (line,) = broken.stderr.splitlines()
    assert line.startswith(f"nbagent: error: {cut}, line ")
    assert line.endswith("(the last line is cut short)")
    assert "Traceback" not in broken.stderr
    assert broken.stdout.startswith("[thinking…]")  # what arrived was shown

    lines = text.splitlines(keepends=True)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(lines[: len(lines) // 2]))
    unfinished = nbagent_cli("replay", str(short), "--speed", "0")
    assert unfinished.returncode == 2
    assert unfinished.stderr == (
        f"nbagent: error: {short} ends before its run did: the recording was cut short\n"
    )

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    nothing = nbagent_cli("replay", str(empty))
    assert (nothing.returncode, nothing.stderr) == (
        2,
        f"nbagent: error: {empty}: the recording holds no events\n",
    )
    negative = nbagent_cli("replay", WEATHER, "--speed", "-1")
    assert (negative.returncode, negative.stderr) == (
        2,
        "nbagent: error: --speed must be >= 0, got -1.0\n",
    )


def test_version_help_and_usage() -> None:
    version = nbagent_cli("--version")
    assert (version.returncode, version.stdout) == (0, f"nbagent {nbagent.__version__}\n")
    helped = nbagent_cli("--help")
    assert helped.returncode == 0
    assert "demo" in helped.stdout
    assert "replay" in helped.stdout
    assert nbagent_cli().returncode == 2  # a command is required
    assert "--no-browser" in nbagent_cli("demo", "--help").stdout


@pytest.mark.kernel
def test_demo_serves_copies_of_the_tutorials(tmp_path: Path) -> None:
    port = free_port()
    target = tmp_path / "demo"
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [SCRIPT, "demo", "--dir", str(target), "--port", str(port), "--no-browser"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime")),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not (token := re.search(r"token=([0-9a-f]+)", log.read_text())):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"JupyterLab never came up:\n{log.read_text()}"
            time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/api/contents/quickstart.ipynb?token={token.group(1)}"
        # The token is printed as the server starts, not only once it listens: ask again.
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    served = json.loads(resp.read())
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, f"JupyterLab never answered:\n{log.read_text()}"
                time.sleep(0.2)
        assert served["type"] == "notebook"
        for name in TUTORIALS:
            copied = target / name
            assert copied.read_bytes() == (ROOT / "notebooks" / name).read_bytes()
            assert f"nbagent demo: copied {name} to {copied}" in log.read_text()
    finally:
        proc.terminate()  # the command stops JupyterLab, then itself
        assert proc.wait(20) is not None
        leftover = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert leftover.stdout == b"", "JupyterLab outlived `nbagent demo`"


def test_the_wheel_ships_the_demo(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("jupyter_nbagent-*.whl")  # the distribution, not the import
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in demo.DEMOS:
        assert f"nbagent/demo/{name}.jsonl" in names
    for name in TUTORIALS:
        assert f"nbagent/demo/notebooks/{name}" in names
    assert "nbagent/_cli.py" in names
    assert "jupyter_nbagent-0.1.0.dist-info/licenses/LICENSE" in names  # pyproject's license-files
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))
    )
    assert b"nbagent = nbagent._cli:main" in entry_points
