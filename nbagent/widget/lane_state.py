"""One lane's saved state (``LaneState``): a model of its own per lane of a lanes widget,
chained from the widget's ``last``, so a lane added or ended sends that lane only."""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from nbagent.widget.code_model import CodeModel, _Scrubbed, code_model


class LaneState(_Scrubbed):
    """One lane's saved state, in a model of its own (``WidgetModel`` of
    ``@jupyter-widgets/base``, no view): writing it sends that lane only. A plain widget, not
    an anywidget, which would save the whole bundle with every lane."""

    lane = traitlets.Dict().tag(sync=True)
    """``{"seq": n, "meta": {"title", "prompt", "can_rerun"}, "state": Transcript.to_dict()}``:
    written when the lane opens and when it ends (and after a re-run), at the widget's seq.
    Empty fields are left out (``nbagent.widget.wire.compact_state``; a meta's None): readers
    default them."""

    prev = traitlets.Instance("nbagent.widget.lane_state.LaneState", allow_none=True).tag(
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
