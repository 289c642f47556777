"""Which kernel subshell handles the browser's messages to an nbagent widget (ipykernel 7.4,
JupyterLab 4.6): the one the browser chose while it lives. See ``route_to_live_subshell``;
measured with ``tests/browser/reload_rate.py`` (docs/develop/frontends.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ROUTE_TO_LIVE_SUBSHELL", "route_to_live_subshell"]

ROUTE_TO_LIVE_SUBSHELL = True
"""Off: ipykernel's routing as it is (``tests/browser/reload_rate.py --way none``)."""

_Route = Callable[[Any, "str | None"], "str | None"]


def _known(comm: Any) -> Callable[[], list[str]] | None:
    """The kernel's list of live subshells, or None where there are no subshells."""
    kernel = getattr(comm, "kernel", None)
    if kernel is None:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return None
        kernel = Kernel.instance()
    if not getattr(kernel, "_supports_kernel_subshells", False):
        return None
    manager = getattr(getattr(kernel, "shell_channel_thread", None), "manager", None)
    listing = getattr(manager, "list_subshell", None)
    return listing if callable(listing) else None


def route_to_live_subshell(comm: Any) -> None:
    """Make ``comm`` (an nbagent widget's) take the browser's messages on a live subshell.

    JupyterLab 4.6 sends widget messages on a subshell of its own (one per comm target and
    page). ipykernel 7.4 sends a comm's messages on, not to the subshell they name, but to the
    subshell of the request current when the kernel last sent on that comm
    (``BaseComm._reply_subshell_for``), so that code waiting in a subshell gets its reply
    there. A run's thread sends its ops with whatever request the kernel handled last as
    parent, and right after a page (re)loads that is the widget manager's control comm, whose
    subshell the page deletes as soon as it has the states: from then on every message to the
    widget (the reloaded page's ``sync``, ``stop``) went to a subshell no longer there and was
    dropped ("Unknown subshell_id" in the server log).

    nbagent never waits for a browser reply in a subshell, so its widgets take each message
    on the subshell the browser chose (also when ipykernel's is a busy one), or, when that one
    is gone, on ipykernel's choice if it is there, else on the main shell. Only where
    ipykernel has that hook (7.4 on); anything unexpected falls back to ipykernel's choice.
    """
    original: _Route | None = getattr(comm, "_reply_subshell_for", None)
    if original is None or not callable(original):
        return  # before ipykernel 7.4: the message's own subshell, as we want

    def route(data: Any, default: str | None) -> str | None:
        if not ROUTE_TO_LIVE_SUBSHELL:
            return original(data, default)
        try:
            listing = _known(comm)
            if listing is None:
                return original(data, default)
            known = listing()
            if default is None or default in known:
                return default
            chosen = original(data, default)
            return chosen if chosen is None or chosen in known else None
        except Exception:  # noqa: BLE001 - never worse than ipykernel's own choice
            return original(data, default)

    comm._reply_subshell_for = route
