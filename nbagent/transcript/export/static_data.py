"""A tool result's display bundles as static HTML (``tool_data_html``), for the HTML export's
tool panels: tables, images, audio, HTML tables and markdown, each checked again.

Twin: js/src/panels/data.js"""

from __future__ import annotations

import html
from typing import Any

from nbagent.core.data import (
    BUNDLE_AUDIO_MIMES,
    IMAGE_MIMES,
    TABLE_MIME,
    audio_data_ok,
    clean_display,
    clean_table_html,
    image_size,
)
from nbagent.core.sanitizer import WITHOUT_NH3, nh3_module
from nbagent.transcript.export.renderer import block_markdown

__all__ = ["tool_data_html"]


def tool_data_html(display: Any) -> str:
    """A tool result's display bundles (``ToolCall.display``) as static HTML, checked again
    (the state may come from anywhere): a table of escaped cells, an ``img`` only from a base64
    PNG/JPEG/WebP that is what it says, an ``audio`` player only from base64 audio that is the
    container its type says, a ``_repr_html_`` table through the nh3 table allow-list,
    markdown through the export's renderer; "" when there is nothing to show."""
    out = []
    for bundle in clean_display(display) or []:
        data = bundle["data"]
        image = next((m for m in IMAGE_MIMES if m in data), None)
        sound = next((m for m in BUNDLE_AUDIO_MIMES if m in data), None)
        if TABLE_MIME in data:
            out.append(_table_html(data[TABLE_MIME]))
        elif image is not None and (size := image_size(image, data[image])) is not None:
            alt = html.escape(str(data.get("text/plain") or "image from the tool"))
            out.append(
                f'<img class="nba-data-image" src="data:{image};base64,{data[image]}" '
                f'width="{size[0]}" height="{size[1]}" alt="{alt}">'
            )
        elif sound is not None and audio_data_ok(sound, data[sound]):
            caption = html.escape(str(data.get("text/plain") or ""))
            out.append(
                f'<div><audio class="nba-data-audio" controls preload="metadata" '
                f'src="data:{sound};base64,{data[sound]}"></audio>'
                f'<div class="nba-meta">{caption}</div></div>'
            )
        elif "text/html" in data and (cleaned := clean_table_html(data["text/html"])):
            out.append(f'<div class="nba-data-html">{cleaned}</div>')
        elif "text/html" in data and "text/plain" in data and nh3_module() is None:
            text = html.escape(data["text/plain"])
            out.append(f'<pre><code>{text}</code></pre><div class="nba-meta">{WITHOUT_NH3}</div>')
        elif "text/markdown" in data:
            out.append(
                f'<div class="nba-data-markdown">{block_markdown(data["text/markdown"])}</div>'
            )
        elif "text/plain" in data:
            out.append(f"<pre><code>{html.escape(data['text/plain'])}</code></pre>")
    return "".join(out)


def _table_html(t: dict[str, Any]) -> str:
    esc = html.escape
    shape = t["shape"]
    rows, ncols = shape[0] if shape else 0, shape[1] if len(shape) > 1 else 1
    columns = t["columns"]
    indexed = isinstance(t.get("index"), dict)
    caption = f"{esc(str(t.get('kind') or 'table'))} · {rows:,} rows x {ncols:,} columns"
    cut = t.get("omitted_columns")
    if isinstance(cut, int) and cut > 0:  # as the widget's caption says it (data.js)
        caption += f" ({len(columns):,} of {ncols:,} columns shown)"
    head = "".join(
        f"<th>{esc(str(c['name']))}<br><small>{esc(str(c.get('dtype') or ''))}</small></th>"
        for c in columns
    )
    if indexed:
        head = f"<th>{esc(str(t['index'].get('name') or ''))}</th>" + head

    def body(cells: list[list[str]], index: Any) -> str:
        index = index if isinstance(index, list) else []
        lines = []
        for i, row in enumerate(cells):
            lead = f"<th>{esc(str(index[i]))}</th>" if indexed and i < len(index) else ""
            lines.append("<tr>" + lead + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
        return "".join(lines)

    gap = ""
    omitted = t.get("omitted_rows")
    if isinstance(omitted, int) and omitted > 0:
        span = len(columns) + indexed
        gap = f'<tr><td colspan="{span}"><em>… {omitted:,} rows …</em></td></tr>'
    return (
        f'<div class="nba-label">{caption}</div><div class="nba-data-table"><table>'
        f"<thead><tr>{head}</tr></thead><tbody>{body(t['head'], t.get('head_index'))}{gap}"
        f"{body(t['tail'], t.get('tail_index'))}</tbody></table></div>"
    )
