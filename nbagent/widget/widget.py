"""The anywidget views: a run's (``AgentWidget``), several runs' (``LanesWidget``), and their
base ``_Widget``: traits the browser reads, custom messages both ways, a viewer's refused.

Live traffic goes through custom messages (docs/develop/contracts.md, "Comm messages");
the traits change only when a run starts and ends, so bytes stay O(output).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import anywidget
import ipywidgets
import traitlets

from nbagent.widget.audience import VIEWER_MESSAGES, may_act
from nbagent.widget.code_model import LOADER as LOADER
from nbagent.widget.code_model import CodeModel as CodeModel
from nbagent.widget.code_model import _Scrubbed
from nbagent.widget.code_model import code_model as code_model
from nbagent.widget.code_model import shared_layout as shared_layout
from nbagent.widget.lane_state import SavedLanes
from nbagent.widget.messages import LanesRequest, RunRequest
from nbagent.widget.subshells import route_to_live_subshell

MessageHandler = Callable[[Any], None]
"""Takes the messages of a page (``nbagent.widget.messages``: ``PageMessage``), as the page
sent them: it checks the fields it reads."""

M = TypeVar("M")
"""The messages a widget's page sends (``nbagent.widget.messages``: ``RunRequest``...): a
handler given to ``add_handler`` takes them all, so one of another widget's kind is a type
error."""

_LOG = logging.getLogger("nbagent")
REFUSED = "nbagent refused a %r message from a viewer's page (see nbagent.page_role)"


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
    """``{"seq": n, "state": Transcript.to_dict()}``; written at run start and end only (at the
    end as a notebook saves it: ``nbagent.transcript.media.saved_state``)."""

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


class LanesWidget(SavedLanes, _Widget[LanesRequest]):
    """The view of several runs: lanes side by side, or the turns of a chat with an input box.
    Each lane is saved in a key of its model's own (``lane0``, ``lane1``...: ``SavedLanes``);
    notebooks saved before kept each lane in a model of its own, listed in a ``lanes`` trait
    or chained from a ``last`` one (each one's ``prev``), and before that every lane in a
    ``snapshot`` trait: the browser reads them all."""

    arrangement = traitlets.Enum(["lanes", "chat"], default_value="lanes").tag(sync=True)
    """``lanes``: runs side by side (stacked when there is no room); ``chat``: turns one
    under the other, each under its prompt, and an input box. (Not ``layout``: every
    DOMWidget has that trait, the ipywidgets Layout.)"""

    read_only = traitlets.Bool(False).tag(sync=True)
    """A chat without its input box: its turns are made elsewhere (an MCP inspector's calls,
    made from the inspector's forms)."""

    def __repr__(self) -> str:
        return f"<nbagent.LanesWidget {self.arrangement}, {len(self.saved_lanes)} lanes>"
