"""A tool result's unified diffs, as the widget's acp chunk reads and draws them
(``js/src/panels/acp_view.js`` ``diffPieces``, ``diffView``): the result cut into its plain text and
its `````diff`` fences, each fence's file (from its ``+++`` / ``---`` headers) and its added and
removed lines counted (headers aside); for the static copy, each diff as a head (file, lines added
and removed) over its lines coloured by kind, folded past ``DIFF_LINES`` in a ``<details>``.

Each text is read once, line by line, and every line escaped: a hostile result (a megabyte on
one line, a hundred thousand lines, a ``<script>`` in a line) costs time linear in it and
shows as text. With no CSS (GitHub drops the ``<style>``) the lines still read: added ones in
``<ins>``, removed ones in ``<del>``, headers in ``<i>``, each line its own.

Twin: js/src/panels/acp_view.js"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = [
    "DIFF_LINES",
    "DIFF_MARK",
    "DIFF_STYLE",
    "MINUS",
    "Diff",
    "diff_counts",
    "diff_html",
    "diff_pieces",
]

DIFF_LINES = 12
"""A diff longer than this many lines shows its first ones, the rest folded (the widget's
``DIFF_LINES``)."""
_FENCE = "```diff"
MINUS = "\u2212"
"""The removed lines' sign in the counts: a minus sign, as the widget writes it."""

DIFF_MARK = '<div class="nba-diff">'
"""How a diff view opens: an export that holds one needs ``DIFF_STYLE`` (escaped text cannot
hold it: its ``<`` and ``"`` are escaped)."""

# The widget's diff view (js/src/widget/styles/acp.css, "A coding agent's parts") in the static
# copy's colours: emitted only by a run that has a diff (the saved copy's bytes count per run).
DIFF_STYLE = (
    ".nbagent-static .nba-diff{border:var(--l);border-radius:6px;margin:6px 0;overflow:hidden}"
    ".nbagent-static .nba-diff-head{padding:2px 8px;background:var(--f);font-size:.85em}"
    ".nbagent-static .nba-diff-add{color:#1a7f37}.nbagent-static .nba-diff-del{color:#cf222e}"
    ".nbagent-static .nba-diff pre{margin:0;border:0;border-radius:0;padding:2px 8px;"
    "white-space:pre;overflow-x:auto}"
    ".nbagent-static .nba-diff pre>*{display:block;margin:0 -8px;padding:0 8px;"
    "text-decoration:none;font-style:normal}"
    ".nbagent-static .nba-diff ins{background:#2da44e2e}"
    ".nbagent-static .nba-diff del{background:#cf222e2e}"
    ".nbagent-static .nba-diff pre>i{opacity:.7}"
    ".nbagent-static .nba-diff details{border:0;margin:0;padding:0}"
    ".nbagent-static .nba-diff summary{padding:2px 8px;font-size:.85em}"
)


@dataclass(slots=True)
class Diff:
    """One diff fence: its file ("" until a ``+++`` header names it), the lines it adds and
    removes, and its lines as written (headers included)."""

    file: str = ""
    add: int = 0
    delete: int = 0
    lines: list[str] = field(default_factory=list)


def _path(header: str) -> str:
    return header[4:].partition("\t")[0].strip()


def _file_of(old: str, new: str) -> str:
    """The diff's file as its headers name it: the new path, the old one for a deletion."""
    path = _path(new)
    return path if path and path != "/dev/null" else _path(old)


def diff_pieces(text: str) -> list[str | Diff]:
    """``text`` cut into its plain text (stripped, none blank) and its diff fences, in order;
    an unclosed fence (a result still streaming) is a diff of what came. No fence: ``[]``."""
    if _FENCE not in text:
        return []
    pieces: list[str | Diff] = []
    plain: list[str] = []
    diff: Diff | None = None
    old = ""
    for line in text.split("\n"):
        if diff is None:
            if line.rstrip() == _FENCE:
                if any(p.strip() for p in plain):
                    pieces.append("\n".join(plain).strip())
                plain = []
                diff = Diff()
            else:
                plain.append(line)
            continue
        if line.rstrip() == "```":
            pieces.append(diff)
            diff = None
            continue
        diff.lines.append(line)
        if line.startswith("--- ") and not diff.file:
            old = line
        elif line.startswith("+++ ") and not diff.file:
            diff.file = _file_of(old, line) or "file"
        elif line.startswith("+"):
            diff.add += 1
        elif line.startswith("-"):
            diff.delete += 1
    if diff is not None:
        pieces.append(diff)
    if any(p.strip() for p in plain):
        pieces.append("\n".join(plain).strip())
    if not any(isinstance(p, Diff) for p in pieces):
        return []
    return pieces


def diff_counts(diffs: list[Diff]) -> str:
    """The widget's counts over a result's diffs: ``f"+{added} {MINUS}{removed}"``."""
    return f"+{sum(d.add for d in diffs)} {MINUS}{sum(d.delete for d in diffs)}"


def _tag(line: str) -> str:
    """A line's element by its kind: a header (file or hunk), added, removed, context ("")."""
    if line.startswith(("+++ ", "--- ", "@@")):
        return "i"
    return {"+": "ins", "-": "del"}.get(line[:1], "")


def _lines_html(lines: list[str]) -> str:
    """The lines, escaped, each run of one kind in one element (a context run bare): one
    line's newline inside its element, so the lines stay lines with or without the CSS."""
    out: list[str] = []
    run: list[str] = []
    tag = ""
    for line in lines:
        kind = _tag(line)
        if kind != tag and run:
            body = html.escape("\n".join(run) + "\n", quote=False)
            out.append(f"<{tag}>{body}</{tag}>" if tag else body)
            run = []
        tag = kind
        run.append(line)
    if run:
        body = html.escape("\n".join(run) + "\n", quote=False)
        out.append(f"<{tag}>{body}</{tag}>" if tag else body)
    return "".join(out)


def diff_html(d: Diff) -> str:
    """One diff's static view: its file and counts, then its first ``DIFF_LINES`` lines, the
    rest under "Show all (N lines)" (a ``<details>``: no script)."""
    head = (
        f'{DIFF_MARK}<div class="nba-diff-head"><code>{html.escape(d.file or "file")}</code> '
        f'<span class="nba-diff-add">+{d.add}</span> '
        f'<span class="nba-diff-del">{MINUS}{d.delete}</span></div>'
    )
    shown = f"<pre>{_lines_html(d.lines[:DIFF_LINES])}</pre>"
    if len(d.lines) <= DIFF_LINES:
        return f"{head}{shown}</div>"
    rest = _lines_html(d.lines[DIFF_LINES:])
    return (
        f"{head}{shown}<details><summary>Show all ({len(d.lines)} lines)</summary>"
        f"<pre>{rest}</pre></details></div>"
    )
