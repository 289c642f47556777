"""The caps that keep a tool's data small in the transcript, the saved notebook and the
model's context. Every conversion in ``nbagent.core.data`` is bounded by these."""

from __future__ import annotations

__all__ = [
    "AUDIO_BYTES",
    "CELL_CHARS",
    "FIGURE_DPI",
    "IMAGE_BYTES",
    "IMAGE_SIDE",
    "MARKDOWN_CHARS",
    "MAX_BUNDLES",
    "TABLE_COLUMNS",
    "TABLE_HEAD_ROWS",
    "TABLE_TAIL_ROWS",
    "TEXT_CHARS",
]

TABLE_HEAD_ROWS = 10
"""Rows shown from the start of a table (DataFrame, Series, array)."""

TABLE_TAIL_ROWS = 5
"""Rows shown from its end; the rows between are counted, never copied."""

TABLE_COLUMNS = 40
"""Columns shown; the rest are counted (``omitted_columns``)."""

CELL_CHARS = 100
"""A cell's text is cut to this many characters (a long string in a frame)."""

TEXT_CHARS = 8_000
"""The ``text/plain`` form (the model's text for an array, a repr) is cut to this length."""

MARKDOWN_CHARS = 20_000
"""An object's ``_repr_markdown_`` (and the ``text/html`` of a ``_repr_html_`` table) is cut
to this many characters; longer ones are not shown as such."""

IMAGE_SIDE = 1600
"""The longest side of an image, in pixels; larger ones are downscaled (PIL) or not shown."""

IMAGE_BYTES = 1_000_000
"""The encoded size of an image; larger ones are re-encoded smaller (PIL) or not shown."""

AUDIO_BYTES = 1_000_000
"""The size of a sound a tool returns that is played in its panel (a minute of 128 kbit/s MP3,
11 s of CD-quality WAV); a larger one is only said in a line. It is saved in the notebook
twice (the widget's state and its HTML copy), base64 (a third larger), and sent to every
open view of the run."""

FIGURE_DPI = 100
"""matplotlib Figures are saved at this resolution (640x480 for the default size)."""

MAX_BUNDLES = 8
"""A tool returning a tuple or list of data objects gets at most this many bundles."""
