"""The normalizer: lifecycle repair of an adapter's events (see ``normalizer.py``).

``normalizer.py``: ``Normalizer`` (stamping, the run's and messages' life cycle, ``finish``,
``fail``, ``cancel``); ``tools.py``: tool calls; ``parts.py``: its state and pure helpers;
``errors.py``: an exception as the run's one-line error (``error_message``), naming the server.
"""

from nbagent.core.errors import at_url, error_message, error_text
from nbagent.pipeline.normalize.normalizer import Normalizer
from nbagent.pipeline.normalize.parts import double_encoded, parse_arguments, stream_cut

__all__ = [
    "Normalizer",
    "at_url",
    "double_encoded",
    "error_message",
    "error_text",
    "parse_arguments",
    "stream_cut",
]
