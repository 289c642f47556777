"""``format="vercel-ui"``: the Vercel AI SDK UI message stream (ai v5+)."""

from __future__ import annotations

from nbagent.adapters.vercel_ui.adapter import FINISH_REASONS, PART_TYPES, VercelUiAdapter

__all__ = ["FINISH_REASONS", "PART_TYPES", "VercelUiAdapter"]
