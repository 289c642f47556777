"""The entry points: ``show()`` renders any source live (a run, or lanes of runs for a
mapping); ``compare()`` runs one prompt through several agents side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, overload

from nbagent.apps.lanes import Lanes, is_agent
from nbagent.apps.traces import TraceRun
from nbagent.frameworks.rerun import attach
from nbagent.frameworks.resume import resumable
from nbagent.runtime.run import Run, launch

__all__ = ["compare", "show", "show_lanes"]


@overload
def show(
    source: Mapping[str, Any],
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",
) -> Lanes: ...


@overload
def show(
    source: Any,
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",
) -> Run: ...


def show(
    source: Any,
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",  # noqa: A002 - the public API's name
) -> Run | Lanes:
    """Render a stream live below the cell and return its :class:`Run` at once.

    ``source``: an iterable or async iterable of ``str`` (text deltas), of
    :class:`nbagent.Event`, or of wire items of a known ``format`` (an OpenAI
    ``Stream`` of ``ChatCompletionChunk``, ...); anything else raises
    :class:`nbagent.SourceTypeError` at once. Outside a notebook the text
    is printed as it streams.

    A mapping ``{"name": source, ...}`` shows each source in its own lane of one
    widget, side by side, and returns the :class:`nbagent.Lanes`.

    Where the source holds a framework's tool objects (``Runner.run_streamed(agent, ...)``,
    ``with_approvals(agent, ...)``, ``graph.stream(...)``, a LlamaIndex agent's ``run()``, a
    smolagents agent's ``run(..., stream=True)``), its tool panels offer Re-run through the
    framework's own call and ``run.rerun_tool(i, **args)`` works; elsewhere they say why not.

    A run that ``nbagent.load_trace`` read is displayed and played at once (its title and
    options are the ones ``load_trace`` was given); in a mapping, it plays in its lane.
    """
    if isinstance(source, TraceRun):
        return source.show()
    if isinstance(source, Mapping):
        return show_lanes(
            source, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms, format=format
        )
    run = Run(
        resumable(source),  # a framework's run whose approvals the widget can answer
        format=format,
        title=title,
        show_thinking=show_thinking,
        throttle_ms=throttle_ms,
    )
    attach(run, run.source)  # Re-run where the source reaches its tools, else the line why not
    return launch(run)


def _unique_names(names: Sequence[str]) -> list[str]:
    """``["m", "m", "x"]`` → ``["m", "m (2)", "x"]``: lanes are found by name."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def show_lanes(
    sources: Mapping[str, Any],
    *,
    title: str | None = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
    format: str = "auto",  # noqa: A002 - the public API's name
) -> Lanes:
    """``show({"name": source, ...})``: each source in its own lane of one widget."""
    if not sources:
        raise ValueError("show() got an empty mapping: give at least one lane")
    lanes = Lanes(title=title, show_thinking=show_thinking, throttle_ms=throttle_ms)
    runs = [
        lanes.add(_lane(src), name=str(name), format=format, start=False)
        for name, src in sources.items()
    ]
    _start(lanes, runs)
    return lanes


def _lane(source: Any) -> Any:
    """What a lane reads: a run ``load_trace`` read plays its events there."""
    return source.lane_source() if isinstance(source, TraceRun) else source


def compare(
    *args: Any,
    names: Sequence[str] | None = None,
    title: str | None = None,
    history: Any = None,
    show_thinking: bool = True,
    throttle_ms: float = 50,
) -> Lanes:
    """The same prompt through several agents, side by side in one widget::

        nbagent.compare(agent_a, agent_b, "Weather in Oslo?")
        nbagent.compare({"big": agent_a, "small": agent_b}, "Weather in Oslo?")

    Lanes are named by ``names``, the mapping's keys, or each agent's ``model``.
    """
    if len(args) < 2 or not isinstance(args[-1], str):
        raise TypeError("compare(agent_a, agent_b, ..., prompt): the last argument is the prompt")
    *agents, prompt = args
    if len(agents) == 1 and isinstance(agents[0], Mapping):
        names = [str(k) for k in agents[0]]
        agents = list(agents[0].values())
    for agent in agents:
        if not is_agent(agent):
            raise TypeError(f"compare() takes nbagent.Agent objects, got {type(agent).__name__}")
    if names is None:
        names = [str(getattr(a, "model", f"agent {i + 1}")) for i, a in enumerate(agents)]
    if len(names) != len(agents):
        raise ValueError(f"{len(names)} names for {len(agents)} agents")
    lanes = Lanes(title=title or prompt, show_thinking=show_thinking, throttle_ms=throttle_ms)
    runs = [
        lanes.add_agent(agent, prompt, name=name, history=history, show_prompt=False, start=False)
        for agent, name in zip(agents, _unique_names(names), strict=True)
    ]
    _start(lanes, runs)
    return lanes


def _start(lanes: Lanes, runs: list[Run]) -> None:
    """Display the widget, then start the lanes together."""
    lanes.display()
    for run in runs:
        run.start()
