"""Re-run, Copy as code and the "cannot reach" line for a run's tool calls, wherever nbagent
can call the tools: ``nbagent.Agent``'s runs (``AgentRun``) and frameworks' runs whose tool
objects it holds. ``Reruns`` (``kit/reruns.py``) is the one piece both compose; each
framework's ``reach`` (its ``rerun.py``, or its module: ``langchain.py``, ...) says how its
tools are reached and called, and ``REACHES`` lists them.

``attach(run, source)``, before the run starts: where ``source`` (what the run reads, or the
objects a ``watch`` holds) gives nbagent a framework's tool objects, each call's panel gets
Re-run through the framework's own call path (``Reruns``) and Copy as code as the
framework's call (``ToolCallStart.call_as``); a call of a tool it cannot reach (a hosted one,
one of no agent it holds) gets the reason its panel says instead (``ToolCallStart.no_rerun``).
A run whose tools it cannot reach at all (a stream, a recording) says why once, for all its
panels (``Run.cannot_rerun``: the widget's ``can_rerun``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbagent.core.events import Event, ToolCallStart
from nbagent.frameworks import langchain, llama_index, smolagents
from nbagent.frameworks.kit.reach import HOSTED, RECORDING, STREAM, Found, Lookup
from nbagent.frameworks.kit.reruns import Reruns, ToolCaller, ToolCallError
from nbagent.frameworks.openai_agents import rerun as openai_agents
from nbagent.frameworks.pydantic_ai import rerun as pydantic_ai
from nbagent.runtime.reruns import cannot_reach
from nbagent.runtime.run import Run
from nbagent.sources.tool_servers import PydanticAiServers, tool_servers

if TYPE_CHECKING:
    from nbagent.tools import ToolOutcome

__all__ = [
    "REACHES",
    "RECORDING",
    "STREAM",
    "FrameworkTools",
    "Reruns",
    "ToolCallError",
    "ToolCaller",
    "attach",
    "reach",
]

REACHES: tuple[Callable[[Any], Lookup | str | None], ...] = (
    openai_agents.reach,
    pydantic_ai.reach,
    langchain.reach,
    llama_index.reach,
    smolagents.reach,
)
"""Each framework's: None when the object is not its, else its tools or why not."""


def reach(*sources: Any) -> Lookup | str | None:
    """The tools the objects give nbagent (the first that has a name wins), or why they give
    none; None when no framework knows any of them."""
    found = [f for obj in sources for r in REACHES if (f := _asked(r, obj)) is not None]
    lookups = [f for f in found if not isinstance(f, str)]
    if not lookups:
        return next(iter(found), None)

    def lookup(name: str) -> Found:
        results = [each(name) for each in lookups]
        return next((r for r in results if not isinstance(r, str)), results[0])

    return lookup


def _asked(reach: Callable[[Any], Lookup | str | None], obj: Any) -> Lookup | str | None:
    """``reach(obj)``; None when reading ``obj`` raised (a user's source whose ``result`` is a
    property that fails): nbagent's look at a source must not keep ``show()`` from showing it."""
    try:
        return reach(obj)
    except Exception:  # noqa: BLE001 - the run goes on without Re-run, saying it cannot reach
        return None


class FrameworkTools:
    """A framework run's tools as nbagent reaches them: stamps each call as it starts (Copy
    as code, or why no Re-run) and calls a tool for a re-run."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup

    def stamp(self, ev: Event) -> Event:
        if not isinstance(ev, ToolCallStart) or not ev.name:
            return ev
        found = HOSTED if ev.executor == "server" else self._lookup(ev.name)
        if isinstance(found, str):
            return dataclasses.replace(ev, no_rerun=found)
        if found.call_as and not ev.call_as:
            return dataclasses.replace(ev, call_as=found.call_as)
        return ev

    def call(self, name: str, args: dict[str, Any]) -> ToolOutcome:
        from nbagent.tools import ToolOutcome, call_tool_sync

        found = self._lookup(name)
        if isinstance(found, str):  # the run's objects changed since the call
            return ToolOutcome(error_type="Unreachable", error_message=cannot_reach(found))
        return call_tool_sync(found, args)


def attach(run: Run, *sources: Any, why: str = STREAM) -> None:
    """Give ``run`` the Re-run of its tools where ``sources`` reach them, else say why not
    (``why`` when no framework knows the sources). Call it before the run starts: each call
    is stamped as it arrives."""
    if any(isinstance(tool_servers(s), PydanticAiServers) for s in sources):
        # A pydantic-ai run's MCP apps, through its toolsets (loads nbagent.mcp_client).
        from nbagent.frameworks.pydantic_ai.apps import attach_apps

        attach_apps(run, *sources)
    found = reach(*sources)
    if found is None:
        found = why
    if isinstance(found, str):
        run.cannot_rerun(found)
        return
    tools = FrameworkTools(found)
    run.amend(tools.stamp)
    Reruns(run, tools.call)
