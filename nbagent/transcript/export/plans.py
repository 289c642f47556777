"""A coding agent's plans in the static copy, as the widget draws them
(``js/src/panels/acp_view.js``): the plan with no id as a checklist, then those with one
(``nbagent/transcript/fold/plans.py``): a checklist, markdown (the export's renderer) or a line
naming the plan's file; everything escaped.

Twin: js/src/panels/acp_view.js"""

from __future__ import annotations

import html
import re
from typing import Any

from nbagent.transcript.export.renderer import block_markdown

__all__ = ["plan_html"]

# Plans with an id and a plan's entries drawn at most (js/src/panels/acp_view.js MAX_PLANS,
# MAX_ENTRIES); a plan file's uri is a link only for http(s): (rendering.md: the links nbagent
# draws), anything else text.
_MAX_PLANS = 20
_MAX_ENTRIES = 200
_LINKED = re.compile(r"https?:", re.IGNORECASE)


def _box(head: str, body: str) -> str:
    """A plan's box: its head, then its body; "" for no body."""
    return f'<div class="nba-plan"><div class="nba-label">{head}</div>{body}</div>' if body else ""


def _checklist(entries: Any) -> str:
    """A plan's entries as the widget's checklist, each with its priority, under a head that
    counts those done ("Plan · 1 of 4 done"), escaped; "" for none."""
    if not isinstance(entries, list) or not entries:
        return ""
    marks = {"completed": "☑", "in_progress": "◐", "cancelled": "☒"}
    done = sum(1 for e in entries if isinstance(e, dict) and e.get("status") == "completed")
    rows = []
    for e in entries[:_MAX_ENTRIES]:
        e = e if isinstance(e, dict) else {"content": str(e)}
        mark = marks.get(str(e.get("status")), "☐")
        said = e.get("priority")
        priority = f' <span class="nba-meta">{html.escape(str(said))}</span>' if said else ""
        rows.append(f"<li>{mark} {html.escape(str(e.get('content') or ''))}{priority}</li>")
    if len(entries) > _MAX_ENTRIES:
        rows.append(f"<li>… {len(entries) - _MAX_ENTRIES} more</li>")
    return _box(f"Plan · {done} of {len(entries)} done", f"<ul>{''.join(rows)}</ul>")


def _keyed_plan(p: dict[str, Any]) -> str:
    """A plan with an id's box: its checklist, its markdown (the export's renderer: no HTML,
    links checked), or a line naming its file; "" for none of these."""
    kind = p.get("type")
    if kind == "items":
        return _checklist(p.get("entries"))
    content, uri = p.get("content"), p.get("uri")
    if kind == "markdown" and isinstance(content, str) and content.strip():
        return _box("Plan", block_markdown(content))
    if kind != "file" or not isinstance(uri, str) or not uri:
        return ""
    shown = html.escape(uri)
    if _LINKED.match(uri):
        href = html.escape(uri, quote=True)
        shown = f'<a href="{href}" rel="noopener noreferrer nofollow" target="_blank">{shown}</a>'
    return _box("Plan", f"<p>Plan file: {shown}</p>")


def plan_html(plan: Any) -> str:
    """A coding agent's plans as the widget draws them (``js/src/panels/acp_view.js``), escaped: the
    one with no id, then those with one (``fold/plans.py``) in order."""
    if not isinstance(plan, dict):
        return ""
    keyed = plan.get("plans")
    keyed = [p for p in keyed if isinstance(p, dict)] if isinstance(keyed, list) else []
    boxes = [_checklist(plan.get("entries")), *map(_keyed_plan, keyed[:_MAX_PLANS])]
    if len(keyed) > _MAX_PLANS:
        boxes.append(_box("Plan", f"<p>… {len(keyed) - _MAX_PLANS} more plans</p>"))
    return "".join(boxes)
