"""nh3, the HTML sanitizer that the static copy's MathML and tool results' HTML tables go
through, when this Python has it. It has no build for the browser (Pyodide, JupyterLite), where
those show as text and say so; the live widget is unaffected: it sanitizes in the page."""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

__all__ = ["WITHOUT_NH3", "nh3_module"]

WITHOUT_NH3 = "shown as text: nh3, the sanitizer nbagent needs for it, is not installed here"
"""What the static copy says where it shows as text what it would sanitize with nh3."""


@functools.cache
def nh3_module() -> ModuleType | None:
    """``nh3`` once imported, or None where it cannot be (not installed, no build)."""
    try:
        return importlib.import_module("nh3")
    except ImportError:
        return None
