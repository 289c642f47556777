"""marimo as a host, without a marimo server (``tests/browser/test_marimo.py`` runs the real
ones): plain Python is no marimo notebook, nbagent never imports marimo, a notebook run as a
script prints, the display protocol marimo reads, the code model made again once closed."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nbagent
from nbagent.runtime import marimo
from nbagent.widget.widget import code_model
from tests.browser.marimo_app import notebook
from tests.recording import RecordingComm

REPO = Path(__file__).resolve().parents[1]


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_plain_python_is_no_marimo_notebook() -> None:
    pytest.importorskip("marimo")  # imported: still no notebook here
    assert not marimo.running()
    assert marimo.output(object()) is False
    called: list[int] = []
    assert marimo.at_cell_dispose(lambda: called.append(1)) is False
    assert called == []


def test_nbagent_never_imports_marimo() -> None:
    done = _python(
        "import sys, nbagent\n"
        "run = nbagent.show(iter(['a', 'b']))\n"
        "run.wait(10)\n"
        "print(run.status, 'marimo' in sys.modules)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("completed False")


def test_a_marimo_notebook_run_as_a_script_prints(tmp_path: Path) -> None:
    """``python notebook.py`` runs marimo's script context: no page, so nbagent prints."""
    pytest.importorskip("marimo")
    cell = """
    import nbagent
    run = nbagent.show(iter(["streamed ", "to the ", "terminal"]))
    run.wait(10)
    print("|", run.widget is None, run.status)
    """
    path = tmp_path / "nb.py"
    path.write_text(notebook([textwrap.dedent(cell)]), encoding="utf-8")
    done = _python(f"import runpy; runpy.run_path({str(path)!r}, run_name='__main__')", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "streamed to the terminal" in done.stdout
    assert "| True completed" in done.stdout


def test_weak_call_holds_nothing_alive() -> None:
    class Holder:
        def __init__(self) -> None:
            self.calls = 0

        def poke(self) -> None:
            self.calls += 1

    holder = Holder()
    call = marimo.weak_call(holder.poke)
    call()
    assert holder.calls == 1
    del holder
    gc.collect()
    call()  # its object is gone: nothing to call, nothing raised


def test_marimo_shows_the_widget_of_a_cells_last_expression(
    comms: list[RecordingComm],
) -> None:
    """marimo renders what ``_display_`` returns: the widget in a notebook, else the repr."""
    run = nbagent.Run(iter(["x"]), display=True)
    assert run._display_() is run.widget is not None
    plain = nbagent.Run(iter(["x"]), display=False)
    assert plain._display_() == repr(plain)
    chat = nbagent.Chat(lambda prompt, turns: iter([prompt]), display=True)
    assert chat._display_() is chat.widget is not None
    assert (
        nbagent.Chat(lambda p, t: iter([p]), display=False)._display_().startswith("<nbagent.Chat")
    )


def test_the_code_model_is_made_again_once_its_comm_closed(comms: list[RecordingComm]) -> None:
    """marimo closes a widget's comm (a session's end; JupyterLab: ``Widget.close``): the
    next widget needs a code model its page has."""
    first = code_model()
    assert code_model() is first
    first.comm.close()
    second = code_model()
    assert second is not first
    assert code_model() is second
