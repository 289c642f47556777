"""``make docs`` and ``make docs-serve`` install only what the site needs: the docs extra and
nbagent's own dependencies, in a venv of their own (``.venv-docs``, from uv.lock), with nbagent
from the checkout; not the dev extra, JupyterLab, js/'s packages or a widget build. The docs lane
of ``make test`` runs the same target. (``make --dry-run --always-make``: what a fresh clone's
``make docs`` would run, executed by nobody.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

if shutil.which("make") is None:  # pragma: no cover - every machine that runs make test has it
    pytest.skip("needs GNU make", allow_module_level=True)

HEAVY = {
    "--extra dev": "the dev extra (tests, frameworks, JupyterLab)",
    "--group demo": "make demo's JupyterLab",
    "npm ": "js/'s packages",
    "labextension": "the lab extension's build",
    "--reinstall-package": "nbagent built and installed",
}


def dry_run(target: str) -> list[str]:
    done = subprocess.run(
        ["make", "--dry-run", "--always-make", "--no-print-directory", target],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()


def make_variable(name: str) -> str:
    """The value of ``name`` as the Makefile sets it."""
    printer = "print-%:\n\t@echo $($*)\n"
    done = subprocess.run(
        ["make", "--no-print-directory", "-f", "Makefile", "-f", "-", f"print-{name}"],
        cwd=ROOT, input=printer, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.mark.parametrize(("target", "mkdocs"), [("docs", "build"), ("docs-serve", "serve")])
def test_make_docs_installs_the_docs_extra_only(target: str, mkdocs: str) -> None:
    commands = dry_run(target)
    heavy = [f"{c}  <- {why}" for c in commands for key, why in HEAVY.items() if key in c]
    assert not heavy, f"make {target} installs more than the site needs:\n" + "\n".join(heavy)
    (sync,) = [c for c in commands if " sync " in c]
    assert "UV_PROJECT_ENVIRONMENT=.venv-docs" in sync
    assert "--extra docs" in sync
    assert "--no-install-project" in sync  # nbagent from the checkout
    (run,) = [c for c in commands if "mkdocs" in c]
    assert run.startswith("NO_MKDOCS_2_WARNING=1 PYTHONPATH=. .venv-docs/bin/mkdocs ")
    assert f"mkdocs {mkdocs} --strict" in run


def test_the_docs_lane_of_make_test_is_make_docs() -> None:
    assert "docs" in make_variable("LANES").split()
    assert make_variable("needs-docs") == ".venv-docs/stamp"


def test_the_docs_extra_lays_out_signatures_as_the_dev_install_did() -> None:
    """mkdocstrings formats the API pages' signatures with Black or Ruff when one is installed,
    else leaves each on one line: the docs extra brings Ruff, which the dev extra had."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    docs = project["project"]["optional-dependencies"]["docs"]
    names = {re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0] for requirement in docs}
    assert {"mkdocs", "mkdocs-material", "mkdocstrings", "ruff"} <= names
