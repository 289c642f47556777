"""The developer page "Adding a framework" (docs/develop/frameworks.md) stays true: every file of
the repository it names exists; each item of its two checklists names, after "Agents SDK:", a
file that holds the OpenAI Agents SDK's piece; and every module of nbagent that wires the Agents
SDK in (imports one of nbagent's Agents SDK modules, or names the SDK's package ``agents`` in a
type check, a run object's row or a library table) lies in one of its homes the page names, or is
named itself. A piece moved, renamed or added elsewhere fails here until the page says so."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "develop" / "frameworks.md"
PATH = re.compile(
    r"`((?:nbagent|js|tests|docs|notebooks)/[\w./-]*|pyproject\.toml|mkdocs\.yml|README\.md)`"
)
"""A repository path in code quotes (a pattern such as ``nbagent/adapters/<format>/`` is not
one: ``<`` ends the match before the closing quote)."""
AGENTS_SDK = re.compile(r"openai[-_]agents|OpenAIAgents|Agents SDK|RunResultStreaming|\"agents\"")
"""What a file of the Agents SDK's piece says (in its path or its text)."""
CHECKLISTS = ("The checklist", "The tests")


def text() -> str:
    return PAGE.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of the page's ``## title`` section."""
    return text().split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def items(title: str) -> list[str]:
    """The numbered items of a section, each on one line."""
    parts = re.split(r"^\d+\. ", section(title), flags=re.MULTILINE)[1:]
    return [" ".join(part.split()) for part in parts]


def named() -> set[str]:
    return set(PATH.findall(text()))


def test_every_path_the_page_names_exists() -> None:
    paths = named()
    assert len(paths) >= 40, sorted(paths)
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"docs/develop/frameworks.md names files that do not exist: {missing}"


def is_agents_sdk_file(path: str) -> bool:
    file = ROOT / path
    return file.is_file() and bool(
        AGENTS_SDK.search(path) or AGENTS_SDK.search(file.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("title", CHECKLISTS)
def test_each_item_names_the_agents_sdks_own_file(title: str) -> None:
    found = items(title)
    assert len(found) >= 9, found
    for item in found:
        assert "Agents SDK:" in item, f"an item with no Agents SDK example: {item[:80]}"
        example = item.split("Agents SDK:", 1)[1]
        files = [p for p in PATH.findall(example) if is_agents_sdk_file(p)]
        assert files, f"the item's example names no file of the Agents SDK's: {item[:80]}"


def wires_the_agents_sdk(tree: ast.AST) -> bool:
    """The module imports one of nbagent's Agents SDK modules, or names the SDK's package in
    code: ``type_is(obj, "agents", ...)``, ``ResultType("agents", ...)``, ``{"agents": ...}``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(m.startswith("nbagent.") and "openai_agents" in m for m in modules):
                return True
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if name in ("type_is", "ResultType") and "agents" in args:
                return True
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if "agents" in keys:
                return True
    return False


def test_every_module_that_wires_the_agents_sdk_in_is_on_the_page() -> None:
    paths = named()
    homes = [p for p in paths if p.endswith("/") and "openai_agents" in p]
    wiring = []
    for file in sorted((ROOT / "nbagent").rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        if wires_the_agents_sdk(ast.parse(file.read_text(encoding="utf-8"))):
            wiring.append(path)
    assert len(wiring) >= 10, wiring
    unnamed = [p for p in wiring if p not in paths and not any(p.startswith(h) for h in homes)]
    assert not unnamed, f"modules of the Agents SDK's the page does not name: {unnamed}"
