"""The frameworks' tests: each against the real package (the ``frameworks`` extra).

Every test here is marked ``frameworks``. ``need("agents")`` imports a package or skips the
test when it is not installed (the other Pythons of ``make test-pythons`` install only
``test-core``); under ``CI=true`` on ``.venv``'s Python a missing package fails instead,
so that CI never passes by skipping what it was meant to test.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.frameworks)


def need(module: str) -> ModuleType:
    """``import module``, or skip (fail under ``CI=true`` in the project's own ``.venv``)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        in_venv = Path(sys.prefix).name == ".venv"
        if os.environ.get("CI") == "true" and in_venv:
            pytest.fail(f"{module} is not installed in .venv (the frameworks extra): {exc}")
        reason = f"{module} is not installed (pip install -e '.[frameworks]'): {exc}"
        pytest.skip(reason, allow_module_level=True)
