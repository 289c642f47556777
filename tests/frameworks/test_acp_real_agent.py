"""``nbagent.acp`` with a real coding agent: Zed's Claude Code adapter, ``claude-agent-acp``,
pinned in tests/acp_agents/npm/ and installed there by ``make test``, run offline with a dummy
key. It starts Claude Code's CLI as a child process in its group; no model is ever reached.

What the pinned version does here: ``initialize`` and ``session/new`` (which starts the CLI)
answer, with five permission modes and the CLI's slash commands; a prompt whose model is on a
closed port fails at once (``Unable to connect to API (ECONNREFUSED)``); a prompt whose model
never answers waits, and Stop (``session/cancel``) makes the agent drop its request and end the
turn; ``close()`` leaves no process of its group. Without the agent installed (or node, or
/proc) the tests are skipped, except under ``CI=true``, where that is a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

import nbagent
from tests.frameworks.conftest import need
from tests.wait import PATIENCE, wait_for

need("acp")

NPM_DIR = Path(__file__).resolve().parents[1] / "acp_agents" / "npm"
AGENT = NPM_DIR / "node_modules" / ".bin" / "claude-agent-acp"
STARTUP_PATIENCE = 4 * PATIENCE
"""Seconds for ``initialize`` and ``session/new``: node starts the agent, which starts the
CLI (12 MB of JavaScript) before it answers ``session/new``; 8 to 14 s on a busy 2-core
machine."""
MODES = ["default", "acceptEdits", "plan", "dontAsk", "bypassPermissions"]
"""The permission modes claude-agent-acp 0.23.1 offers (``bypassPermissions`` only when it is
not root or ``IS_SANDBOX`` is set: it is, below)."""


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it on CI (``CI=true``), where nothing may be silently skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not AGENT.exists():
        unavailable(
            f"{AGENT.relative_to(NPM_DIR.parents[2])} is not installed: "
            "make tests/acp_agents/npm/node_modules/.package-lock.json"
        )
    if shutil.which("node") is None:
        unavailable("node is not on PATH (Node.js >= 20 runs claude-agent-acp)")
    if not Path("/proc/self/stat").exists():
        unavailable("no /proc: the processes left behind are counted there (Linux)")


# ---- the network it may not reach -----------------------------------------------------------


class ClosedPort:
    """A local port bound and never listened on: a connection to it is refused at once, and no
    other process can take the port while the test holds it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


class SilentModel:
    """A local HTTP server that reads requests and never answers them: the model the agent
    waits for. ``asked`` is set on the first request to the Messages API, ``hung_up`` once the
    agent closes that connection."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)  # the accept loop looks at ``stopped`` this often
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: list[str] = []
        self.asked = threading.Event()
        self.hung_up = threading.Event()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.conns: list[socket.socket] = []
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
            self.threads.append(reader)
            reader.start()

    def _read(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        head = b""
        while not self.stopped.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                break
            if not head:
                head = data
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                self.requests.append(line)
                if line.startswith("POST /v1/messages"):
                    self.asked.set()
        if head.startswith(b"POST /v1/messages"):
            self.hung_up.set()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.conns:
            conn.close()
        for thread in self.threads:
            thread.join(PATIENCE)


@pytest.fixture
def closed_port() -> Iterator[ClosedPort]:
    port = ClosedPort()
    yield port
    port.close()


@pytest.fixture
def silent_model() -> Iterator[SilentModel]:
    model = SilentModel()
    yield model
    model.close()


def offline_env(home: Path, model_url: str, proxy_url: str) -> dict[str, str]:
    """The agent's environment: a dummy key, a fresh home (no user settings, sessions or
    credentials read), the model at ``model_url`` and everything else it reaches for (update
    checks, telemetry) through a proxy on a closed port, refused at once."""
    proxies = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    return {
        "ANTHROPIC_API_KEY": "sk-ant-offline-dummy-key",
        "ANTHROPIC_BASE_URL": model_url,
        **dict.fromkeys(proxies, proxy_url),
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        # A refused connection fails the prompt at once instead of being retried for minutes.
        "CLAUDE_CODE_MAX_RETRIES": "0",
        # The agent passes --allow-dangerously-skip-permissions to the CLI when IS_SANDBOX is
        # set at all (or it is not root); the CLI, run as root, accepts that only for "1" and
        # exits otherwise (a machine's IS_SANDBOX=yes failed session/new): one value for all.
        "IS_SANDBOX": "1",
    }


# ---- processes -----------------------------------------------------------------------------


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process: pid → (state, parent pid, process group), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone while listed
                continue
            state, ppid, pgrp = stat.rsplit(") ", 1)[1].split()[:3]
            found[int(entry.name)] = (state, int(ppid), int(pgrp))
    return found


def name_of(pid: int) -> str | None:
    """A process's command name; None for one that ended since it was listed (the CLI runs
    short-lived helpers in its group)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def left(group: int, tree: set[int]) -> list[int]:
    """The processes of process group ``group`` and of ``tree`` still running (a zombie, ended
    and not reaped yet, is not)."""
    return [
        pid
        for pid, (state, _, pgrp) in processes().items()
        if state != "Z" and (pgrp == group or pid in tree)
    ]


def tree_of(pid: int) -> set[int]:
    """``pid`` and its descendants (a child that left the agent's group stays in its tree)."""
    parents = {p: ppid for p, (_, ppid, _) in processes().items()}
    tree = {pid}
    grew = True
    while grew:
        more = {p for p, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def start(started: list[nbagent.AcpAgent], home: Path, env: dict[str, str]) -> nbagent.AcpAgent:
    """The agent, its session open: ``session/new`` has started Claude Code's CLI in its group
    (so the count of what ``close()`` leaves covers a child, not just the agent)."""
    begun = time.monotonic()
    agent = nbagent.acp([str(AGENT)], cwd=home, env=env, startup_timeout=STARTUP_PATIENCE)
    started.append(agent)
    print(f"initialize + session/new: {time.monotonic() - begun:.1f} s")
    names = {pid: name for pid in left(agent.pid, set()) if (name := name_of(pid))}
    assert "claude" in names.values(), f"the agent's group: {names}"
    return agent


def close_leaves_nothing(agent: nbagent.AcpAgent) -> None:
    group = agent.pid
    tree = tree_of(group)
    agent.close()
    wait_for(lambda: not left(group, tree), what=f"no process of the agent's group {group} left")


# ---- the tests -----------------------------------------------------------------------------


def test_its_modes_then_a_prompt_that_cannot_reach_the_model_errors(
    started: Any, tmp_path: Path, closed_port: ClosedPort
) -> None:
    agent = start(started, tmp_path, offline_env(tmp_path, closed_port.url, closed_port.url))
    assert [m.id for m in agent.modes] == MODES
    assert agent.mode == "default"
    commands = wait_for(lambda: {c.name for c in agent.commands}, what="its slash commands")
    assert {"compact", "init", "review"} <= commands, commands
    agent.set_mode("plan")  # session/set_mode on the real agent
    assert agent.mode == "plan"
    run = agent.prompt("Say hello")
    transcript = run.wait(PATIENCE)
    assert run.status == "error", transcript.error
    assert transcript.error is not None
    error = transcript.error["message"]
    print(error)
    assert "the prompt failed" in error
    assert "Unable to connect to API (ECONNREFUSED)" in error
    close_leaves_nothing(agent)


def test_stop_while_it_waits_for_the_model_ends_the_turn_on_the_agent(
    started: Any, tmp_path: Path, closed_port: ClosedPort, silent_model: SilentModel
) -> None:
    agent = start(started, tmp_path, offline_env(tmp_path, silent_model.url, closed_port.url))
    first, session = agent.pid, agent.session_id
    run = agent.prompt("Say hello")
    asked = silent_model.asked.wait(PATIENCE)
    assert asked, f"no request to the model; requests seen: {silent_model.requests}"
    assert run.status == "running"  # nothing comes back: it waits
    stopped = time.monotonic()
    run.cancel()
    assert run.status == "cancelled"  # at once
    assert run.wait(PATIENCE).status == "cancelled"
    hung_up = silent_model.hung_up.wait(PATIENCE)
    assert hung_up, "the agent kept its request to the model open after session/cancel"
    print(f"its model request closed {time.monotonic() - stopped:.3f} s after run.cancel()")
    nxt = agent.prompt("Say hello again")  # after the stopped turn's end, or its agent's kill
    # The same process and session: it ended the turn when asked, not killed after GRACE_S.
    assert (agent.pid, agent.session_id) == (first, session)
    nxt.cancel()
    close_leaves_nothing(agent)
