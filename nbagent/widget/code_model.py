"""The widget's code, once per kernel: the ``CodeModel`` every nbagent widget references (the
bundle, its styles, the lazy chunks sent as a widget first needs them), each widget's loader,
and ``_Scrubbed``, the base of every nbagent model (what leaves is scrubbed and looked at for
the chunks it needs; a viewer's page changes no trait)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any, cast, get_args

import ipywidgets
import traitlets

from nbagent.core.values import scrubbed
from nbagent.widget.audience import may_act
from nbagent.widget.chunks import MENTIONS, Chunk
from nbagent.widget.chunks import chunk as _chunk
from nbagent.widget.chunks import mentions_math as _mentions_math
from nbagent.widget.shared import shared

_STATIC = pathlib.Path(__file__).parent.parent / "static"


def _bundle(name: str) -> pathlib.Path | str:
    path = _STATIC / name
    if path.exists():
        return path
    # A source checkout without a build still imports; the view says what is missing.
    if name.endswith(".js"):
        message = "nbagent: the frontend bundle is missing; run `make build`"
        return f"export default {{ render({{ el }}) {{ el.textContent = {message!r}; }} }};"
    return ""


class _Scrubbed(ipywidgets.Widget):  # type: ignore[misc]  # ipywidgets has no types
    """A widget whose messages always leave: one JSON cannot carry (a lone surrogate in a
    Python string) would raise in the thread that sends it, so it is sent scrubbed (the
    transcript keeps what came). Until the page's code model carries each lazy chunk, what
    leaves is looked at for what needs it: formulas, paused calls, several runs, tool calls...
    (``CodeModel.include``, ``nbagent/widget/chunks.py``)."""

    def _send(self, msg: dict[str, Any], buffers: Any = None) -> None:
        self._watch_for_math(msg)
        try:
            super()._send(msg, buffers)
        except ValueError:  # UnicodeEncodeError, a float out of range
            super()._send(scrubbed(msg), buffers)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        # A trait update from a page: only a page that may act changes the kernel's widgets
        # (none of nbagent's views sends one; a hand-made message might).
        if may_act():
            super().set_state(sync_data)

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        state: dict[str, Any] = super().get_state(key, drop_defaults)
        self._watch_for_math(state)  # a widget opened with text in its state
        return state

    def _watch_for_math(self, value: Any) -> None:
        if isinstance(self, CodeModel):
            return
        code = getattr(self, "code", None)
        if not isinstance(code, CodeModel):
            return
        if not code.math and _mentions_math(value):
            code.include("math")
        for name, mentions in MENTIONS:
            if not getattr(code, name) and mentions(value):
                code.include(name)


def _text(name: str) -> str:
    found = _bundle(name)
    return found.read_text(encoding="utf-8") if isinstance(found, pathlib.Path) else found


class CodeModel(_Scrubbed):
    """The widget's code, once per kernel: every nbagent widget references this model, so a
    notebook saved with widget state holds the bundle once, however many runs it shows. A
    plain widget (``WidgetModel``, no view), read by each widget's tiny loader (``LOADER``)."""

    code = traitlets.Unicode("").tag(sync=True)
    """The bundle's JavaScript (an ES module: ``nbagent/static/widget.js``)."""

    css = traitlets.Unicode("").tag(sync=True)
    """The bundle's styles (``nbagent/static/widget.css``)."""

    math = traitlets.Unicode("").tag(sync=True)
    """The math chunk's JavaScript (an ES module: ``nbagent/static/math.js``: KaTeX to MathML,
    the math syntax), imported by the browser as it comes. Empty until a widget sends text
    that may hold a formula (``include_math``): a notebook without math does not save the
    chunk's 270 KB. Stays empty when it was not built (formulas then show TeX)."""

    answer = traitlets.Unicode("").tag(sync=True)
    """The answer chunk's JavaScript (``nbagent/static/answer.js``: a paused call's buttons,
    forms and code hint). Empty until a widget sends a paused call: most notebooks never pause."""

    # The feature chunks (js/build.mjs CHUNKS), each empty until a widget needs it
    # (nbagent/widget/chunks.py MENTIONS says what in a message or state needs which).
    lanes = traitlets.Unicode("").tag(sync=True)
    """The lanes chunk (``nbagent/static/lanes.js``): lanes, chat turns."""

    debug = traitlets.Unicode("").tag(sync=True)
    """The debug chunk (``nbagent/static/debug.js``): timeline, forks, replay bar."""

    data = traitlets.Unicode("").tag(sync=True)
    """The data chunk (``nbagent/static/data.js``): tool results as data."""

    acp = traitlets.Unicode("").tag(sync=True)
    """The acp chunk (``nbagent/static/acp.js``): plans, context gauge, tool kinds, diffs."""

    tools = traitlets.Unicode("").tag(sync=True)
    """The tools chunk (``nbagent/static/tools.js``): tool calls' and sub-agents' panels."""

    highlight = traitlets.Unicode("").tag(sync=True)
    """The highlight chunk (``nbagent/static/highlight.js``): code highlighted, table copy."""

    output = traitlets.Unicode("").tag(sync=True)
    """The output chunk (``nbagent/static/output.js``): a finished run's output for the page."""

    app = traitlets.Unicode("").tag(sync=True)
    """The app chunk (``nbagent/static/app.js``): an MCP app's sandboxed frame and its host."""

    app_extras = traitlets.Unicode("").tag(sync=True)
    """The app extras chunk (``nbagent/static/app_extras.js``): what an MCP app asks of its
    host beyond showing (its own tool calls answered, its log, its downloads) and its call's
    arguments as they stream; sent with the first such call or streaming input, or when the
    page asks (a download)."""

    case = traitlets.Unicode("").tag(sync=True)
    """The case chunk (``nbagent/static/case.js``): an evaluation's opened case, sent with
    the first ``open`` and as the evaluation ends (``nbagent/evaluation/board.py``)."""

    version = traitlets.Unicode("").tag(sync=True)
    """A hash of the code, styles and chunks: the browser imports each version once per
    page."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sends: Sends = _now
        """How a chunk goes out: ``sends(send, again)`` calls ``send``. The runtime
        (``kernel.sent_in_a_cell``, under `jupyter execute`) also calls ``again`` as the next
        cell starts when ``send`` may have gone out between two cells: nbclient drops what
        a cell sends after its end, and the saved notebook would lack the chunk."""
        self.on_msg(self._asked)

    def _asked(self, _model: Any, content: Any, _buffers: Any) -> None:
        # A page asks for a chunk what only it knows needs (an MCP app's download: the page's
        # js/src/base/chunks.js); a chunk is nbagent's own code, so any page may have any.
        if isinstance(content, dict) and content.get("type") == "include":
            chunk = content.get("chunk")
            if chunk in get_args(Chunk):
                self.include(cast("Chunk", chunk))

    def include(self, chunk: Chunk) -> None:
        """Send a chunk (once): ``math`` when a widget's text may hold a formula, ``answer``
        when a widget shows a paused call."""
        if not getattr(self, chunk):
            self.sends(lambda: setattr(self, chunk, _chunk(chunk)), lambda: self.send_state(chunk))

    def include_math(self) -> None:
        """Send the math chunk (once): a widget's text may hold a formula."""
        self.include("math")


Sends = Callable[[Callable[[], None], Callable[[], None]], None]
"""``sends(send, again)``: see ``CodeModel.sends``."""


def _now(send: Callable[[], None], again: Callable[[], None]) -> None:
    send()


def _make_code_model() -> CodeModel:
    import hashlib

    code, css = _text("widget.js"), _text("widget.css")
    chunks = "".join(_chunk(name) for name in get_args(Chunk))
    version = hashlib.sha256((code + css + chunks).encode()).hexdigest()[:16]
    return CodeModel(code=code, css=css, version=version)


def code_model() -> CodeModel:
    """The page's ``CodeModel`` (made at the first widget): one per kernel, one per session
    in marimo (``nbagent.widget.shared``)."""
    return shared(CodeModel, _make_code_model)


def shared_layout() -> ipywidgets.Layout:
    """One ``Layout`` for every nbagent widget of the page: each DOMWidget references a layout
    model, saved with the notebook (1.2 KB each); nbagent sets none, so one serves them all."""
    return shared(ipywidgets.Layout, ipywidgets.Layout)


LOADER = _text("loader.js")
"""Each widget's ``_esm`` (``js/src/base/loader.js``, 0.7 KB): imports the code of its ``code``
model once per page and hands ``initialize`` and ``render`` to it."""
