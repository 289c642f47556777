"""The frameworks' tests: each against the real package (the ``frameworks`` extra).

Every test here is marked ``frameworks``. ``need("agents")`` imports a package or skips the
test when it is not installed (the other Pythons of ``make test-pythons`` install only
``test-core``); under ``CI=true`` on ``.venv``'s Python a missing package fails instead,
so that CI never passes by skipping what it was meant to test.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_HERE = Path(__file__).parent
EVALAGENT = str(_HERE.parent / "acp_agents" / "evalagent.py")
"""The scripted ACP agent of evaluations and chats (tests/acp_agents/evalagent.py)."""


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


@pytest.fixture
def own_loop() -> Iterator[None]:
    """A loop of the test's own as this thread's event loop, closed after it, for a library's
    ``run_sync`` (the Agents SDK's ``Runner.run_sync``, pydantic-ai's ``agent.run_sync``):
    ``run_sync`` keeps the thread's default loop (and the executor thread that ran the sync
    tools) open after it returns, and Playwright's sync API (the browser tests, earlier in a
    full session) leaves the main thread's loop marked running, where ``run_sync`` refuses."""
    running = asyncio._get_running_loop()
    before = getattr(asyncio.get_event_loop_policy()._local, "_loop", None)  # type: ignore[attr-defined]
    asyncio._set_running_loop(None)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    if not loop.is_closed():
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
    asyncio.set_event_loop(before)
    asyncio._set_running_loop(running)


@pytest.fixture
def started() -> Iterator[list[Any]]:
    """The ACP agents (``nbagent.acp``) a test starts: closed at its end, whatever happened."""
    agents: list[Any] = []
    yield agents
    for agent in agents:
        agent.close()


@pytest.fixture
def agent() -> Iterator[Any]:
    """``nbagent.acp`` over the scripted agent ``EVALAGENT`` (with this Python), closed at the
    test's end."""
    import nbagent
    from tests.wait import PATIENCE

    agent = nbagent.acp([sys.executable, EVALAGENT], startup_timeout=PATIENCE)
    yield agent
    agent.close()
