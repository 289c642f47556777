"""Who the page is: the kernel's owner (an author) or a viewer of an app served to others.

An author's page (JupyterLab, Notebook 7, VS Code, ``marimo edit``) may make the kernel
re-run a tool with arguments it chose, fork a run with an edited result, and answer a paused
call. A viewer's page (Voilà, ``marimo run``) may not: those make the kernel call the author's
tools and models with input from whoever opened the page. The kernel checks every message
from a page (``widget.py``), whatever buttons the page shows.
"""

from __future__ import annotations

import os
from typing import Literal

from nbagent.widget.shared import marimo_context

__all__ = ["ENV", "VIEWER_MESSAGES", "Role", "may_act", "page_role"]

Role = Literal["auto", "author", "viewer"]
ROLES: tuple[Role, ...] = ("auto", "author", "viewer")

ENV = "NBAGENT_PAGE_ROLE"
"""The environment variable that sets the role for a process (``author`` or ``viewer``):
for an app server's kernels, where no cell can call ``page_role``."""

VIEWER_MESSAGES = frozenset({"stop", "sync", "output", "listen", "prompt", "step", "open"})
"""What a viewer's page may ask: Stop, its own state (``sync``, ``output``, ``listen``), a
``Chat`` prompt, a replay's step, an evaluation's case opened. Re-run, Fork, a pause's
answer and a rating are refused."""


class _Setting:
    """The role set by ``page_role`` in this process ("auto" until then), and whether this
    process was seen serving an app (kept: marimo's context is per thread, and a ``marimo
    run`` server runs no ``marimo edit`` session beside its apps)."""

    role: Role = "auto"
    served = False


def page_role(role: Role | None = None) -> Literal["author", "viewer"]:
    """Set who the pages of this kernel are, and return who they are now.

    - ``"auto"`` (the default): a viewer in an app served to others, detected as Voilà (its
      kernels' ``SERVER_SOFTWARE`` is ``voila/...``) and ``marimo run``; an author elsewhere.
    - ``"author"``: every page may re-run tools, fork runs and answer paused calls: for an
      app whose viewers are trusted with the author's tools and model key.
    - ``"viewer"``: no page may; for any other page served to others.

    The environment variable ``NBAGENT_PAGE_ROLE`` (``author`` or ``viewer``) sets it for a
    process when no cell calls this. A viewer keeps Stop, the panels, the timeline, the copy
    buttons and a ``Chat``'s input box; widgets shown afterwards hide the rest, and the kernel
    refuses it whatever the page sends.
    """
    if role is not None:
        if role not in ROLES:
            raise ValueError(f"page_role takes one of {', '.join(map(repr, ROLES))}, not {role!r}")
        _Setting.role = role
    return "author" if may_act() else "viewer"


def may_act() -> bool:
    """Whether pages may re-run tools, fork and answer pauses now (see ``page_role``)."""
    role: str = _Setting.role
    if role == "auto":
        role = os.environ.get(ENV, "").strip().lower()
    if role in ("author", "viewer"):
        return role == "author"
    return not _served()


def _served() -> bool:
    """Whether this kernel serves an app to others: Voilà's kernel, or ``marimo run``."""
    if not _Setting.served:
        context = marimo_context()
        mode = getattr(context, "session_mode", None)
        _Setting.served = (
            os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")
            or str(getattr(mode, "value", mode)) == "run"
        )
    return _Setting.served
