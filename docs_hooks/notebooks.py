"""MkDocs hook: every tutorial notebook of ``notebooks/`` as a page ``tutorials/<name>.md``.

Markdown cells stay markdown (links to another ``.ipynb`` point at its page), code cells become
fenced Python, and outputs are drawn from what the notebook saved, never by a widget manager:

- an nbagent output (a run, lanes, a chat, an evaluation, an MCP inspector) shows its escaped
  static ``text/html`` copy, the one nbconvert and GitHub show; the widget-view MIME is dropped.
  It goes into a ``<template>`` that ``docs/assets/notebook.js`` puts in a shadow root, so the
  theme's styles for ``details``, ``table`` and ``pre`` do not restyle it;
- other HTML (a DataFrame) inline, then images, markdown and plain text; streams as text.

The tutorials that run in the browser get a "Try it" link under their first markdown cell
(``docs_hooks/lite.py``).

The HTML is put in after markdown has been rendered (placeholders), so markdown never touches
it. A notebook that cannot be read, or an output with nothing to show, fails the build.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from docs_hooks.lite import try_it

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAGES = "tutorials"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NBAGENT_MIME = "application/vnd.nbagent."
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NOTEBOOK_LINK = re.compile(r"\]\((?!https?:)([\w./-]+)\.ipynb(#[\w-]*)?\)")

_outputs: dict[str, list[str]] = {}
"""Per page (its src_uri): the HTML of each placeholder, in order."""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _placeholder(page: str, fragment: str) -> str:
    held = _outputs.setdefault(page, [])
    held.append(fragment)
    return f'\n<div class="nb-placeholder" data-n="{len(held) - 1}"></div>\n'


def _is_nbagent(data: dict[str, Any]) -> bool:
    if any(k.startswith(NBAGENT_MIME) for k in data):
        return True
    return _text(data.get("text/html", "")).lstrip().startswith('<div class="nbagent-')


def _rich(data: dict[str, Any], where: str) -> str:
    """The HTML of one display_data / execute_result output."""
    if "text/html" in data and _is_nbagent(data):
        copy = _text(data["text/html"])
        return f'<div class="nb-output nb-nbagent"><template>{copy}</template></div>'
    if "text/html" in data:
        return f'<div class="nb-output nb-html">{_text(data["text/html"])}</div>'
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            b64 = "".join(_text(data[mime]).split())
            base64.b64decode(b64, validate=True)  # a broken image fails the build
            return f'<div class="nb-output"><img alt="output" src="data:{mime};base64,{b64}"></div>'
    if "text/plain" in data:
        return f'<pre class="nb-output nb-text">{html.escape(_text(data["text/plain"]))}</pre>'
    raise ValueError(f"{where}: an output with nothing to show ({sorted(data)})")


def _output(page: str, output: dict[str, Any], where: str) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = html.escape(_text(output.get("text", "")))
        return _placeholder(page, f'<pre class="nb-output nb-stream">{text}</pre>')
    if kind == "error":
        trace = ANSI.sub("", "\n".join(_text(line) for line in output.get("traceback", [])))
        return _placeholder(page, f'<pre class="nb-output nb-error">{html.escape(trace)}</pre>')
    if kind in ("display_data", "execute_result"):
        data = {k: v for k, v in output.get("data", {}).items() if k != WIDGET_VIEW}
        return _placeholder(page, _rich(data, where))
    raise ValueError(f"{where}: unknown output type {kind!r}")


def notebook_markdown(path: Path, page: str) -> str:
    """The markdown of the page for the notebook at ``path`` (outputs as placeholders)."""
    _outputs[page] = []
    notebook = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    link = try_it(path.stem)
    for n, cell in enumerate(notebook["cells"]):
        source = _text(cell.get("source", ""))
        where = f"notebooks/{path.name}, cell {n}"
        if cell["cell_type"] == "markdown":
            parts.append(NOTEBOOK_LINK.sub(r"](\1.md\2)", source) + "\n")
            if link is not None:  # under the notebook's first heading
                parts.append(_placeholder(page, link))
                link = None
        elif cell["cell_type"] == "code":
            if source.strip():
                parts.append(f"``` python\n{source}\n```\n")
            parts.extend(_output(page, o, where) for o in cell.get("outputs", []))
    parts.append(
        f"\n---\n\n*This page is `notebooks/{path.name}` with the outputs it was saved with "
        "(`make test` runs it top to bottom, offline).*\n"
    )
    return "\n".join(parts)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {NOTEBOOKS}")
    for path in notebooks:
        page = f"{PAGES}/{path.stem}.md"
        files.append(File.generated(config, page, content=notebook_markdown(path, page)))
    return files


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    held = _outputs.get(page.file.src_uri)
    if held is None:
        return html_text

    def fill(match: re.Match[str]) -> str:
        return held[int(match.group(1))]

    filled, count = re.subn(r'<div class="nb-placeholder" data-n="(\d+)"></div>', fill, html_text)
    if count != len(held):
        raise ValueError(f"{page.file.src_uri}: {count} of {len(held)} outputs placed")
    return filled
