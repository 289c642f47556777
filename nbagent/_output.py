"""What a widget's cell output carries, so that a saved notebook shows its runs without a kernel.

A run's display output is one mime bundle (DEVELOP.md, "The saved output"):

- ``application/vnd.nbagent._transcript+json``: the payload below. nbagent's JupyterLab /
  Notebook 7 renderer (``js/lab``) prefers it: it shows the live widget while its model
  lives, else the saved transcript with the widget's own code (no kernel, no widget state).
- ``application/vnd.jupyter.widget-view+json``: the live widget (when there is a model).
- ``text/html``: the escaped static copy (``nbagent._export.to_html``) for nbconvert, GitHub
  and any frontend without nbagent's renderer.
- ``text/plain``: the answer, one line per tool call, the status line.

The payload::

    {"version": 1, "layout": "single" | "lanes" | "chat", "model_id": str | None,
     "title": str | None,                     # the widget's own title (lanes, chat)
     "runs": [{"title": str | None, "prompt": str | None, "state": Transcript.to_dict()}]}
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from nbagent import _export as export
from nbagent._transcript import Transcript

__all__ = [
    "PAYLOAD_VERSION",
    "TRANSCRIPT_MIME",
    "WIDGET_VIEW_MIME",
    "OutputRun",
    "mimebundle",
    "payload",
]

TRANSCRIPT_MIME = "application/vnd.nbagent._transcript+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
PAYLOAD_VERSION = 1

Layout = Literal["single", "lanes", "chat"]


class OutputRun(NamedTuple):
    """One run in an output: its state, the title shown above it and the prompt that started it."""

    state: Transcript | dict[str, Any]
    title: str | None = None
    prompt: str | None = None


def _state(run: OutputRun) -> dict[str, Any]:
    return run.state if isinstance(run.state, dict) else run.state.to_dict()


def payload(
    runs: Sequence[OutputRun],
    *,
    layout: Layout = "single",
    model_id: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The ``application/vnd.nbagent._transcript+json`` value for ``runs``."""
    return {
        "version": PAYLOAD_VERSION,
        "layout": layout,
        "model_id": model_id,
        "title": title,
        "runs": [{"title": r.title, "prompt": r.prompt, "state": _state(r)} for r in runs],
    }


def mimebundle(
    runs: Sequence[OutputRun],
    *,
    layout: Layout = "single",
    model_id: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The display data of a widget showing ``runs`` (the widget view only with a ``model_id``)."""
    shown = [OutputRun(_state(r), r.title, r.prompt) for r in runs]
    data: dict[str, Any] = {
        TRANSCRIPT_MIME: payload(shown, layout=layout, model_id=model_id, title=title)
    }
    if model_id is not None:
        data[WIDGET_VIEW_MIME] = {"version_major": 2, "version_minor": 1, "model_id": model_id}
    head = f'<div class="nbagent-static nba-title">{html.escape(title)}</div>\n' if title else ""
    data["text/html"] = head + "\n".join(_run_html(r) for r in shown)
    data["text/plain"] = (f"{title}\n\n" if title else "") + "\n\n".join(
        _run_text(r) for r in shown
    )
    return data


def _run_html(run: OutputRun) -> str:
    state = _state(run)
    body = export.to_html(state | {"title": run.title} if run.title else state)
    if not run.prompt:
        return body
    return f'<div class="nbagent-static nba-prompt">{html.escape(run.prompt)}</div>\n{body}'


def _run_text(run: OutputRun) -> str:
    body = export.to_text(run.state)
    if run.title:
        body = f"{run.title}\n{body}"
    return f"> {run.prompt}\n{body}" if run.prompt else body
