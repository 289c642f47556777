"""A run's timeline: its model calls, tool calls and sub-agents as rows on one time axis, the
same rows as the widget's ``js/src/panels/timeline.js`` (``tests/fixtures/timeline.json`` holds the
cases both are checked against); and the static copies of it, an SVG nbagent draws and a table.

The SVG carries no text of the run in an attribute: names are escaped text nodes, every
attribute is a number or a constant of this module (``tests/test_timeline.py`` checks it).

Twin: js/src/panels/timeline.js
"""

from __future__ import annotations

import html
import math
from typing import Any, Literal, TypedDict

from nbagent.transcript.export.formats import (
    NO_NUMBER,
    format_cost,
    format_duration,
    format_elapsed,
    usage_text,
)
from nbagent.transcript.fold.numbers import number

__all__ = [
    "FADED",
    "Row",
    "row_cells",
    "timeline_axis",
    "timeline_html",
    "timeline_legend",
    "timeline_markdown",
    "timeline_rows",
]


class Row(TypedDict):
    kind: Literal["model", "tool", "agent"]
    id: str
    label: str
    depth: int
    """Nesting: 0 top level; a sub-agent's steps and tool calls one deeper than it."""
    start: float
    """Seconds from the run's start."""
    end: float
    """Seconds from the run's start; a running row's is ``now``'s."""
    duration: float
    """Seconds; a finished tool call's is the time in the tool when it was measured."""
    tokens_in: int | None
    tokens_out: int | None
    cost_usd: float | None
    state: str
    """A tool call's state; ``running``, ``done``, ``error`` or ``cancelled`` for the others."""


def _count(usage: Any, key: str) -> int | None:
    v = usage.get(key) if isinstance(usage, dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _tool_round(step: dict[str, Any], tools: list[dict[str, Any]]) -> bool:
    """Whether ``step`` is a round of tool calls, not a model call (the calls are rows of their
    own): its ``type`` says so; a state from before steps had one: no tokens of its own, and no
    measured output once ended or a call of its scope running when it began."""
    if "type" in step:
        return bool(step["type"] == "tool")
    if step.get("usage") is not None or number(step.get("first_token_at")) is not None:
        return False
    measured = step.get("output_deltas", step.get("output_chars"))  # before issue 49: chars
    if number(step.get("ended_at")) is not None and measured is None:
        return True
    start = number(step.get("started_at"))
    if start is None:
        return False
    for b in tools:
        began = number(b.get("args_done_at"))
        ended = number(b.get("ended_at"))
        executing = began is not None and began <= start and (ended is None or ended >= start)
        if executing and b.get("parent") == step.get("parent"):
            return True
    return False


def timeline_rows(state: dict[str, Any], now: float | None = None) -> list[Row]:
    """The rows of a transcript state, in tree order (each sub-agent's rows after it, siblings
    by start). ``now`` (epoch seconds): where a running row ends; without it, at its start."""
    blocks = [b for b in state.get("blocks") or [] if isinstance(b, dict)]
    steps = [s for s in state.get("steps") or [] if isinstance(s, dict)]
    tools = [b for b in blocks if b.get("type") == "tool"]
    agents = {str(b.get("id")) for b in blocks if b.get("type") == "agent"}
    running = state.get("status") == "running"
    ended_steps = {str(s.get("id")): number(s.get("ended_at")) is not None for s in steps}
    # (row, parent scope, its start and end in epoch seconds, end None while open)
    found: list[tuple[dict[str, Any], Any, float, float | None]] = []
    for step in steps:
        start = number(step.get("started_at"))
        if start is None or str(step.get("id")) in agents or _tool_round(step, tools):
            continue
        name = str(step.get("name") or "model")
        # A model call is named by its model: the step's (when known), else the run's.
        model = step.get("model") or (None if step.get("parent") else state.get("model"))
        label = str(model or name) if name == "model" else name
        usage = step.get("usage")
        ended = number(step.get("ended_at"))
        failed = step.get("finish_reason") == "error"
        row = _row("model", step, label, usage, "error" if failed else "done")
        found.append((row, step.get("parent"), start, ended))
    for b in blocks:
        kind = b.get("type")
        if kind not in ("tool", "agent"):
            continue
        start = number(b.get("started_at"))
        if kind == "tool":
            began = number(b.get("args_done_at"))  # its arguments streamed in the model's call
            start = start if began is None else began
        if start is None:
            continue
        name = str(b.get("name") or kind)
        state_of = str(b.get("state") or "done") if kind == "tool" else "done"
        if kind == "agent" and ended_steps.get(str(b.get("id"))) is False:
            state_of = "running" if running else "cancelled"  # the run's end closed it
        row = _row(kind, b, name, b.get("usage"), state_of)
        found.append((row, b.get("parent"), start, number(b.get("ended_at"))))
    if not found:
        return []
    origin = number(state.get("started_at"))
    if origin is None:
        origin = min(start for _, _, start, _ in found)
    run_end = number(state.get("ended_at"))
    open_end = now if running and now is not None else run_end
    for row, _, start, ended in found:
        row["start"] = max(0.0, start - origin)
        if ended is None:
            if row["kind"] != "tool":  # a tool call's own state says it (the reducer's)
                row["state"] = "running" if running else "cancelled"
            until = row["start"] if open_end is None else open_end - origin
        else:
            until = ended - origin
        row["end"] = max(row["start"], until)
        measured = row["duration"]
        row["duration"] = row["end"] - row["start"] if measured < 0 or ended is None else measured
    return _tree_order(found)


def _row(
    kind: Literal["model", "tool", "agent"], item: dict[str, Any], label: str, usage: Any, st: str
) -> dict[str, Any]:
    measured = number(item.get("duration_s")) if kind == "tool" else None
    cost = number(item.get("cost_usd"))
    return {
        "kind": kind,
        "id": str(item.get("id")),
        "label": label,
        "depth": 0,
        "start": 0.0,
        "end": 0.0,
        "duration": -1.0 if measured is None else measured,
        "tokens_in": _count(usage, "input_tokens"),
        "tokens_out": _count(usage, "output_tokens"),
        "cost_usd": cost,
        "state": st,
    }


def _tree_order(found: list[tuple[dict[str, Any], Any, float, float | None]]) -> list[Row]:
    """Each row after its scope's (a tool call or sub-agent shown as a row), siblings by start;
    a row whose scope is no row is at the top level."""
    ids = {row["id"] for row, _, _, _ in found}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row, parent, _, _ in found:
        key = str(parent) if parent is not None and str(parent) in ids else None
        children.setdefault(key, []).append(row)
    out: list[Row] = []
    seen: set[str] = set()  # a state whose scopes loop still ends

    def visit(key: str | None, depth: int) -> None:
        for row in sorted(children.get(key, []), key=lambda r: r["start"]):
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            row["depth"] = depth
            out.append(row)  # type: ignore[arg-type]
            visit(row["id"], depth + 1)

    visit(None, 0)
    return out


def row_cells(row: Row) -> dict[str, str]:
    """A row's numbers as the widget and the table write them."""
    usage = {"input_tokens": row["tokens_in"], "output_tokens": row["tokens_out"]}
    cost = row["cost_usd"]
    return {
        "start": format_duration(row["start"]),
        "duration": format_duration(row["duration"]),
        "tokens": usage_text(usage) or NO_NUMBER,
        "cost": NO_NUMBER if cost is None else format_cost(cost),
    }


_TICK_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200)


def timeline_axis(rows: list[Row]) -> dict[str, Any]:
    """The axis: its ``span`` (seconds, the latest end, at least 0.1) and at most six ``ticks``
    at round numbers, each ``[seconds, label]``."""
    span = max([0.1, *(r["end"] for r in rows)])
    step = next((s for s in _TICK_STEPS if span / s <= 5), None)
    if step is None:  # over 10 hours, or clocks that disagree: whole hours, still six ticks
        step = 3600 * math.ceil(span / 5 / 3600)
    ticks = []
    k = 0
    while k * step <= span:
        ticks.append([k * step, format_elapsed(k * step)])
        k += 1
    return {"span": span, "ticks": ticks}


# The SVG's geometry (user units, whole numbers: a short copy): a label column, then the axis;
# one line per row, then the legend's. The bars' colours by kind (a failed row's its own), which
# read on light and dark pages; a row still running or stopped faded (the widget's look).
_W, _LABEL_W, _ROW_H, _TOP, _INDENT, _KEY_W = 720, 200, 18, 20, 12, 110
_KINDS = {"model": "#4e79a7", "tool": "#f28e2b", "agent": "#59a14f", "error": "#e15759"}
_KEYS = {"model": "model call", "tool": "tool call", "agent": "sub-agent", "error": "failed"}
"""The legend's words for each colour (``js/src/panels/timeline.js`` ``KEYS``)."""
FADED = "faded: still running or stopped"
"""The legend's words for a faded bar (``timelineLegend``'s note)."""


def _colour(row: Row) -> str:
    return "error" if row["state"] == "error" else row["kind"]


def _faded(row: Row) -> bool:
    return row["state"] in ("running", "cancelled")


def timeline_legend(rows: list[Row]) -> list[str]:
    """What the colours of ``rows``' bars mean, as the widget's legend words them: "model
    call", "tool call", "sub-agent", "failed" (those shown), then ``FADED`` when a bar is."""
    shown = {r["kind"] for r in rows} | {r["state"] for r in rows}
    faded = [FADED] if any(_faded(r) for r in rows) else []
    return [words for key, words in _KEYS.items() if key in shown] + faded


def _svg(rows: list[Row]) -> str:
    """Tick lines as one path, the labels as text, the bars grouped by colour, the legend's
    swatches in their colour's group: every saved run carries this copy, so it stays small (the
    table below has the numbers)."""
    esc = html.escape
    axis = timeline_axis(rows)
    scale = (_W - _LABEL_W - 10) / axis["span"]
    key_y = _TOP + _ROW_H * len(rows) + 6
    height = key_y + 14
    xs = [(round(_LABEL_W + at * scale), label) for at, label in axis["ticks"]]
    legend = timeline_legend(rows)
    slot = {w: 4 + _KEY_W * n for n, w in enumerate(legend)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nba-timeline-svg" width="{_W}" '
        f'viewBox="0 0 {_W} {height}" font-size="11" fill="currentColor">',
        '<path stroke="#7f7f7f" stroke-opacity="0.4" d="'
        + "".join(f"M{x} {_TOP - 4}V{height}" for x, _ in xs)
        + '"/>',
        *(f'<text x="{x}" y="12">{esc(label)}</text>' for x, label in xs),
        *(
            f'<text x="{4 + _INDENT * r["depth"]}" y="{_TOP + n * _ROW_H + 13}">'
            f"{esc(r['label'])}</text>"
            for n, r in enumerate(rows)
        ),
    ]
    for kind, colour in _KINDS.items():
        for faded in (False, True):
            bars = [
                f'<rect x="{round(_LABEL_W + r["start"] * scale)}" y="{_TOP + n * _ROW_H + 3}" '
                f'width="{max(1, round((r["end"] - r["start"]) * scale))}" height="{_ROW_H - 6}"/>'
                for n, r in enumerate(rows)
                if _colour(r) == kind and _faded(r) == faded
            ]
            if not faded and _KEYS[kind] in slot:  # the legend's swatch
                bars.append(f'<rect x="{slot[_KEYS[kind]]}" y="{key_y}" width="10" height="10"/>')
            if bars:
                fade = ' fill-opacity="0.6"' if faded else ""
                out.append(f'<g fill="{colour}"{fade}>{"".join(bars)}</g>')
    for words, x in slot.items():
        x += 0 if words == FADED else 14
        out.append(f'<text x="{x}" y="{key_y + 9}">{words}</text>')
    out.append("</svg>")
    return "".join(out)


_HEAD = ("Step", "Start", "Duration", "Tokens", "Cost")


def _cells(row: Row) -> list[str]:
    c = row_cells(row)
    return [row["label"], c["start"], c["duration"], c["tokens"], c["cost"]]


def timeline_html(state: dict[str, Any]) -> str:
    """``<details>`` with the SVG and the table; "" for a run with no timing."""
    rows = timeline_rows(state)
    if not rows:
        return ""
    esc = html.escape
    head = "".join(f"<th>{h}</th>" for h in _HEAD)
    body = []
    for row in rows:
        cells = _cells(row)
        cells[0] = "\u2003" * row["depth"] + cells[0]  # indented by em spaces: no style=
        body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    table = f"<table><tr>{head}</tr>{''.join(body)}</table>"
    return f'<details class="nba-timeline"><summary>Timeline</summary>{_svg(rows)}{table}</details>'


def timeline_markdown(state: dict[str, Any], inline: Any) -> str:
    """The table as markdown, each cell through ``inline`` (the caller's escaping); "" for a
    run with no timing."""
    rows = timeline_rows(state)
    if not rows:
        return ""
    lines = ["| " + " | ".join(_HEAD) + " |", "|" + " --- |" * len(_HEAD)]
    for row in rows:
        cells = [inline(c).replace("|", "\\|") for c in _cells(row)]
        cells[0] = "\u2003" * row["depth"] + cells[0]
        lines.append("| " + " | ".join(cells) + " |")
    body = "\n".join(lines)
    return f"<details>\n<summary>Timeline</summary>\n\n{body}\n\n</details>"
