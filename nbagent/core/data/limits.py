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
    "MEDIA_RUN_SAVED_BYTES",
    "MEDIA_SAVED_BYTES",
    "MEDIA_SHOWN_BYTES",
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

MEDIA_SHOWN_BYTES = 16_000_000
"""The largest picture or sound a model made that the cell shows: a 4096x4096 PNG (Gemini's
4K images) with room; a larger one is a line saying its type and size."""

MEDIA_SAVED_BYTES = 2_000_000
"""The largest picture or sound a model made that the saved run keeps (the notebook's widget
state and its static copy, the exports): one image of OpenAI's image generation or Gemini's at
their common sizes (a recorded 1536x1024 WebP of OpenAI's at low quality is 1.6 MB, its RIFF
header says: vercel/ai's fixture, tests/fixtures/openai-responses/README.md), or 40 s of a
spoken answer (24 kHz 16-bit WAV, 48 KB/s). A larger one shows while the run goes on; the saved
run says ``image/png, 2.3 MB, not saved`` in its place. A kept part is in the notebook twice,
base64: ~5.3 MB at the bound."""

MEDIA_RUN_SAVED_BYTES = 4_000_000
"""What one run keeps of its pictures and sounds in all: two at ``MEDIA_SAVED_BYTES``; those
after say so in a line, as a part over the bound does (a run's cell output then holds at most
~11 MB of them)."""
