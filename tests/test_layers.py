"""The layers of ARCHITECTURE.md, as import contracts (pyproject's [tool.importlinter])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# import-linter 2.16 (acyclic_siblings) needs Python 3.11: the layers are checked there.
pytest.importorskip("importlinter", reason="import-linter needs Python 3.11 or newer")

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter brings tomli
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
TOP = "layers: producers and views above the runtime"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the ``nbagent`` package found in ``root``."""
    script = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_keeps_its_layers_and_has_no_import_cycles() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_has_a_layer() -> None:
    """A new module outside every layer would escape the contract: each ``layers`` contract names
    every module and package of its folder (the top one: ``nbagent``'s folders)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = [c for c in config["contracts"] if c["type"] == "layers"]
    assert contracts[0]["containers"] == ["nbagent"]
    for contract in contracts:
        (container,) = contract["containers"]
        named = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
        package = ROOT.joinpath(*container.split("."))
        modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
        modules |= {p.parent.name for p in package.glob("*/__init__.py")}
        assert modules == named, container


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        # the pipeline knows who produces
        ("pipeline/stream.py", "from nbagent.agent import agent", TOP),
        ("transcript/transcript.py", "import nbagent.runtime", TOP),  # up a layer, lazily
        ("runtime/run.py", "from nbagent.apps import lanes", TOP),
        ("transcript/export/markdown.py", "from nbagent.apps import chat", TOP),
        # inside a folder: the reducer knows nothing of the exports
        (
            "transcript/fold/reducer.py",
            "from nbagent.transcript import export",
            "inside transcript",
        ),
    ],
)
def test_an_import_up_a_layer_is_caught(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    shutil.copytree(ROOT / "nbagent", tmp_path / "nbagent", ignore=shutil.ignore_patterns("static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "nbagent" / module
    lazy = f"\n\ndef _late() -> None:\n    {bad_import}  # noqa\n"
    target.write_text(target.read_text() + lazy)
    result = lint(tmp_path)
    assert result.returncode != 0
    importer = "nbagent." + module.removesuffix(".py").replace("/", ".")
    broken = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(contract in line for line in broken), result.stdout  # the contract it breaks
    assert f"- {importer} -> nbagent." in result.stdout  # the import that breaks them
