"""Every module of nbagent imports on this Python (marker ``smoke``: ``make test-pythons`` runs
it on every supported Python). ``import nbagent`` loads its layers only when a name is first
used, so a module that no other test of a Python imports would otherwise never be imported
there: a syntax or typing construct that Python does not have yet, a standard-library name it
lacks, a dependency missing from test-core, all show here, each under the module's name.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import nbagent

pytestmark = pytest.mark.smoke

PACKAGE = Path(nbagent.__file__).parent


def source_modules() -> list[str]:
    """The dotted name of every ``.py`` file under nbagent/, packages by their ``__init__``."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = source_modules()


@pytest.mark.parametrize("name", MODULES)
def test_the_module_imports(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__name__ == name


def test_the_modules_are_every_module_python_finds() -> None:
    # walk_packages finds them as the import system does (packages, then what is in them): a
    # module the file walk above missed, or a file Python would not import as that name
    found = {info.name for info in pkgutil.walk_packages(nbagent.__path__, "nbagent.")}
    assert found == set(MODULES) - {"nbagent"}
