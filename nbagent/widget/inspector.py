"""The MCP inspector's widget (``nbagent.mcp(...)`` as a cell's last expression,
``nbagent.apps.inspector``): the server's catalog as traits, its calls a chat widget's turns.

Twin: js/src/widget/inspector/catalog.js"""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from nbagent.widget.code_model import _text
from nbagent.widget.messages import InspectorRequest
from nbagent.widget.widget import LanesWidget, _Widget

__all__ = ["INSPECTOR_STATIC", "InspectorWidget"]


INSPECTOR_STATIC = "nbagent-inspector-static"
"""The class of an inspector's static copy (its ``text/html``): an output that shows no run."""


class InspectorWidget(_Widget[InspectorRequest]):
    """An MCP server's inspector (``nbagent.mcp(...)`` as a cell's last expression): its
    tools, resources, prompts, log and JSON-RPC messages, forms to call them, and the calls
    as the turns of a chat widget (``calls``). Its code is a chunk of its own
    (``js/src/widget/inspector/``, ``nbagent/static/inspector.js``), loaded only where one is shown;
    the calls use the run widget's code."""

    _esm = _text("inspector.js")
    _css = _text("inspector.css")

    calls = traitlets.Instance(LanesWidget).tag(sync=True, **ipywidgets.widget_serialization)
    """The calls made from the inspector, a turn each (``"IPY_MODEL_<id>"`` in the browser)."""

    server = traitlets.Dict().tag(sync=True)
    """``{"name", "target", "transport", "protocol_version", "instructions"}``."""

    catalog = traitlets.Dict().tag(sync=True)
    """``{"tools", "resources", "templates", "prompts"}`` (lists of JSON objects, as the
    ``Mcp*`` dataclasses hold them) and ``"error"``: why a list could not be read."""

    pending: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    """What the server asks of the user now (``McpRequest.to_json()`` each)."""

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[Any, Any], dict[Any, Any]] | None:
        """The widget, and its catalog as HTML for a notebook shown without it (GitHub,
        nbviewer): every name and description escaped, nothing the server sent as markup."""
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown
        return {**data, "text/html": self.static_html()}, metadata

    def static_html(self) -> str:
        """The server's tools, resources and prompts as a static list."""
        from html import escape

        c = self.catalog
        rows = []
        for t in c.get("tools", []):
            hints = ", ".join(h for h in t.get("hints", []) if h in ("read_only", "destructive"))
            about = str(t.get("description", "")).split("\n")[0][:200]
            badge = f" <em>{escape(hints)}</em>" if hints else ""
            rows.append(
                f"<li><code>{escape(str(t.get('name', '')))}</code>{badge} {escape(about)}</li>"
            )
        for kind, key in (("resource", "uri"), ("template", "uri_template"), ("prompt", "name")):
            rows += [
                f"<li>{kind} <code>{escape(str(x.get(key, '')))}</code></li>"
                for x in c.get(f"{kind}s", [])
            ]
        return (
            f'<div class="{INSPECTOR_STATIC}"><p>{escape(repr(self))}</p>'
            f"<ul>{''.join(rows)}</ul></div>"
        )

    def __repr__(self) -> str:
        """What a notebook without the widget shows (GitHub, a saved notebook's text)."""
        c = self.catalog
        names = [str(t.get("name", "")) for t in c.get("tools", [])]
        kinds = ("resources", "templates", "prompts")
        counts = [f"{len(c[k])} {k if len(c[k]) > 1 else k[:-1]}" for k in kinds if c.get(k)]
        server = f"MCP server {self.server.get('name', '')!r} ({self.server.get('transport')})"
        return f"{server}: {len(names)} tools ({', '.join(names)})" + "".join(
            f", {x}" for x in counts
        )
