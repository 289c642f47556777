"""Models every nbagent widget of a page references: the code model (the widget's JavaScript
and CSS, once per notebook) and the layout. One per kernel; in marimo one per session.

marimo (looked at only if it is imported: nbagent never imports it) gives each widget a comm
bound to the session that made it: ``marimo run`` serves each viewer a session of its own from
one process, and a model reaches only its own session's page. It also closes the widgets a
cell made when that cell runs again, while a shared model serves every cell's widgets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["marimo_context", "shared"]

M = TypeVar("M")

_MODELS: dict[type, list[Any]] = {}


def marimo_context() -> Any:
    """marimo's runtime context of this thread, or None (marimo's own module is looked up,
    never imported)."""
    module = sys.modules.get("marimo._runtime.context")
    return module.safe_get_context() if module is not None else None


def _is_open(model: Any) -> bool:
    comm = model.comm
    return comm is not None and not getattr(comm, "_closed", False)


def _open_here(model: Any, session: Any) -> bool:
    """Whether the page of ``session`` (marimo's output stream; None elsewhere) has ``model``."""
    return _is_open(model) and (session is None or getattr(model.comm, "_stream", None) is session)


def _outlive_cell(model: Any) -> None:
    """Take ``model`` off the list of widgets marimo closes when the running cell runs again."""
    context = marimo_context()
    registry = getattr(getattr(context, "cell_lifecycle_registry", None), "registry", None)
    items = registry.get(getattr(context, "cell_id", None)) if isinstance(registry, dict) else None
    if isinstance(items, set):
        for item in list(items):
            if getattr(item, "_comm", None) is model.comm:
                items.discard(item)


def shared(kind: type[M], make: Callable[[], M]) -> M:
    """The open ``kind`` model of this page, made by ``make()`` when there is none (again
    once its comm was closed: ``Widget.close_all()``, a marimo cell run again)."""
    session = getattr(marimo_context(), "stream", None)
    models = _MODELS.setdefault(kind, [])
    for model in models:
        if _open_here(model, session):
            return model  # type: ignore[no-any-return]
    # The closed ones go: their pages are gone, or get the new one.
    models[:] = [m for m in models if _is_open(m)]
    model = make()
    _outlive_cell(model)
    models.append(model)
    return model
