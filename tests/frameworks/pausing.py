"""What the framework approval tests share: waiting for a run's paused call, and a Stop while
it waits (``tests/frameworks/test_approvals_*.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import nbagent
from tests import aio
from tests.wait import PATIENCE


async def paused(run: nbagent.Run) -> None:
    """Until a call of ``run`` waits for an answer (an ``AssertionError`` if the run ends or
    PATIENCE seconds pass first)."""
    assert await run.until_paused(timeout=PATIENCE), f"never paused: {run.transcript.status}"


def stopped_while_paused(source: Callable[[], Any]) -> nbagent.Run:
    """Show ``source()``, Stop the run once a call waits, and return it ended."""

    async def main() -> nbagent.Run:
        run = nbagent.show(source())
        await paused(run)
        run.cancel()
        await asyncio.wait_for(run.wait_async(), PATIENCE)
        return run

    return aio.run(main())
