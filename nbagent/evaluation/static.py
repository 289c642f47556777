"""An evaluation's static copy: the table as its widget shows it, for a page without the
widget (GitHub, nbconvert, the docs): one ``<style>`` scoped to the copy, the table in a box
that scrolls sideways, the widget's columns, labels and number formats (``✓``/``✗``, three
significant digits, "1.23 s · 1,239 tok · $0.0010"), changes against the baseline but none
that is zero, previews without their markdown (``plain``). Every value is escaped (model
output is untrusted); no ``style=`` attribute, nothing from the network.

Twin: js/src/widget/evaluation/table.js, js/src/widget/evaluation/rows.js
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from nbagent.transcript.export.formats import format_cost, format_duration, format_tokens

__all__ = ["numbers", "plain", "score_text", "table_html"]

_CUT = 200
"""Characters of a preview in the copy (the widget's rows show about as many)."""

_RULE = re.compile(r"^[-*_=:| ]+$")
_HEADING = re.compile(r"^#{1,6}(?= |$)")
_ORDERED = re.compile(r"^\d{1,9}[.)] ")
_TASK = re.compile(r"^\[[ xX]\] ")
_SPACE = re.compile(r"\s+")


def _unmark(t: str) -> str:
    """A line's block markers: a quote's ``>``, a heading's ``#``, a list item's ``-``, ``*``,
    ``+``, ``1.``, a task's ``[ ]`` (``js/src/widget/evaluation/rows.js`` ``unmark``)."""
    while True:
        was = t
        heading = _HEADING.match(t)
        if t.startswith(">"):
            t = t[1:]
        elif heading:
            t = t[heading.end() :]
        elif t[:1] in ("-", "*", "+") and t[1:2] == " ":
            t = t[2:]
        elif ordered := _ORDERED.match(t):
            t = t[ordered.end() :]
        elif _TASK.match(t):
            t = t[4:]
        t = t.lstrip()
        if t == was:
            return t


def _inline(t: str) -> str:
    """A line without emphasis stars, backticks, strike-through and link addresses."""
    out: list[str] = []
    opened: list[int] = []  # where in ``out`` each open "[" is
    unclosed = False  # no ")" after: a "](" further on the line is no link either
    k, n = 0, len(t)
    while k < n:
        c = t[k]
        nxt = t[k + 1] if k + 1 < n else ""
        if c == "\\" and nxt:
            out.append(nxt)
            k += 1
        elif c == "`":
            pass
        elif c == "~" and nxt == "~":
            k += 1
        elif c == "*":
            end = k
            while end + 1 < n and t[end + 1] == "*":
                end += 1
            before = t[k - 1] if k else " "
            after = t[end + 1] if end + 1 < n else " "
            if before == " " and after == " ":  # a times sign
                out.append(t[k : end + 1])
            k = end
        elif c == "[" or (c == "!" and nxt == "["):
            k += c == "!"
            opened.append(len(out))
            out.append("[")
        elif c == "]" and nxt == "(" and opened and not unclosed:
            end = t.find(")", k + 2)
            if end < 0:
                unclosed = True
                out.append(c)
            else:
                out[opened.pop()] = ""
                k = end
        else:
            if c == "]" and opened:
                opened.pop()
            out.append(c)
        k += 1
    return "".join(out)


def plain(text: str) -> str:
    """Markdown as a preview reads it (``js/src/widget/evaluation/rows.js`` ``plain``, the
    same cases: ``tests/fixtures/plain_text.json``): one line, no heading, quote or list
    marks, no emphasis stars, backticks or fences, a link's text without its address, a
    table's cells between "·". One pass over the text (no pattern that backtracks)."""
    lines: list[str] = []
    for line in text.split("\n"):
        t = line.strip()
        if t.startswith(("```", "~~~")) or _RULE.match(t):
            continue
        t = _unmark(t)
        if t.startswith("|"):
            t = " · ".join(t[1 : -1 if t.endswith("|") else None].split("|"))
        lines.append(_inline(t))
    return _SPACE.sub(" ", " ".join(lines)).strip()


def _sig3(x: float) -> str:
    """Three significant digits as the widget writes them: "0.823", "12.3", "1230"."""
    v = float(f"{x:.3g}")
    return str(int(v)) if v.is_integer() and abs(v) < 1e21 else repr(v)


def score_text(value: Any) -> str:
    """A score as the table writes it: ✓/✗, a number's 3 significant digits, text."""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (int, float)):
        return _sig3(float(value))
    return "" if value is None else str(value)


def _signed(x: float) -> str:
    """A change as the widget writes it: "+0.10", "-0.05", "+0.003"."""
    sign = "+" if x > 0 else ""
    return sign + (f"{x:.2f}" if x == 0 or abs(x) >= 0.01 else _sig3(x))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _tokens(row: dict[str, Any]) -> float | None:
    counts = [_num(row.get(k)) for k in ("input_tokens", "output_tokens")]
    return None if counts == [None, None] else sum(c or 0 for c in counts)


def numbers(row: dict[str, Any]) -> str:
    """A case's time, tokens and cost as its row shows them: "1.23 s · 1,239 tok · $0.0010"."""
    latency, tokens, cost = _num(row.get("latency_s")), _tokens(row), _num(row.get("cost_usd"))
    parts = [
        format_duration(latency) if latency is not None else "",
        f"{format_tokens(tokens)} tok" if tokens is not None else "",
        format_cost(cost) if cost is not None else "",
    ]
    return " · ".join(p for p in parts if p)


_STATUS_CLASS = {"completed": "ok", "error": "err", "running": "run"}

# The widget's look (js/src/widget/evaluation/evaluation.css) in a few rules, on light and dark
# pages alike; a page that drops the <style> (GitHub) still reads it: a status is a word too.
_STYLE = (
    ".nbagent-evaluation{--l:1px solid #7f7f7f59}"
    ".nbagent-evaluation .nbe-scroll{overflow-x:auto;max-width:100%;border:var(--l);"
    "border-radius:4px}"
    ".nbagent-evaluation table{border-collapse:collapse;font-size:12px;margin:0;"
    "font-variant-numeric:tabular-nums}"
    ".nbagent-evaluation :is(th,td){border:0;border-bottom:var(--l);padding:3px 6px;"
    "text-align:left;white-space:nowrap;background:none}"
    ".nbagent-evaluation th{font-weight:600}"
    ".nbagent-evaluation .nbe-cut{max-width:15em;overflow:hidden;text-overflow:ellipsis}"
    ".nbagent-evaluation .nbe-ok{color:#1a7f37}"
    ".nbagent-evaluation .nbe-err,.nbagent-evaluation .nbe-down{color:#cf222e}"
    ".nbagent-evaluation .nbe-up{color:#1a7f37}"
    ".nbagent-evaluation .nbe-run{color:#0969da}"
    ".nbagent-evaluation .nbe-other{opacity:.7}"
    ".nbagent-evaluation .nbe-delta,.nbagent-evaluation .nbe-num{font-size:.85em}"
    ".nbagent-evaluation .nbe-delta{margin-left:4px}"
)


def _td(text: str, cls: str = "", title: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' title="{html.escape(title)}"' if title else ""
    return f"<td{attrs}>{html.escape(text)}</td>"


def _cut(text: str, name: str = "") -> str:
    """A preview's cell: ``text`` as ``plain`` reads it, after the case's ``name`` (which is
    no markdown: before the text, it would keep a heading's marks on its line)."""
    text = name + plain(text[: _CUT * 5])
    text = text if len(text) <= _CUT else text[: _CUT - 1] + "…"
    return f'<td><div class="nbe-cut">{html.escape(text)}</div></td>'


def _score(row: dict[str, Any], name: str) -> str:
    error = (row.get("score_errors") or {}).get(name)
    if error:
        return _td("error", "nbe-err", str(error))
    text = score_text((row.get("scores") or {}).get(name))
    delta = (row.get("deltas") or {}).get(name)
    if not isinstance(delta, (int, float)) or not delta:
        return _td(text)
    trend = "nbe-up" if delta > 0 else "nbe-down"
    return f'<td>{html.escape(text)}<span class="nbe-delta {trend}">{_signed(delta)}</span></td>'


def _row(row: dict[str, Any], scores: Sequence[str], review: bool) -> str:
    status = str(row.get("status") or "")
    error = str(row.get("error") or "")
    number = f"{int(row.get('i', 0)) + 1}" + (f"·{row['repeat'] + 1}" if row.get("repeat") else "")
    name = f"{row['name']}: " if row.get("name") else ""
    output = row.get("output") or (error if error else "")
    cells = [
        _td(number),
        _td(f"● {status}", f"nbe-{_STATUS_CLASS.get(status, 'other')}", error),
        *(_score(row, s) for s in scores),
        _cut(str(row.get("input") or ""), name),
        _cut(str(output)),
        _td(numbers(row), "nbe-num"),
    ]
    if review:
        rating = row.get("rating")
        cells.append(_td("👍" if rating is True else "👎" if rating is False else ""))
        cells.append(_td(str(row.get("comment") or "")))
    return f"<tr>{''.join(cells)}</tr>"


def table_html(rows: Sequence[dict[str, Any]], scores: Sequence[str]) -> str:
    """The table of ``rows`` (``nbagent.evaluation.table.row_of``'s, the widget's rows) with a
    column per score of ``scores``, in its scroll box, after its ``<style>``."""
    review = any(r.get("rating") is not None or r.get("comment") for r in rows)
    labels = ["#", "status", *scores, "input", "output", "time · tokens · cost"]
    labels += ["rating", "comment"] if review else []
    head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
    body = "".join(_row(r, scores, review) for r in rows)
    return (
        f'<style>{_STYLE}</style><div class="nbe-scroll"><table>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
