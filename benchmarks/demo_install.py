"""What `make demo` installs on a fresh clone, and how long it takes: a `git clone` of this
checkout's HEAD into a temporary directory, `make demo-install` there (the demo's install and
build, not the server), then the time and the sizes of what it wrote.

    .venv/bin/python -m benchmarks.demo_install            # PYTHON=python3, as make's default
    .venv/bin/python -m benchmarks.demo_install --keep     # leave the clone to look at
    .venv/bin/python -m benchmarks.demo_install --rev bf8a514 --target install   # "before"
    .venv/bin/python -m benchmarks.demo_install --open     # then `make demo`, open its URL
    .venv/bin/python -m benchmarks.demo_install --tutorials   # then run the tutorials there

``--open`` runs `make demo` in the clone (no browser of its own), reads the URL JupyterLab
prints, opens it with the token in Chromium (Playwright, Debian's /usr/bin/chromium) and says
which document shows and how many nbagent transcripts it draws.

``--tutorials`` then runs the tutorials marked ``demo_env`` in the environment the install
built (`make test-demo-install`): this Python's pytest runs the clone's
tests/test_notebook_execute.py with ``NBAGENT_DEMO_VENV`` naming the clone's .venv, so each
notebook runs on that venv's `jupyter` and kernel, with only what `make demo` installed. Its
exit status is the lane's.

No threshold: it prints. uv and npm use their caches as they are (the printout says where they
are and how big: a warm cache makes the time mostly linking and building); pip, which installs
uv itself, its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"

# What the install writes into the clone (each measured when present).
PARTS = [
    ".venv",
    "js/node_modules",
    "js/lab/node_modules",
    "nbagent/static",
    "nbagent/labextension",
]


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (a symlink counted as itself, not followed)."""
    if not path.exists():
        return 0
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def largest(venv: Path, count: int = 6) -> list[tuple[str, int]]:
    """The ``count`` biggest distributions installed in ``venv``: the bytes of the files each
    one's RECORD lists (what a lighter `make demo` would have to leave out)."""
    sizes = []
    for record in venv.glob("lib/python3*/site-packages/*.dist-info/RECORD"):
        site = record.parent.parent
        total = 0
        for line in record.read_text(encoding="utf-8").splitlines():
            file = site / line.rsplit(",", 2)[0]
            with contextlib.suppress(OSError):
                total += file.lstat().st_size
        sizes.append((record.parent.name.split("-")[0].replace("_", "-"), total))
    return sorted(sizes, key=lambda item: -item[1])[:count]


def cache_note() -> str:
    """Where uv's, npm's and pip's caches are and their sizes, for "warm or cold?"."""
    pip_dir = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    npm_dir = Path.home() / ".npm"
    notes = [f"npm cache {npm_dir} {mb(tree_bytes(npm_dir))}"]
    uv = Path(sys.executable).with_name("uv")  # the Makefile's (.venv/bin/uv)
    if uv.exists():
        uv_dir = subprocess.run(
            [uv, "cache", "dir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if uv_dir:
            notes.append(f"uv cache {uv_dir} {mb(tree_bytes(Path(uv_dir)))}")
    if pip_dir and Path(pip_dir).is_dir():
        notes.append(f"pip cache {pip_dir} {mb(tree_bytes(Path(pip_dir)))}")
    else:
        notes.append("pip cache: none")
    return "; ".join(notes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_url(clone: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """`make demo` in ``clone`` on ``port`` and the URL it prints (the server keeps running)."""
    server = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"DEMO_ARGS=--no-browser --ServerApp.port={port}"],
        cwd=clone, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert server.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line and server.poll() is not None:
            break
        found = re.search(r"https?://(?:localhost|127\.0\.0\.1):\d+/\S*", line)
        if found:
            return server, found.group(0)
    os.killpg(server.pid, signal.SIGTERM)
    raise RuntimeError("`make demo` printed no URL")


def open_url(url: str, outputs: int) -> str:
    """What the page at ``url`` shows: its current tab, whether the Launcher is there, and how
    many transcripts nbagent's renderer draws (waiting up to a minute for ``outputs``)."""
    # the dev extra's, not the demo's
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector(".jp-NotebookPanel, .jp-Launcher", timeout=60_000)
            tab = page.locator(".lm-DockPanel-tabBar .lm-mod-current .lm-TabBar-tabLabel")
            current = tab.first.inner_text()
            launcher = page.locator(".jp-Launcher").count() > 0
            cards = 0
            if not launcher:
                with contextlib.suppress(PlaywrightTimeout):
                    page.wait_for_function(
                        "(n) => document.querySelectorAll('.nba-saved > .nbagent').length >= n",
                        arg=outputs,
                        timeout=60_000,
                    )
                cards = page.locator(".nba-saved > .nbagent").count()
            return (
                f"shows {current!r}, launcher: {launcher}, "
                f"nbagent transcripts: {cards} of the {outputs} it has"
            )
        finally:
            browser.close()


def run_tutorials(clone: Path) -> int:
    """The tutorials marked demo_env, executed in ``clone``'s .venv (this Python's pytest, the
    clone's tests); their CPU time (pytest, `jupyter execute`, the kernels) is printed."""
    env = os.environ | {"NBAGENT_DEMO_VENV": str(clone / ".venv")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "demo_env"]
    before = os.times()
    start = time.monotonic()
    done = subprocess.run([*command, "tests/test_notebook_execute.py"], cwd=clone, env=env)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    took = time.monotonic() - start
    print(f"the tutorials in make demo's environment: {took:.0f} s, {cpu:.0f} CPU-s")
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="python3", help="make's PYTHON (makes .venv)")
    parser.add_argument("--target", default="demo-install", help="the make target to time")
    parser.add_argument("--rev", default="HEAD", help="the commit to clone (default HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--open", action="store_true", help="then open `make demo`'s URL")
    parser.add_argument(
        "--tutorials", action="store_true", help="then run the tutorials in that environment"
    )
    args = parser.parse_args()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.rev],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="nbagent-demo-"))
    clone = tmp / "nbagent"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", head], check=True)
        print(f"fresh clone of {head} in {clone}; {cache_note()}")
        start = time.monotonic()
        # make's own output (pip's, npm's) only when it fails: `make test` prints this run.
        done = subprocess.run(
            ["make", "--no-print-directory", args.target, f"PYTHON={args.python}"],
            cwd=clone, capture_output=True, text=True,
        )  # fmt: skip
        took = time.monotonic() - start
        if done.returncode:
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
            print(f"make {args.target} FAILED (exit {done.returncode}) after {took:.0f} s")
            return done.returncode
        print(f"make {args.target}: {took:.0f} s")
        sizes = {part: tree_bytes(clone / part) for part in PARTS}
        for part, size in sizes.items():
            print(f"  {part:<22} {mb(size):>8}")
        node = sizes["js/node_modules"] + sizes["js/lab/node_modules"]
        print(f"  {'.venv + node_modules':<22} {mb(sizes['.venv'] + node):>8}")
        top = ", ".join(f"{name} {mb(size)}" for name, size in largest(clone / ".venv"))
        print(f"  largest in .venv: {top}")
        if args.open:
            server, url = demo_url(clone, free_port())
            try:
                quickstart = (clone / "notebooks" / "quickstart.ipynb").read_text()
                outputs = quickstart.count(f'"{TRANSCRIPT_MIME}"')
                shown = open_url(url, outputs)
                print(f"make demo printed {url.split('?')[0]}?token=…: {shown}")
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(30)
        if args.tutorials:
            return run_tutorials(clone)
        return 0
    finally:
        if args.keep:
            print(f"kept {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
