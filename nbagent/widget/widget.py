"""The anywidget model: traits the browser reads, custom messages both ways.

Live traffic goes through custom messages (see DEVELOP.md, "Comm messages");
the traits change only when a run starts and ends, so bytes stay O(output).
"""

from __future__ import annotations

import logging
import pathlib
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast, get_args

import anywidget
import ipywidgets
import traitlets

from nbagent.core.values import scrubbed
from nbagent.widget.audience import VIEWER_MESSAGES, may_act
from nbagent.widget.chunks import MENTIONS, Chunk
from nbagent.widget.chunks import chunk as _chunk
from nbagent.widget.chunks import mentions_math as _mentions_math
from nbagent.widget.messages import LanesRequest, RunRequest
from nbagent.widget.shared import shared
from nbagent.widget.subshells import route_to_live_subshell

_STATIC = pathlib.Path(__file__).parent.parent / "static"

MessageHandler = Callable[[Any], None]
"""Takes the messages of a page (``nbagent.widget.messages``: ``PageMessage``), as the page
sent them: it checks the fields it reads."""

M = TypeVar("M")
"""The messages a widget's page sends (``nbagent.widget.messages``: ``RunRequest``...): a
handler given to ``add_handler`` takes them all, so one of another widget's kind is a type
error."""


def _bundle(name: str) -> pathlib.Path | str:
    path = _STATIC / name
    if path.exists():
        return path
    # A source checkout without a build still imports; the view says what is missing.
    if name.endswith(".js"):
        message = "nbagent: the frontend bundle is missing; run `make build`"
        return f"export default {{ render({{ el }}) {{ el.textContent = {message!r}; }} }};"
    return ""


_LOG = logging.getLogger("nbagent")
REFUSED = "nbagent refused a %r message from a viewer's page (see nbagent.page_role)"


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


class _Widget(anywidget.AnyWidget, _Scrubbed, Generic[M]):
    """What every nbagent widget has: the bundle, the saved state, the store key, and
    custom messages from the browser dispatched to handlers."""

    _esm = LOADER
    _css = ""

    code = traitlets.Instance(CodeModel).tag(sync=True, **ipywidgets.widget_serialization)
    """The kernel's ``CodeModel``: the code, saved once per notebook."""

    @traitlets.default("code")
    def _default_code(self) -> CodeModel:
        return code_model()

    @traitlets.default("layout")
    def _default_layout(self) -> ipywidgets.Layout:
        return shared_layout()

    title = traitlets.Unicode("").tag(sync=True)
    """Shown above the transcript; empty for none."""

    show_thinking = traitlets.Bool(True).tag(sync=True)
    """Whether thinking panels are shown at all."""

    page_actions = traitlets.Bool().tag(sync=True)
    """Whether the page offers Re-run, Fork and the answers of paused calls: False for the
    viewers of an app served to others (``nbagent.page_role``), whose requests the kernel
    refuses anyway."""

    @traitlets.default("page_actions")
    def _default_page_actions(self) -> bool:
        return may_act()

    store_key = traitlets.Unicode().tag(sync=True)
    """Names this model's store in the browser: anywidget hands ``initialize`` and
    ``render`` different proxies of one model, so the proxy cannot be the key."""

    @traitlets.default("store_key")
    def _default_store_key(self) -> str:
        return uuid.uuid4().hex

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handlers: list[Callable[[M], None]] = []
        self.on_msg(self._dispatch)
        if self.comm is not None:
            route_to_live_subshell(self.comm)

    def add_handler(self, handler: Callable[[M], None]) -> None:
        """Call ``handler(content)`` for each custom message from the browser (as the page
        sent it, a dict: the handler checks the fields it reads)."""
        self._handlers.append(handler)

    def _dispatch(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if not (isinstance(kind, str) and kind in VIEWER_MESSAGES) and not may_act():
            # A viewer's page asked for a re-run, a fork or a pause's answer: said where the
            # kernel's messages go (a served app's log), never done.
            _LOG.warning(REFUSED, str(kind)[:40])
            return
        message = cast("M", content)  # as the page sent it: each handler checks what it reads
        for handler in list(self._handlers):
            handler(message)


class AgentWidget(_Widget[RunRequest]):
    """The view of one run: answer, thinking and tool panels, status line, Stop."""

    snapshot = traitlets.Dict().tag(sync=True)
    """``{"seq": n, "state": Transcript.to_dict()}``; written at run start and end only."""

    can_rerun = traitlets.Union([traitlets.Bool(), traitlets.Unicode()], default_value=False).tag(
        sync=True
    )
    """Whether tool panels offer Re-run: True where the kernel holds the run's tools (an
    ``Agent``'s, a framework's it reaches); else why not, a clause each panel shows in the line
    "Re-run: nbagent cannot reach this tool (…)" (e.g. ``"read from a stream"``); False: silent."""

    replay = traitlets.Dict().tag(sync=True)
    """A replay's ``{"position", "total", "step", "speed", "paused"}`` (empty for a live run);
    written when it starts, when a step is done and when it ends, never per event."""

    forks = traitlets.List(
        traitlets.Instance("nbagent.widget.widget.AgentWidget"), allow_none=True, default_value=None
    ).tag(sync=True, **ipywidgets.widget_serialization)
    """The widgets of this run's forks (``AgentRun.fork``), shown as lanes beside it, in the
    order they were made (``"IPY_MODEL_<id>"`` in the browser); None for a run the kernel does
    not fork here (``Run.cannot_fork``): its Fork here buttons are disabled, saying why. A
    fork's widget is displayed nowhere else: its saved state lives in its own model."""

    def __repr__(self) -> str:
        state = self.snapshot.get("state") or {}
        return f"<nbagent.AgentWidget {state.get('status', 'idle')}>"


class LaneState(_Scrubbed):
    """One lane's saved state, in a model of its own (``WidgetModel`` of
    ``@jupyter-widgets/base``, no view): writing it sends that lane only. A plain widget, not
    an anywidget, which would save the whole bundle with every lane."""

    lane = traitlets.Dict().tag(sync=True)
    """``{"seq": n, "meta": {"title", "prompt", "can_rerun"}, "state": Transcript.to_dict()}``:
    written when the lane opens and when it ends (and after a re-run), at the widget's seq.
    Empty fields are left out (``nbagent.widget.wire.compact_state``; a meta's None): readers
    default them."""

    prev = traitlets.Instance("nbagent.widget.widget.LaneState", allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    """The lane before this one in its widget (``"IPY_MODEL_<id>"`` in the browser; None for
    the first): the lanes are a chain from the widget's ``last``, so a lane added sends one
    reference, not the list of all."""

    code = traitlets.Instance(CodeModel)
    """The page's ``CodeModel``, not synced (the lanes widget references it): told when a
    lane's state may hold a formula."""

    @traitlets.default("code")
    def _default_code(self) -> CodeModel:
        return code_model()

    @traitlets.default("keys")
    def _default_keys(self) -> list[str]:
        # A model with no view: its view fields are the WidgetModel's defaults to every reader
        # (a page, a saved widget state), ~95 B of each opening and each state sent whole.
        return [k for k in self.traits(sync=True) if not k.startswith("_view_")]

    _keeping = False

    def keep(self, lane: dict[str, Any]) -> None:
        """Write ``lane`` without sending it: the page has it (it built it from the ops), or
        the kernel sends it later itself (``send_state``); a page that opens the model later
        gets it with the model's state."""
        self._keeping = True
        try:
            self.lane = lane
        finally:
            self._keeping = False

    def _should_send_property(self, key: str, value: Any) -> bool:
        if key == "lane" and self._keeping:
            return False
        sends: bool = super()._should_send_property(key, value)
        return sends

    def __repr__(self) -> str:
        state = self.lane.get("state") or {}
        return f"<nbagent.LaneState {state.get('status', 'idle')}>"


class LanesWidget(_Widget[LanesRequest]):
    """The view of several runs: lanes side by side, or the turns of a chat with an input box."""

    arrangement = traitlets.Enum(["lanes", "chat"], default_value="lanes").tag(sync=True)
    """``lanes``: runs side by side (stacked when there is no room); ``chat``: turns one
    under the other, each under its prompt, and an input box. (Not ``layout``: every
    DOMWidget has that trait, the ipywidgets Layout.)"""

    last = traitlets.Instance(LaneState, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    """The newest lane's ``LaneState`` (``"IPY_MODEL_<id>"`` in the browser), each one's
    ``prev`` the lane before it: a lane added sends two references (its own ``prev``, this),
    however many came before; a lane ending its own state only."""

    lanes = traitlets.List(traitlets.Instance(LaneState)).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    """Empty: notebooks saved before ``last`` listed every lane's ``LaneState`` here, in lane
    order, and (before that) kept every lane in a ``snapshot`` trait; the browser reads
    both."""

    read_only = traitlets.Bool(False).tag(sync=True)
    """A chat without its input box: its turns are made elsewhere (an MCP inspector's calls,
    made from the inspector's forms)."""

    def __repr__(self) -> str:
        count, lane = 0, self.last
        while lane is not None:
            count, lane = count + 1, lane.prev
        return f"<nbagent.LanesWidget {self.arrangement}, {count or len(self.lanes)} lanes>"
