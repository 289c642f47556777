"""The normalizer: lifecycle repair of an adapter's events (see ``normalizer.py``).

``normalizer.py``: ``Normalizer`` (stamping, the run's and messages' life cycle, ``finish``,
``fail``, ``cancel``); ``tools.py``: tool calls; ``parts.py``: its state and pure helpers.
An exception as the run's one-line error is ``nbagent.core.errors`` (adapters and sources use it).
"""

from nbagent.pipeline.normalize.normalizer import Normalizer
from nbagent.pipeline.normalize.parts import double_encoded, parse_arguments, stream_cut

__all__ = [
    "Normalizer",
    "double_encoded",
    "parse_arguments",
    "stream_cut",
]
