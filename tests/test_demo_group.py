"""`make demo` installs what every tutorial imports: each package a code cell of notebooks/*.ipynb
imports (and each script a cell writes with ``%%writefile``) belongs to a distribution that
nbagent or pyproject.toml's demo group requires, directly or through another one. Read from the
notebooks themselves, with the distributions installed here (the dev extra has them all); the
demo-install lane then runs every tutorial in the environment `make demo` built
(tests/test_notebook_execute.py, marked demo_env)."""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
from importlib.metadata import Distribution, distributions, packages_distributions
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: pytest's own tomli
    import tomli as tomllib

# The frameworks' own packages: installed by the dev extra (make install), Python >= 3.11.
pytestmark = pytest.mark.frameworks

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
IMPORTED_FOR = {"watch.ipynb": ["opentelemetry-sdk"]}
"""What nbagent imports on a tutorial's behalf: ``nbagent.watch()`` reads pydantic-ai's spans
with the OpenTelemetry SDK (nbagent/sources/hooks/otel.py)."""


def imported(notebook: str) -> set[str]:
    """The modules the code cells of ``notebook`` import (absolute imports, any depth), and
    those of the Python files its cells write (``%%writefile x.py``: run by the kernel's
    Python as the tutorial's server or agent)."""
    manager = TransformerManager()
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    found: set[str] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        first, _, rest = source.partition("\n")
        if re.fullmatch(r"%%writefile\s+\S+\.py\s*", first):
            source = rest
        flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        tree = compile(manager.transform_cell(source), notebook, "exec", flags=flags)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return {m for m in found if m.split(".")[0] not in sys.stdlib_module_names}


@functools.cache
def installed() -> dict[str, Distribution]:
    return {canonicalize_name(d.metadata["Name"]): d for d in distributions()}


@functools.cache
def providers() -> dict[str, list[str]]:
    return packages_distributions()


def provider(module: str, dists: dict[str, Distribution]) -> str:
    """The distribution whose files hold ``module`` (a package split over several, as
    ``langgraph.prebuilt``, is found by its path), read from the metadata: nothing imported."""
    top = module.split(".")[0]
    path = module.replace(".", "/")
    names = providers().get(top, [])
    assert names, f"{module}: no installed distribution provides it (make install installs all)"
    for name in names:
        for file in dists[canonicalize_name(name)].files or []:
            text = file.as_posix()
            if text.startswith((f"{path}/", f"{path}.")):
                return canonicalize_name(name)
    return canonicalize_name(names[0])


def demo_group() -> list[Requirement]:
    return [Requirement(r) for r in PYPROJECT["dependency-groups"]["demo"]]


def make_demo_installs(dists: dict[str, Distribution]) -> set[str]:
    """nbagent's own requirements and the demo group's, with everything they require in turn,
    on this Python (the markers evaluated here: make demo's Python is .venv's)."""
    roots = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]] + demo_group()
    wanted = [r for r in roots if r.marker is None or r.marker.evaluate({"extra": ""})]
    seen: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or name not in dists:
            continue
        seen.add(name)
        for extra in [*requirement.extras, ""]:
            for text in dists[name].requires or []:
                needed = Requirement(text)
                if needed.marker is None or needed.marker.evaluate({"extra": extra}):
                    wanted.append(needed)
    return seen


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the frameworks need Python >= 3.11")
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_make_demo_installs_what_the_tutorial_imports(notebook: str) -> None:
    dists = installed()
    demo = make_demo_installs(dists)
    needed = {provider(m, dists): m for m in imported(notebook) if m.split(".")[0] != "nbagent"}
    needed |= {canonicalize_name(name): "(nbagent)" for name in IMPORTED_FOR.get(notebook, [])}
    missing = sorted(f"{name} ({module})" for name, module in needed.items() if name not in demo)
    assert not missing, f"{notebook} imports what make demo does not install: {missing}"


def test_the_tutorials_imports_are_read() -> None:
    assert {"acp", "acp.schema", "pandas"} <= imported("acp.ipynb")
    assert "mcp.server.mcpserver" in imported("mcp.ipynb")  # from the server it writes
    assert {"agents", "litellm", "llama_index.core.llms"} <= imported("frameworks.ipynb")
    assert imported("quickstart.ipynb") == {"nbagent"}


def test_the_demo_group_pins_each_framework_as_the_frameworks_extra() -> None:
    """The same versions, so `make demo` and `make install` lock one version of each (the
    markers may differ: the ACP SDK runs on Python 3.10, the frameworks extra's on 3.11)."""
    frameworks = {
        canonicalize_name(r.name): r
        for r in map(Requirement, PYPROJECT["project"]["optional-dependencies"]["frameworks"])
    }
    shared = [r for r in demo_group() if canonicalize_name(r.name) in frameworks]
    assert len(shared) >= 6
    for requirement in shared:
        assert requirement.specifier == frameworks[canonicalize_name(requirement.name)].specifier
