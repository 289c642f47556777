"""nbagent's distribution is ``jupyter-nbagent`` (it imports as ``nbagent``): PyPI's ``nbagent``
is another project, which ``pip install nbagent`` would install. No tracked file of the
repository (README, docs, the tutorials, nbagent's hints and errors, the Makefile, pyproject)
tells anyone to install ``nbagent`` by that name, with or without extras; the places that name
the distribution (the lab extension's ``install.json``, the Makefile's ``--reinstall-package``,
``[tool.uv]``, the version nbagent tells servers) name the one in ``pyproject.toml``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nbagent.core import stderr

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "jupyter-nbagent"
WRONG = "nbagent"

INSTALL = re.compile(
    r"\b(?:pip3?\s+install|pipx\s+install|uv\s+pip\s+install|uv\s+tool\s+install|uv\s+add)\b"
    r"(?P<args>[^`#;|&\n]*)",
    re.IGNORECASE,
)
"""An install command and its arguments, up to the end of a code span, a comment or the next
command (``;``, ``&&``, ``|``)."""

REQUIREMENT = re.compile(rf"{WRONG}(?:\[[\w,\s-]*\])?(?:\s*(?:[<>=!~]=?|@|;).*)?", re.IGNORECASE)
"""An argument naming the distribution ``nbagent``: with extras, a version, a URL or a marker."""

EXTRAS = re.compile(rf"(?<![\w.-]){WRONG}\[[\w,\s-]*\]", re.IGNORECASE)
"""``nbagent[mcp]`` anywhere: a requirement of ``nbagent`` with extras (not an import)."""

QUOTES = "\"'`\\,.:;()"
"""Around an argument: a shell's or a string's quotes, JSON's escapes, prose's punctuation."""


def wrong_installs(line: str) -> list[str]:
    """What ``line`` tells to install by the name ``nbagent``: each such argument of an install
    command, and each ``nbagent[extras]`` requirement."""
    found = [m.group(0) for m in EXTRAS.finditer(line)]
    for m in INSTALL.finditer(line):
        for arg in m.group("args").split():
            arg = arg.strip(QUOTES)
            if REQUIREMENT.fullmatch(arg) and not EXTRAS.fullmatch(arg):
                found.append(f"{m.group(0).split()[0]} install {arg}")
    return found


BAD = [
    "pip install nbagent",
    "pip install nbagent            # nbagent imports no framework",
    "`pip install nbagent`.",
    "pip install 'nbagent[mcp]'",
    'pip install "nbagent[acp]"',
    'its client (`pip install \\"nbagent[acp]\\"`, the SDK)',  # a notebook's JSON
    "ImportError(\"nbagent.mcp() needs the MCP SDK: pip install 'nbagent[mcp]'\")",
    "pip install nbagent[otel]",
    "pip install -U nbagent==0.1.0",
    "python -m pip install --upgrade 'nbagent>=0.1'",
    "pip3 install jupyterlab nbagent",
    "pip install NBAgent",
    "uv add nbagent",
    "uv add 'nbagent[evals]'",
    "uv pip install nbagent",
    "uv tool install nbagent",
    "pipx install nbagent",
    "pip install 'nbagent @ git+https://example.org/nbagent.git'",
    "the `nbagent[otel]` extra",
    '  "nbagent[test-core,frameworks,docs]",',
]
GOOD = [
    "pip install jupyter-nbagent",
    "pip install 'jupyter-nbagent[mcp]'",
    'pip install \\"jupyter-nbagent[acp]\\"',
    "uv add jupyter-nbagent",
    "pipx install jupyter-nbagent",
    "pip install .                  # in this clone: nbagent imports no framework",
    "pip install -e '.[dev]'",
    "pip install jupyterlab; import nbagent",
    "pip install jupyterlab  # then nbagent.show(stream)",
    "pip install nbagent-tools",
    "pip install ./nbagent",
    "the `nbagent` on PyPI is another project",
    "import nbagent; nbagent.show(stream)",
    '  "jupyter-nbagent[test-core,frameworks,docs]",',
    'sys.modules["nbagent"]',
]


@pytest.mark.parametrize("line", BAD)
def test_the_matcher_finds_an_install_of_nbagent(line: str) -> None:
    assert wrong_installs(line), line


@pytest.mark.parametrize("line", GOOD)
def test_the_matcher_leaves_other_lines(line: str) -> None:
    assert wrong_installs(line) == [], line


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def test_no_tracked_file_says_to_install_nbagent_by_its_import_name() -> None:
    files = tracked_files()
    names = {str(p.relative_to(ROOT)) for p in files}
    # what a newcomer reads and what nbagent says, all among the files read
    assert {"README.md", "docs/index.md", "Makefile", "pyproject.toml"} <= names
    assert {"notebooks/mcp.ipynb", "nbagent/mcp_client/__init__.py"} <= names
    found = []
    for path in files:
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # an image
        if WRONG not in text.lower():
            continue
        for n, line in enumerate(text.splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{n}: {hit}" for hit in wrong_installs(line)]
    assert not found, (
        f"PyPI's `nbagent` is another project; nbagent's distribution is {DISTRIBUTION}:\n"
        + "\n".join(found)
    )


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_distribution_is_jupyter_nbagent_wherever_it_is_named() -> None:
    config = project()
    assert config["project"]["name"] == DISTRIBUTION == stderr.DISTRIBUTION
    assert config["tool"]["uv"]["no-build-isolation-package"] == [DISTRIBUTION]
    reinstalled = re.findall(r"--reinstall-package (\S+)", (ROOT / "Makefile").read_text())
    assert reinstalled, "the Makefile reinstalls nbagent after a build"
    assert set(reinstalled) == {DISTRIBUTION}
    # `jupyter labextension list` names the Python package the extension comes with
    install = json.loads((ROOT / "js" / "lab" / "install.json").read_text())
    assert install["packageName"] == DISTRIBUTION
    assert install["uninstallInstructions"].endswith(f"the package {DISTRIBUTION}")
    # the extension's folder is its own name (js/lab/package.json), not the distribution's
    shared = config["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
    lab_name = json.loads((ROOT / "js" / "lab" / "package.json").read_text())["name"]
    assert set(shared.values()) == {
        f"share/jupyter/labextensions/{lab_name}",
        f"share/jupyter/labextensions/{lab_name}/install.json",
    }


def test_the_version_told_to_servers_is_the_distribution_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """With PyPI's other ``nbagent`` installed too, nbagent still tells its own version."""
    import importlib.metadata

    installed = {DISTRIBUTION: "0.1.0", WRONG: "1.1.0"}

    def version(name: str) -> str:
        if name not in installed:
            raise importlib.metadata.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert stderr.client_version() == "0.1.0"
    del installed[DISTRIBUTION]  # a source tree on sys.path, not installed
    assert stderr.client_version() == "0"
