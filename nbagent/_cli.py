"""The ``nbagent`` command: the demo in JupyterLab, and recordings printed in a terminal.

    nbagent demo [--dir DIR] [--port N] [--no-browser]   # JupyterLab on copies of the tutorials
    nbagent replay run.jsonl [--speed S] [--color WHEN]  # a recording, as it streamed

Problems with the input (a missing file, a bad line) are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbagent
from nbagent.pipeline.stream import iter_events
from nbagent.sources.recording import Player
from nbagent.sources.recording_file import RecordingError, read_recording
from nbagent.widget.terminal import Printer

__all__ = ["main"]

QUICKSTART = "quickstart.ipynb"
# The tutorials (notebooks/ in the repository, nbagent/demo/notebooks/ in a wheel).
TUTORIALS = (
    QUICKSTART,
    "sources.ipynb",
    "tools-debugging.ipynb",
    "compare.ipynb",
    "replay-and-export.ipynb",
    "evaluate.ipynb",
)


class CLIError(Exception):
    """A problem to report in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args.dir, port=args.port, browser=not args.no_browser)
        return _replay(Path(args.file), speed=args.speed, colour=args.color)
    except CLIError as exc:
        print(f"nbagent: error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nbagent", description="Watch an LLM agent think and act, live in a Jupyter cell."
    )
    parser.add_argument("--version", action="version", version=f"nbagent {nbagent.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="open JupyterLab on copies of the tutorial notebooks",
        description="Copy the tutorial notebooks into DIR (a new temporary directory by "
        "default) and open the quickstart in JupyterLab. Offline they replay recorded runs "
        "and ask a scripted local model; with OPENAI_API_KEY or OPENAI_BASE_URL set they "
        "ask a live model.",
    )
    demo.add_argument("--dir", type=Path, help="where to put the notebooks (kept if they exist)")
    demo.add_argument("--port", type=int, help="JupyterLab's port (default: its own, 8888)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    replay = commands.add_parser(
        "replay",
        help="print a recording (run.save() / nbagent.record) as it streamed",
        description="Print a recording in the terminal with its original timing: the text "
        "as it streamed, each tool call as one line.",
    )
    replay.add_argument("file", help="a JSONL recording")
    replay.add_argument(
        "--speed", type=float, default=1.0, help="2: twice as fast, 0: at once (default 1)"
    )
    replay.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="auto: on a terminal, unless NO_COLOR is set (default)",
    )
    return parser


def _replay(path: Path, *, speed: float, colour: str) -> int:
    if not speed >= 0:
        raise CLIError(f"--speed must be >= 0, got {speed}")
    try:
        events, failure = read_recording(path)
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path}: cannot read it: {exc}") from None
    except RecordingError as exc:
        raise CLIError(str(exc)) from None
    player = Player(events, speed=speed, failure=failure)
    printer = Printer(colour=None if colour == "auto" else colour == "always")
    try:
        for ev in iter_events(player, format="events"):
            printer.feed([ev])
    except KeyboardInterrupt:
        player.close()
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nbagent replay run.jsonl | head`: the reader has gone
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that exiting does not fail too
        return 0
    if failure is not None:
        raise CLIError(str(failure))
    if not player.complete:
        raise CLIError(f"{path} ends before its run did: the recording was cut short")
    return 0


def _tutorials() -> Path:
    """Where the notebooks are: in the package (a wheel), else in the source checkout."""
    here = Path(__file__).resolve().parent
    for folder in (here / "demo" / "notebooks", here.parent / "notebooks"):
        if (folder / QUICKSTART).is_file():
            return folder
    raise CLIError(f"{QUICKSTART} is missing from this installation of nbagent")


def _demo(directory: Path | None, *, port: int | None, browser: bool) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        raise CLIError("JupyterLab is not installed: pip install jupyterlab")
    source = _tutorials()
    root = directory if directory is not None else Path(tempfile.mkdtemp(prefix="nbagent-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    for name in TUTORIALS:
        notebook = root / name
        if notebook.exists():
            print(f"nbagent demo: keeping the existing {notebook}")
        elif (source / name).is_file():
            shutil.copyfile(source / name, notebook)
            print(f"nbagent demo: copied {name} to {notebook}")
    if importlib.util.find_spec("pandas") is None:  # ev.to_pandas(); nbagent does not need it
        print("nbagent demo: evaluate.ipynb's tables need pandas: pip install pandas")
    cmd = [sys.executable, "-m", "jupyterlab", QUICKSTART, f"--ServerApp.root_dir={root}"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--ServerApp.allow_root=True")
    sys.stdout.flush()
    proc = subprocess.Popen(cmd, cwd=root)
    # Terminated ourselves: JupyterLab shuts down too (its kernels with it) before we exit.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # noqa: PERF203 - the loop is the point
            # JupyterLab got the Ctrl+C too and asks whether to shut down: let it decide.
            continue


if __name__ == "__main__":
    raise SystemExit(main())
