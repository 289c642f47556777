"""The widget's code, once per kernel: the ``CodeModel`` every nbagent widget references (the
bundle, its styles, the lazy chunks sent as a widget first needs them), each widget's loader,
and ``_Scrubbed``, the base of every nbagent model (what leaves is scrubbed and looked at for
the chunks it needs; a viewer's page changes no trait)."""

from __future__ import annotations

import pathlib
import types
from collections.abc import Callable
from typing import Any, cast

import ipywidgets
import traitlets

from nbagent.core.values import scrubbed
from nbagent.widget.audience import may_act
from nbagent.widget.chunks import CHUNKS, LIST, MENTIONS, Chunk
from nbagent.widget.chunks import chunk as _chunk
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
        for name, mentions in MENTIONS:
            if not getattr(code, name) and mentions(value):
                code.include(name)


def _text(name: str) -> str:
    found = _bundle(name)
    return found.read_text(encoding="utf-8") if isinstance(found, pathlib.Path) else found


def _chunk_traits() -> type[traitlets.HasTraits]:
    """One synced trait per lazy chunk of the list (``nbagent/widget/chunks.json``), named as
    it is: the chunk's JavaScript (an ES module, ``nbagent/static/<name>.js``), empty until a
    widget needs it (``CodeModel.include``; ``chunks.MENTIONS`` says what in a message or state
    needs which), so a notebook saves only the chunks its widgets needed (without a formula,
    not KaTeX's 270 KB). Stays empty when the chunk was not built (a formula then shows TeX)."""
    traits = {
        entry["name"]: traitlets.Unicode("", help=entry["holds"]).tag(sync=True)
        for entry in LIST["chunks"]
    }
    return types.new_class(
        "ChunkTraits", (traitlets.HasTraits,), {}, lambda ns: ns.update(traits, __module__=__name__)
    )


_ChunkTraits = _chunk_traits()


# The chunks' traits come from the list (a class made from it): mypy sees a variable base.
class CodeModel(_Scrubbed, _ChunkTraits):  # type: ignore[misc,valid-type]
    """The widget's code, once per kernel: every nbagent widget references this model, so a
    notebook saved with widget state holds the bundle once, however many runs it shows. A
    plain widget (``WidgetModel``, no view), read by each widget's tiny loader (``LOADER``).
    Each lazy chunk of ``nbagent/widget/chunks.json`` is a trait of its name (``math``,
    ``answer``, ``tools``...), empty until sent."""

    code = traitlets.Unicode("").tag(sync=True)
    """The bundle's JavaScript (an ES module: ``nbagent/static/widget.js``)."""

    css = traitlets.Unicode("").tag(sync=True)
    """The bundle's styles (``nbagent/static/widget.css``)."""

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
            if chunk in CHUNKS:
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
    chunks = "".join(_chunk(name) for name in CHUNKS)
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
