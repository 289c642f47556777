"""What a widget's cell output carries, so that a saved notebook shows its runs without a kernel.

A run's display output is one mime bundle (docs/develop/frontends.md):

- ``application/vnd.nbagent.transcript+json``: the payload below. nbagent's JupyterLab /
  Notebook 7 renderer (``js/lab``) prefers it: it shows the live widget while its model
  lives, else the saved transcript with the widget's own code (no kernel, no widget state).
- ``application/vnd.jupyter.widget-view+json``: the live widget (when there is a model).
- ``text/html``: the escaped static copy (``nbagent.transcript.export.to_html``) for nbconvert,
GitHub
  and any frontend without nbagent's renderer.
- ``text/plain``: the answer, one line per tool call, the status line; a chat's turns give
  their outline only (``brief_text``: prompt, the answer's start, status line).

The payload::

    {"version": 1, "layout": "single" | "lanes" | "chat", "model_id": str | None,
     "title": str | None,                     # the widget's own title (lanes, chat)
     "runs": [{"title": str | None, "prompt": str | None, "state": Transcript.to_dict() | None}]}

A run's ``state`` is ``None`` in the display update the kernel writes at a run's end for a
client that names no cell (``assemble(..., in_model=True)``; nbclient: ``jupyter execute``,
papermill): the widget's model holds that state, and that client saves the model's state with
the output, so the notebook does not carry it twice (docs/develop/frontends.md: a
reader with neither shows the ``text/html`` copy). The browser writes the full payload when
it saves the output.

``assemble`` makes the data from a ``Head`` and each run's ``RunOutput`` (its static HTML and
text made once); the answer to the browser's ``output`` carries the head and the static parts
it lacks, and the browser assembles the same data over the states it has
(``js/src/store/offer.js``).

Twin: js/src/view/lanes_view.js, js/src/view/saved.js
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from nbagent.transcript import export as export
from nbagent.transcript.export import _STYLE as STYLE
from nbagent.transcript.export.common import answer_text, status_line
from nbagent.transcript.media import saved_state
from nbagent.transcript.transcript import Transcript

__all__ = [
    "PAYLOAD_VERSION",
    "TRANSCRIPT_MIME",
    "WIDGET_VIEW_MIME",
    "Head",
    "OutputRun",
    "RunOutput",
    "assemble",
    "brief_text",
    "mimebundle",
    "payload",
    "split",
]

TRANSCRIPT_MIME = "application/vnd.nbagent.transcript+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
PAYLOAD_VERSION = 1
BRIEF = 100
"""The characters of its answer a chat turn's plain text keeps (``brief_text``)."""

Layout = Literal["single", "lanes", "chat"]


class OutputRun(NamedTuple):
    """One run in an output: its state, the title shown above it and the prompt that started it."""

    state: Transcript | dict[str, Any]
    title: str | None = None
    prompt: str | None = None


def _state(run: OutputRun) -> dict[str, Any]:
    """The run's state as the output saves it: the pictures and sounds over the saved bound
    without their data (``saved_state``)."""
    return saved_state(run.state if isinstance(run.state, dict) else run.state.to_dict())


def payload(
    runs: Sequence[OutputRun],
    *,
    layout: Layout = "single",
    model_id: str | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The ``application/vnd.nbagent.transcript+json`` value for ``runs``."""
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
    head = Head(layout, model_id, title)
    return assemble(head, [RunOutput(_state(r), r.title, r.prompt) for r in runs])


class Head(NamedTuple):
    """What an output says once, above its runs: the payload's fields, the widget's title."""

    layout: Layout
    model_id: str | None = None
    title: str | None = None

    @property
    def html(self) -> str:
        """The static HTML before the runs'."""
        if not self.title:
            return ""
        return f'<div class="nbagent-static nba-title">{html.escape(self.title)}</div>\n'

    @property
    def text(self) -> str:
        """The plain text before the runs'."""
        return f"{self.title}\n\n" if self.title else ""

    def fields(self) -> dict[str, Any]:
        """The head as the browser gets it (``wire.output_message``): it assembles the output
        data from this, each run's static part and its own copy of each run's state."""
        return {
            "version": PAYLOAD_VERSION,
            "layout": self.layout,
            "model_id": self.model_id,
            "title": self.title,
            "html": self.html,
            "text": self.text,
        }


class RunOutput:
    """One run's share of an output: its state, title and prompt, and its static HTML and
    text, each made once, when first needed (``to_html`` renders the run's markdown).
    ``version`` tells the browser whether the static part it holds is this one."""

    __slots__ = ("_html", "_text", "brief", "prompt", "state", "styled", "title", "version")

    def __init__(
        self,
        state: dict[str, Any],
        title: str | None = None,
        prompt: str | None = None,
        *,
        version: int = 0,
        html: str | None = None,
        text: str | None = None,
        styled: bool = True,
        brief: bool = False,
    ) -> None:
        self.state = state
        self.title = title
        self.prompt = prompt
        self.version = version
        self.styled = styled
        """Whether the HTML carries the static copy's style: a widget of several runs puts it
        in its first run's only (one ``<style>`` serves the whole output, which shows them
        together), so a chat's turn does not send it again."""
        self.brief = brief
        """Whether the plain text is the run's outline (``brief_text``), not its whole text: a
        chat's turns, whose whole text the HTML copy and the saved state carry already (a
        chat sends each turn's text twice, not three times, whatever it holds); and the HTML
        leaves out the folded Details when they hold no usage (``to_html``'s ``brief``)."""
        self._html = html
        self._text = text

    @property
    def html(self) -> str:
        """The run's escaped static HTML (``export.to_html``), below its prompt."""
        if self._html is None:
            made = _run_html(OutputRun(self.state, self.title, self.prompt), brief=self.brief)
            if not self.styled:
                made = made.replace(f"<style>{STYLE}", "<style>", 1).replace(
                    "<style></style>\n", "", 1
                )
            self._html = made
        return self._html

    @property
    def text(self) -> str:
        """The run's plain text (``export.to_text``), under its title and prompt."""
        if self._text is None:
            run = OutputRun(self.state, self.title, self.prompt)
            self._text = brief_text(run) if self.brief else _run_text(run)
        return self._text

    def part(self) -> dict[str, Any]:
        """What the browser cannot make itself: the static copies (it has the state)."""
        return {"title": self.title, "prompt": self.prompt, "html": self.html, "text": self.text}


def assemble(head: Head, runs: Sequence[RunOutput], *, in_model: bool = False) -> dict[str, Any]:
    """The display data of ``runs`` under ``head``; the browser assembles the same from an
    ``output`` answer (``js/src/store/offer.js``, ``OutputParts``). ``in_model``: the runs' states
    are left out of the payload (``None``), the widget's model holding them."""
    shown = [OutputRun(r.state, r.title, r.prompt) for r in runs]
    shown_payload = payload(shown, layout=head.layout, model_id=head.model_id, title=head.title)
    if in_model and head.model_id is not None:
        for run in shown_payload["runs"]:
            run["state"] = None
    data: dict[str, Any] = {TRANSCRIPT_MIME: shown_payload}
    if head.model_id is not None:
        data[WIDGET_VIEW_MIME] = {
            "version_major": 2,
            "version_minor": 1,
            "model_id": head.model_id,
        }
    data["text/html"] = head.html + "\n".join(r.html for r in runs)
    data["text/plain"] = head.text + "\n\n".join(r.text for r in runs)
    return data


def split(data: dict[str, Any], *, version: int = 0) -> tuple[Head, RunOutput]:
    """The head and the run of the display data of one run (``mimebundle`` of one run)."""
    shown = data[TRANSCRIPT_MIME]
    if len(shown["runs"]) != 1:
        raise ValueError(f"split() takes the output of one run, not {len(shown['runs'])}")
    head = Head(shown["layout"], shown["model_id"], shown["title"])
    (run,) = shown["runs"]
    html_ = data["text/html"].removeprefix(head.html)
    text = data["text/plain"].removeprefix(head.text)
    return head, RunOutput(
        run["state"], run["title"], run["prompt"], version=version, html=html_, text=text
    )


def _run_html(run: OutputRun, *, brief: bool = False) -> str:
    state = _state(run)
    body = export.to_html(state | {"title": run.title} if run.title else state, brief=brief)
    if not run.prompt:
        return body
    return f'<div class="nbagent-static nba-prompt">{html.escape(run.prompt)}</div>\n{body}'


def brief_text(run: OutputRun, limit: int = BRIEF) -> str:
    """A run's outline in plain text: its title and prompt, the start of its answer (its
    whitespace folded, at most ``limit`` characters) and its status line."""
    state = _state(run)
    answer = " ".join(answer_text(state.get("blocks", [])).split())
    if len(answer) > limit:
        answer = answer[: limit - 1] + "…"
    body = "\n".join(line for line in (run.title, answer, status_line(state)) if line)
    return f"> {run.prompt}\n{body}" if run.prompt else body


def _run_text(run: OutputRun) -> str:
    body = export.to_text(run.state)
    if run.title:
        body = f"{run.title}\n{body}"
    return f"> {run.prompt}\n{body}" if run.prompt else body
