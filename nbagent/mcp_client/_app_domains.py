"""The domains an MCP app may reach: those its resource's ``_meta.ui.csp`` asks for, those of
them the notebook's author allows (``nbagent.mcp(..., app_domains=)``), and the CSP of its frame
that the page takes (js/src/panels/app_host.js). Nothing from the network unless the author
allows it; never a bare ``*``, a scheme alone, a path or a CSP keyword."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeAlias

from nbagent.core.values import APP_URI_CHARS

__all__ = [
    "URI_CHARS",
    "AppDomains",
    "allowed_domains",
    "asked_domains",
    "check_domains",
    "csp_policy",
    "origin",
]

URI_CHARS = APP_URI_CHARS
"""The longest ``ui://`` uri read, and each domain of ``_meta.ui.csp``."""
CSP_KEYS = ("connectDomains", "resourceDomains", "frameDomains", "baseUriDomains")
DOMAINS_KEPT = 32
"""Domains kept per CSP list (each at most ``URI_CHARS`` characters)."""
# A host's labels: [a-z0-9], then up to 62 more ending in one ([a-z0-9-]{0,61}[a-z0-9]).
ORIGIN = re.compile(
    r"(?:https|wss)://(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?",
    re.I,
)
"""A domain the page may allow: an ``https`` origin (``wss`` for connections), or all the
subdomains of one (``https://*.example.com``); never a bare ``*``, a scheme alone, a path or
a CSP keyword (``'unsafe-eval'``)."""
SOURCES = {
    "connectDomains": ("connect-src",),
    "resourceDomains": ("script-src", "style-src", "img-src", "font-src", "media-src"),
    "frameDomains": ("frame-src",),
    "baseUriDomains": ("base-uri",),
}
"""Where each list of an app's ``_meta.ui.csp`` goes in its frame's CSP (the spec's mapping)."""
CSP = {"script-src": "'unsafe-inline'", "style-src": "'unsafe-inline'", "img-src": "data:"}
"""What every app may load: its own inline scripts and styles, ``data:`` images."""
AppDomains: TypeAlias = bool | Sequence[str]
"""``nbagent.mcp(..., app_domains=)``: False (none of an app's domains), True (those it
declares) or the origins it may be allowed among those it declares."""


def origin(domain: str) -> str | None:
    """``domain`` as the page's CSP names it (lower case, no trailing ``/``), or None when it
    is none the page allows (``ORIGIN``)."""
    found = domain[:-1] if domain.endswith("/") else domain
    if len(found) > 300 or not ORIGIN.fullmatch(found):
        return None
    return found.lower()


def check_domains(given: AppDomains) -> AppDomains:
    """``app_domains=`` as given, checked: a bool, or origins (``ORIGIN``); ValueError
    naming the first that is not one."""
    if isinstance(given, bool):
        return given
    if isinstance(given, str):
        raise ValueError("app_domains= is True, False or a list of origins, not a string")
    out: list[str] = []
    for d in given:
        found = origin(d) if isinstance(d, str) else None
        if found is None:
            raise ValueError(f"app_domains=: {d!r:.80} is not an https origin")
        out.append(found)
    return tuple(out)


def csp_policy(allowed: dict[str, list[str]]) -> str:
    """The CSP of an app's frame (js/src/panels/app_host.js ``withCsp``): nothing from the
    network (``default-src 'none'``) but the ``allowed`` domains (``allowed_domains``), each
    where ``SOURCES`` puts its list; the page takes it only in this shape (its ``POLICY``)."""
    out: dict[str, list[str]] = {"default-src": ["'none'"]}
    out |= {k: [v] for k, v in CSP.items()}
    for key, names in SOURCES.items():
        for name in names if allowed.get(key) else ():
            out.setdefault(name, []).extend(allowed[key])
    return "; ".join(f"{k} {' '.join(v)}" for k, v in out.items())


def allowed_domains(
    csp: dict[str, list[str]], allow: AppDomains
) -> tuple[dict[str, list[str]], str]:
    """The domains of an app's ``csp`` (by list) the page allows in its frame, and the one
    line its panel shows of them: what it allows, what it dropped and why, or that it asked
    for some and the notebook's author allowed none (and how to)."""
    asked = sum(len(v) for v in csp.values())
    if not asked:
        return {}, ""
    if allow is False:
        return {}, (
            f"the app asks for {asked} domain{'s' * (asked > 1)}; none allowed "
            "(nbagent.mcp(..., app_domains=True) allows them)"
        )
    checked = check_domains(allow)
    listed = None if isinstance(checked, bool) else set(checked)
    out: dict[str, list[str]] = {}
    dropped: list[str] = []
    for key, domains in csp.items():
        for d in domains:
            found = origin(d)
            if found is not None and found.startswith("wss:") and key != "connectDomains":
                found = None
            if found is None:
                dropped.append(f"{d[:80]!r} (not an https origin)")
            elif listed is not None and found not in listed:
                dropped.append(f"{found} (not in app_domains)")
            elif found not in out.setdefault(key, []):
                out[key].append(found)
    out = {k: v for k, v in out.items() if v}
    shown = ", ".join(dict.fromkeys(d for v in out.values() for d in v)) or "no domain"
    note = f"; dropped: {', '.join(dropped)}" if dropped else ""
    return out, f"the app may reach {shown}{note}"


def asked_domains(raw: Any) -> dict[str, list[str]]:
    """The CSP domains an app asks for, by list (strings only, bounded); the page allows them
    only when the notebook's author does."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key in CSP_KEYS:
        given = raw.get(key)
        if isinstance(given, list):
            kept = [d[:URI_CHARS] for d in given[:DOMAINS_KEPT] if isinstance(d, str) and d]
            if kept:
                out[key] = kept
    return out
