"""Tool results as data: DataFrames, Series, arrays, figures, images and objects with
``_repr_*_`` methods as mime bundles (``to_display``), checked again wherever bundles come
from outside (``clean_display``); ``_repr_html_`` only as a table (``clean_table_html``); an
MCP tool's sound as an audio bundle (``audio_bundle``).

Nothing here imports pandas, polars, numpy, matplotlib or PIL: objects are recognized by their
types' modules, and a library is used only through an object of it the user already has.
"""

from nbagent.core.data.audio import AUDIO_MIMES, BUNDLE_AUDIO_MIMES, audio_bundle, audio_data_ok
from nbagent.core.data.convert import DataDisplay, clean_display, image_size, to_display
from nbagent.core.data.html import clean_table_html
from nbagent.core.data.images import IMAGE_MIMES
from nbagent.core.data.tables import TABLE_MIME

__all__ = [
    "AUDIO_MIMES",
    "BUNDLE_AUDIO_MIMES",
    "IMAGE_MIMES",
    "TABLE_MIME",
    "DataDisplay",
    "audio_bundle",
    "audio_data_ok",
    "clean_display",
    "clean_table_html",
    "image_size",
    "to_display",
]
