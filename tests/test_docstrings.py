"""Every public name (``nbagent.__all__``) has a docstring of its own that says something: the
API reference of the documentation site (``make docs``, docs_hooks/api.py) is made from them, so
they are the single source. Kernel-free."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

import nbagent

ROOT = Path(__file__).resolve().parents[1]
MIN_WORDS = 12
"""Fewer words than this is a label, not a description (``"A step ended."``)."""


def docstring(name: str) -> str:
    obj = getattr(nbagent, name)
    own = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    return inspect.cleandoc(own or "")


@pytest.mark.parametrize("name", [n for n in nbagent.__all__ if n != "__version__"])
def test_every_public_name_has_a_docstring_that_says_something(name: str) -> None:
    doc = docstring(name)
    assert doc, f"nbagent.{name} has no docstring of its own"
    # A dataclass with no docstring gets its signature as one: "Answer(action, args=None, ...)".
    assert not doc.startswith(f"{name}("), f"nbagent.{name}: only the generated signature"
    words = len(doc.split())
    assert words >= MIN_WORDS, f"nbagent.{name}: {words} words ({doc!r})"


def docs_api() -> Any:
    """``docs_hooks.api``, the API reference's hook (the repository's root is no package)."""
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("docs_hooks.api")
    finally:
        sys.path.remove(str(ROOT))


def test_the_api_reference_places_every_public_name_once() -> None:
    api = docs_api()
    api.check_groups()  # raises naming what is missing, extra or twice
    placed = [n for _, _, names in api.GROUPS.values() for n in names]
    assert sorted(placed) == sorted(nbagent.__all__)


def test_a_class_made_of_parts_lists_their_methods_in_the_reference() -> None:
    """A public class whose public methods partly live in a base of nbagent's own that is not
    public (``Run``: ``PausedCalls``; not ``AgentRun``, whose base ``Run`` has its own page) is
    rendered with its inherited members (``WITH_PARTS``): mkdocstrings leaves them out else."""
    classes = {
        name: obj
        for name in nbagent.__all__
        if name != "__version__" and isinstance(obj := getattr(nbagent, name), type)
    }
    public = set(classes.values())
    made_of_parts = set()
    for name, cls in classes.items():
        through_public = {b for base in cls.__mro__[1:] if base in public for b in base.__mro__}
        parts = [
            base
            for base in cls.__mro__[1:]
            if base.__module__.startswith("nbagent.")
            and base not in public | through_public
            and any(not key.startswith("_") for key in vars(base))
        ]
        if parts:
            made_of_parts.add(name)
    assert made_of_parts == set(docs_api().WITH_PARTS)
