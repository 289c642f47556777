"""``format="a2a"``: A2A streaming, v0.3 and v1.0: the adapter (``adapter.py``) and its
readers (``read.py``)."""

from nbagent.adapters.a2a.adapter import A2aAdapter
from nbagent.adapters.a2a.read import KINDS, WRAPPERS, normalize_state

__all__ = ["KINDS", "WRAPPERS", "A2aAdapter", "normalize_state"]
