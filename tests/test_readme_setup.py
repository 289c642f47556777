"""README's "Try it" holds: exactly two set-up commands (``make demo``, ``make test``); the Node.js
it asks for is the least every locked npm package accepts (``js/package.json``'s ``engines``),
naming the one package that asks more and why it does not matter; and ``make demo`` stays in the
foreground, serves the URL README gives and stops at one Ctrl-C, with no process left behind."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCKS = [
    "js/package-lock.json",  # the widget: make demo (its dependencies), make test (all)
    "js/lab/package-lock.json",  # the lab extension
    "tests/browser/html_manager/package-lock.json",  # make test only
    "tests/acp_agents/npm/package-lock.json",
    "tests/mcp_apps/package-lock.json",  # the test MCP app (tests/mcp_servers/apps.py)
]
ASKS_MORE = {"js/package-lock.json": {"node_modules/commander": "katex"}}
"""Packages whose ``engines`` ask for a newer Node than the minimum, and who requires each: only
KaTeX's command line (``commander``), which the build never runs; npm warns, nothing fails."""


def try_it() -> str:
    return README.split("## Try it", 1)[1].split("\n## ", 1)[0]


def test_try_it_has_exactly_two_set_up_commands() -> None:
    (block,) = re.findall(r"```bash\n(.*?)```", try_it(), re.DOTALL)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


# --- Node.js: a small reader of npm's version ranges (``engines``), for one version at a time.

Version = tuple[int, int, int]
COMPARATOR = re.compile(r"(\^|~|>=|<=|>|<|=)?v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?")


def version(text: str) -> Version:
    major, minor, patch = [*(int(p) for p in text.split(".")), 0, 0][:3]
    return major, minor, patch


def _admits(comparator: str, v: Version) -> bool:
    if comparator in ("*", "x", ""):
        return True
    m = COMPARATOR.fullmatch(comparator)
    assert m, f"an npm version range this reader does not know: {comparator!r}"
    op = m[1] or ""
    given = [p for p in m.groups()[1:] if p is not None and p not in "x*"]
    low = tuple(int(p) for p in given) + (0,) * (3 - len(given))
    if op in (">=", ">", "<=", "<"):
        return {">=": v >= low, ">": v > low, "<=": v <= low, "<": v < low}[op]
    if op == "^":  # the leftmost non-zero part is kept
        keep = next((i for i, p in enumerate(low) if p), len(given) - 1)
    elif op == "~":
        keep = min(1, len(given) - 1)
    else:  # "=" or bare: the parts given are kept (20 is 20.x.x)
        keep = len(given) - 1
    high = (*low[:keep], low[keep] + 1, *(0,) * (2 - keep))
    return low <= v < high


def admits(npm_range: str, v: Version) -> bool:
    """Whether ``v`` satisfies ``npm_range`` (``^20.19.0 || >=22.12.0``, ``>= 0.4``, ``20``)."""
    for alternative in npm_range.split("||"):
        comparators = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", alternative).split()
        if all(_admits(c, v) for c in comparators or [""]):
            return True
    return False


@pytest.mark.parametrize(
    ("npm_range", "yes", "no"),
    [
        ("^20.19.0 || >=22.12.0", ["20.19.0", "22.12.0", "24.1.0"], ["20.18.9", "22.11", "21.9"]),
        (">= 0.4", ["0.4.0", "20.19.0"], ["0.3.9"]),
        ("^20.12||^22||>=24", ["20.19.0", "22.0.0", "25.0.0"], ["21.1.0", "23.0.0"]),
        ("20 || >=22", ["20.0.0", "20.99.0", "22.1.0"], ["21.0.0", "19.9.9"]),
        (">=v12.22.7", ["12.22.7"], ["12.22.6"]),
        (">=0.8.x", ["0.8.0"], ["0.7.9"]),
        ("~1.2.3", ["1.2.9"], ["1.3.0"]),
        ("*", ["0.0.1"], []),
    ],
)  # fmt: skip
def test_the_range_reader(npm_range: str, yes: list[str], no: list[str]) -> None:
    assert [admits(npm_range, version(v)) for v in yes] == [True] * len(yes)
    assert [admits(npm_range, version(v)) for v in no] == [False] * len(no)


def test_readme_asks_for_the_node_every_locked_package_accepts() -> None:
    engines = json.loads((ROOT / "js" / "package.json").read_text())["engines"]["node"]
    lock = json.loads((ROOT / "js" / "package-lock.json").read_text())
    assert lock["packages"][""]["engines"]["node"] == engines  # npm ci reads the lock's copy
    minimum = re.fullmatch(r">=(\d+\.\d+(?:\.\d+)?)", engines)
    assert minimum, engines
    said = re.search(r"Node\.js ≥ (\d+\.\d+(?:\.\d+)?)", try_it())
    assert said, "README says which Node.js"
    assert said[1] == minimum[1], "README's Node.js is js/package.json's engines"
    least = version(minimum[1])
    newer: dict[str, str] = {}
    for name in LOCKS:
        packages = json.loads((ROOT / name).read_text())["packages"]
        for where, package in packages.items():
            asked = (package.get("engines") or {}).get("node") if where else None
            if isinstance(asked, str) and not admits(asked, least):
                newer[f"{name}: {where}"] = asked
                required_by = ASKS_MORE.get(name, {}).get(where)
                assert required_by, f"{where} ({name}) asks for Node {asked}, over {engines}"
                dependencies = packages[f"node_modules/{required_by}"]["dependencies"]
                assert where.removeprefix("node_modules/") in dependencies
    assert newer == {"js/package-lock.json: node_modules/commander": ">=22.12.0"}
    # README names it, and the version it asks for
    warned = r"below Node 22\.12 npm\s+warns\s+`EBADENGINE`\s+about\s+`commander`"
    assert re.search(warned, try_it())
    assert "KaTeX" in try_it()


# --- make demo: in the foreground, at README's URL, until Ctrl-C.

DEFAULT_URL = re.search(r"--LabApp\.default_url=(\S+)", (ROOT / "Makefile").read_text())


def test_readme_says_where_make_demo_serves_and_how_to_stop_it() -> None:
    assert DEFAULT_URL, "make demo opens the quickstart (the Makefile's default_url)"
    text = " ".join(try_it().split())
    assert f"http://localhost:8888{DEFAULT_URL[1]}" in text
    assert "`make demo` stays in the foreground" in text
    assert "Ctrl-C in its terminal stops it" in text


class Terminal:
    """A command in a session of its own on a pseudo-terminal, as a shell runs it: Ctrl-C is the
    terminal's (``\\x03``: SIGINT to the foreground process group). What it prints is read."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self.out = b""

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.out += os.read(self.fd, 65536)
                except OSError:  # the child closed it
                    time.sleep(0.1)

    def text(self) -> str:
        return self.out.decode(errors="replace")

    def ended(self) -> bool:
        return os.waitpid(self.pid, os.WNOHANG)[0] == self.pid

    def processes(self) -> bytes:
        return subprocess.run(["pgrep", "-s", str(self.pid)], capture_output=True).stdout

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.mark.kernel  # starts JupyterLab, as tests/test_cli.py's demo test does
def test_make_demo_serves_the_quickstart_until_one_ctrl_c(tmp_path: Path) -> None:
    pytest.importorskip("jupyterlab")
    if shutil.which("make") is None:
        pytest.skip("needs GNU make")
    from jupyter_server.serverapp import DEFAULT_SERVER_PORT

    assert DEFAULT_SERVER_PORT == 8888  # README's port, when no other server has it
    port = free_port()
    # make demo as a newcomer runs it in a terminal, minus the install (-o: taken as done) and
    # the browser; BIN: the venv running this test.
    args = f"--no-browser --ServerApp.port={port} --ServerApp.port_retries=0"
    command = ["make", "--no-print-directory", "-o", ".make/demo", "demo"]
    command += [f"BIN={Path(sys.executable).parent}", f"DEMO_ARGS={args}"]
    env = os.environ | {"JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    url = f"http://localhost:{port}{DEFAULT_URL[1] if DEFAULT_URL else ''}?token="
    terminal = Terminal(command, ROOT, env)
    try:
        deadline = time.monotonic() + 60
        while url not in terminal.text():  # it serves, in the foreground
            assert not terminal.ended(), f"make demo ended:\n{terminal.text()}"
            assert time.monotonic() < deadline, f"no {url} in 60 s:\n{terminal.text()}"
            terminal.read(0.2)
        terminal.read(0.5)
        os.write(terminal.fd, b"\x03")  # Ctrl-C
        # one is enough: JupyterLab does not ask "Shut down this Jupyter server (y/[n])?",
        # which a newcomer would not expect, and then go on serving after 5 s with no answer
        deadline = time.monotonic() + 30
        while not terminal.ended() or terminal.processes():
            assert time.monotonic() < deadline, f"make demo still runs:\n{terminal.text()}"
            terminal.read(0.2)
        assert "resuming operation" not in terminal.text()
    finally:
        terminal.close()
