"""Every regular expression in nbagent's Python code, as JSON for the ReDoS checker
(js/redos.mjs, run by ``make lint``): file, line, the pattern in JavaScript syntax (Python's
``re`` and JavaScript's engines both backtrack, and nearly every Python pattern is valid
JavaScript once named groups, ``\\Z`` and inline flags are spelled the JavaScript way), flags,
and the ``redos-bounded:`` note next to it, if any.

Usage: python -m tests.regex_patterns nbagent > patterns.json
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

# Where each ``re`` function takes its flags, counting the pattern as 0.
_FLAGS_AT = {
    "compile": 1,
    "search": 2,
    "match": 2,
    "fullmatch": 2,
    "findall": 2,
    "finditer": 2,
    "split": 3,
    "sub": 4,
    "subn": 4,
}
_FLAG_LETTERS = {
    "I": "i",
    "IGNORECASE": "i",
    "M": "m",
    "MULTILINE": "m",
    "S": "s",
    "DOTALL": "s",
    "X": "x",
    "VERBOSE": "x",
}
NOTE = "redos-bounded:"
# What an interpolated ``re.escape(...)`` stands for: literal text.
_ESCAPED = "w"


def _flags(node: ast.expr | None) -> str:
    """Every flag named anywhere in the expression (``re.I if short else 0`` counts as ``i``)."""
    if node is None:
        return ""
    names = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return "".join(sorted({_FLAG_LETTERS[n] for n in names if n in _FLAG_LETTERS}))


def _pattern(node: ast.expr) -> str | None:
    """The pattern's text, ``re.escape(...)`` parts standing for a word; None when built
    from anything else at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (
                isinstance(value, ast.FormattedValue)
                and isinstance(value.value, ast.Call)
                and isinstance(value.value.func, ast.Attribute)
                and value.value.func.attr == "escape"
            ):
                parts.append(_ESCAPED)
            else:
                return None
        return "".join(parts)
    return None


def _strip_verbose(p: str) -> str:
    """A VERBOSE pattern without its whitespace and comments (outside classes and escapes)."""
    out, i, in_class = [], 0, False
    while i < len(p):
        c = p[i]
        if c == "\\":
            out.append(p[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c.isspace():
            i += 1
            continue
        elif c == "#":
            nl = p.find("\n", i)
            i = len(p) if nl < 0 else nl
            continue
        out.append(c)
        i += 1
    return "".join(out)


_INLINE_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def to_javascript(pattern: str, flags: str) -> tuple[str, str]:
    """A Python pattern and its flags in JavaScript's syntax, for the checker."""
    m = _INLINE_FLAGS.match(pattern)
    if m:
        flags += "".join(f for f in m.group(1) if f in "imsx")
        pattern = pattern[m.end() :]
    if "x" in flags:
        pattern = _strip_verbose(pattern)
    pattern = pattern.replace("(?P<", "(?<").replace("\\Z", "(?![\\s\\S])")
    pattern = pattern.replace("\\A", "(?<![\\s\\S])")
    pattern = re.sub(r"\(\?P=(\w+)\)", r"\\k<\1>", pattern)
    return pattern, "".join(sorted(set(flags) - {"x"}))


def _note(lines: list[str], first: int, last: int) -> str | None:
    """The ``redos-bounded:`` note on the pattern's lines or the comment lines just above."""
    i = first - 1
    while i >= 1 and lines[i - 1].lstrip().startswith("#"):
        i -= 1
    for text in lines[i:last]:
        at = text.find(NOTE)
        if at >= 0:
            return text[at + len(NOTE) :].strip()
    return None


def patterns_in(path: Path, root: Path) -> list[dict[str, Any]]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _FLAGS_AT
            and node.args
        ):
            continue
        at = _FLAGS_AT[node.func.attr]
        flag_node = node.args[at] if len(node.args) > at else None
        for kw in node.keywords:
            if kw.arg == "flags":
                flag_node = kw.value
        text = _pattern(node.args[0])
        if text is None and not isinstance(node.args[0], ast.Name):
            source_js, flags = None, ""
        elif text is None:
            continue  # a compiled pattern passed on: checked where it is compiled
        else:
            source_js, flags = to_javascript(text, _flags(flag_node))
        found.append(
            {
                "file": path.resolve().relative_to(root).as_posix(),
                "line": node.lineno,
                "source": source_js,
                "flags": flags,
                "bounded": _note(lines, node.lineno, node.end_lineno or node.lineno),
            }
        )
    return found


def main(argv: list[str]) -> None:
    root = Path.cwd()
    out = []
    for top in argv or ["nbagent"]:
        for path in sorted(Path(top).rglob("*.py")):
            out.extend(patterns_in(path, root))
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
