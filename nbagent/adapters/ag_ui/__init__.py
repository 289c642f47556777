"""``format="ag-ui"``: the AG-UI protocol's event stream (0.x and 1.0)."""

from __future__ import annotations

from nbagent.adapters.ag_ui.adapter import EVENT_TYPES, OUTCOMES, AgUiAdapter

__all__ = ["EVENT_TYPES", "OUTCOMES", "AgUiAdapter"]
