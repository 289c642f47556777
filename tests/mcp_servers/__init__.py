"""MCP servers for the tests: ``toolbox`` (written with the SDK), run over stdio or HTTP."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

from tests.ports import free_port, listening
from tests.wait import PATIENCE, wait_for

ROOT = Path(__file__).resolve().parents[2]
TOOLBOX = [sys.executable, "-m", "tests.mcp_servers.toolbox"]
"""The toolbox server's stdio command (run from the project's root: ``cwd=ROOT``)."""

PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
    "rkJggg=="
)
"""The toolbox's ``picture``: a 1x1 PNG, base64."""


def silent_wav(seconds: float = 0.1, rate: int = 8000) -> bytes:
    """A real WAV file (16-bit mono PCM) of silence: the toolbox's ``sound``."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * round(rate * seconds))
    return buf.getvalue()


def call_log(tmp_path: Path) -> Path:
    """An empty file for the toolbox's ``--log``: it appends a line per call it runs."""
    path = tmp_path / "calls.log"
    path.touch()
    return path


def logged(log: Path) -> list[str]:
    """The calls the toolbox ran, in order (``"add 2 40"``)."""
    return log.read_text().splitlines()


def _serve(transport: str, args: tuple[str, ...]) -> tuple[subprocess.Popen[bytes], int]:
    """The toolbox started on a free port, once it listens there or has exited."""
    port = free_port()
    proc = subprocess.Popen(
        [*TOOLBOX, f"--{transport}", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(
        lambda: listening(proc.pid, port) or proc.poll() is not None,
        what=f"the {transport} server to listen on {port}",
    )
    return proc, port


@contextlib.contextmanager
def toolbox_over(transport: str, *args: str) -> Iterator[str]:
    """The toolbox served over ``transport`` ("http" or "sse") on 127.0.0.1: its URL. A server
    that exits as it starts (its port taken meanwhile) is started again on another port."""
    for _attempt in range(3):
        proc, port = _serve(transport, args)
        if proc.poll() is None:
            break
    try:
        assert proc.poll() is None, f"the {transport} toolbox exited with {proc.returncode}"
        yield f"http://127.0.0.1:{port}/{'mcp' if transport == 'http' else 'sse'}"
    finally:
        proc.terminate()
        try:
            proc.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
