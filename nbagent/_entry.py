"""``show()``: the one call that renders any source live, a run or lanes of runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

from nbagent._lanes import Lanes, show_lanes
from nbagent.runtime.run import Run, launch

__all__ = ["show"]


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
    """
    if isinstance(source, Mapping):
        return show_lanes(
            source, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms, format=format
        )
    run = Run(
        source, format=format, title=title, show_thinking=show_thinking, throttle_ms=throttle_ms
    )
    return launch(run)
