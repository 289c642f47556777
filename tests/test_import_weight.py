"""``import nbagent`` is light (ARCHITECTURE.md: the protocol SDKs, pydantic, httpx, openai, the
frameworks and the evaluation layer load when first used; issue 50). A fresh interpreter
imports nbagent, or every public name but those of the layers that need such a module, and
none of them is loaded; a test that fails names the chain of imports that brought the
module. Every public name still resolves. The times are figures in
``benchmarks/import_weight.py``, not asserted here.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbagent
from tests.test_no_framework_imports import FRAMEWORKS

ROOT = Path(__file__).resolve().parents[1]

HEAVY = (
    "pydantic",
    "pydantic_core",
    "httpx",
    "websockets",
    "mcp",
    "acp",
    *FRAMEWORKS,  # openai, anthropic, a2a, ag_ui, langchain_core, pydantic_ai, litellm, ...
    "nbagent.mcp_client",
    "nbagent.acp_client",
    "nbagent.evaluation",
    "nbagent.agent.agent",
    "nbagent.tools",  # pydantic: a tool's schema and validation
    "ray",  # evaluate(executor="ray") only (nbagent.evaluation.ray_cases)
    "nbagent.evaluation.ray_cases",
)
"""What no name loads unless it is the name of that layer (``OWN_HEAVY``)."""

WIDGET = ("anywidget", "ipywidgets", "nbagent.widget.widget")
"""What ``import nbagent`` alone does not load: the first name that shows a run does."""

OWN_HEAVY = {
    **dict.fromkeys(("Agent", "AgentRun", "AgentSession", "ToolCallError"), "nbagent's agent"),
    **dict.fromkeys(("Tool", "ToolArgumentsError"), "pydantic: a tool's schema"),
    **dict.fromkeys(("acp", "AcpAgent", "AcpError"), "the ACP layer"),
    **dict.fromkeys(
        ("mcp", "McpError", "McpRequest", "McpResult", "McpServer", "McpTool", "McpToolError"),
        "the MCP layer",
    ),
    **dict.fromkeys(("evaluate", "EvalCase", "Evaluation", "load"), "the evaluation layer"),
    **dict.fromkeys(("sse", "HTTPStatusError"), "httpx"),
}
"""Public names whose own layer is one of ``HEAVY`` (or needs one): they load it."""

CHILD = r"""
import json, sys

WATCHED = tuple(sys.argv[1].split(","))
chains = {}


class Who:
    # For each watched module, the imports under way when it was first asked for: the
    # frames of the modules (and functions) importing it, outermost first.
    def find_spec(self, name, path=None, target=None):
        root = next((w for w in WATCHED if name == w or name.startswith(w + ".")), None)
        if root is not None and root not in chains:
            frame, chain = sys._getframe(1), []
            while frame is not None:
                module = frame.f_globals.get("__name__", "?")
                if module != "__main__" and not module.startswith(("importlib", "_frozen")):
                    code = frame.f_code.co_name
                    where = "" if code == "<module>" else f" ({code})"
                    chain.append(f"{module}:{frame.f_lineno}{where}")
                frame = frame.f_back
            chains[root] = chain[::-1]
        return None


sys.meta_path.insert(0, Who())
exec(sys.argv[2], {"__name__": "<statement>"})
print(json.dumps({"modules": sorted(sys.modules), "chains": chains}))
"""


def loaded(statement: str, watched: tuple[str, ...]) -> tuple[set[str], dict[str, list[str]]]:
    """The modules a fresh interpreter holds after ``statement``, and for each of ``watched``
    that it loaded, the import chain that brought it."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(watched), statement],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{statement!r} failed:\n{done.stderr}"
    out: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return set(out["modules"]), out["chains"]


def heavy_loaded(statement: str, watched: tuple[str, ...]) -> list[str]:
    """Each of ``watched`` that ``statement`` loaded, with who imported it."""
    modules, chains = loaded(statement, watched)
    return [
        f"{name}, imported by {' -> '.join(chains.get(name, ['?']))}"
        for name in watched
        if name in modules
    ]


def test_import_nbagent_loads_no_sdk_framework_layer_or_widget() -> None:
    found = heavy_loaded("import nbagent", HEAVY + WIDGET)
    assert found == [], "import nbagent loaded:\n" + "\n".join(found)


def test_the_names_that_show_runs_load_no_sdk_framework_or_heavy_layer() -> None:
    """Every public name but those of a heavy layer (``show``, ``Chat``, ``replay``,
    ``watch``, ``Transcript``, ``iter_events``, ...) loads none of ``HEAVY``: a Chat does not
    load the ACP layer (it did: issue 50), a run shown does not load pydantic or httpx."""
    names = [n for n in nbagent.__all__ if n != "__version__" and n not in OWN_HEAVY]
    found = heavy_loaded(f"from nbagent import {', '.join(names)}", HEAVY)
    lines = "\n".join(found)
    assert found == [], f"from nbagent import (every name not in OWN_HEAVY) loaded:\n{lines}"


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    """``from nbagent import X`` for every name of ``__all__``, each the object its module
    defines (the lazy table's first look-up, not one cached by an earlier test)."""
    names = [n for n in nbagent.__all__ if n != "__version__"]
    check = (
        f"from nbagent import {', '.join(names)}\n"
        "import importlib, nbagent\n"
        "wrong = [n for n, m in nbagent._LAZY.items()\n"
        "         if getattr(importlib.import_module(m), n) is not globals()[n]]\n"
        "assert wrong == [], wrong\n"
    )
    loaded(check, ())


def test_the_lazy_table_and_the_type_checking_imports_name_the_public_api() -> None:
    """Editors and mypy read the ``TYPE_CHECKING`` imports, the interpreter the lazy table:
    both give every name of ``__all__`` from the same module."""
    tree = ast.parse((ROOT / "nbagent" / "__init__.py").read_text(encoding="utf-8"))
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    typed = {
        alias.asname or alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    public = set(nbagent.__all__) - {"__version__"}
    assert set(nbagent._LAZY) == public
    assert typed == nbagent._LAZY
