"""A server the browser tests start as a subprocess (JupyterLab, Notebook 7, Voilà, marimo):
on a free port of 127.0.0.1, in a session of its own (its kernels in its process group), its
output in a log file of a temporary directory of its own. ``stop()`` (or the context manager)
leaves no process and no directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from tests.ports import free_port, listening

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"

S = TypeVar("S", bound="ServerProcess")


def kernel_env(drop: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment with this checkout and ``notebooks/nbtest_sources.py``
    importable by every kernel; variables starting with one of ``drop`` left out."""
    env = {k: v for k, v in os.environ.items() if not (drop and k.startswith(drop))}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), str(NOTEBOOKS), env.get("PYTHONPATH")])
    )
    return env


def own_labextension(into: Path) -> Path | None:
    """A copy of this checkout's js/lab build (``nbagent/labextension``) under ``into``, to be
    served before the one pip installed into the venv (maybe another checkout's, or older):
    the first one found is served. A copy: the servers do not follow a directory symlink."""
    built = REPO / "nbagent" / "labextension"
    if not (built / "package.json").is_file():
        return None
    shutil.copytree(built, into / "nbagent", dirs_exist_ok=True)
    return into


class ServerProcess:
    """One server subprocess (see the module's docstring)."""

    name: ClassVar[str] = "server"
    """What it is called in errors."""

    grace_s: ClassVar[float] = 10
    """How long ``stop()`` waits for the process to end after ``shutdown()``."""

    def __init__(self) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix=f"nbagent-{type(self).__name__.lower()}-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self._tmp / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self: S, timeout: float = 60) -> S:
        raise NotImplementedError

    def launch(
        self, cmd: list[str], *, cwd: Path, env: dict[str, str], up: Callable[[], object],
        timeout: float,
    ) -> None:  # fmt: skip
        """Start ``cmd``; return once ``up()`` returns without an OSError and the process itself
        listens on its port (``tests.ports``: not another one that took it meanwhile)."""
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log()}")
            try:
                up()
                if listening(self.proc.pid, self.port):
                    return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{self.name} not up after {timeout} s:\n{self.log()}")
            time.sleep(0.2)

    def log(self, since: int | None = None) -> str:
        """The log's last 4,000 characters; with ``since`` (a ``log_mark()``), all of it written
        after that mark (a server shared by the session has logged other modules' runs before)."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(since or 0)
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        return text if since is not None else text[-4000:]

    def log_mark(self) -> int:
        """Where the log ends now, for ``log(since=...)``."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def shutdown(self) -> None:
        """Ask the server to end (it then shuts its kernels down): a signal by default."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                self.shutdown()
            try:
                proc.wait(timeout=self.grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None:
            # The server's own process group: kernels it may have left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.proc = None
        if self._log is not None:
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
