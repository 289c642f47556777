"""The normalizer: lifecycle repair of an adapter's events (see ``normalizer.py``).

``normalizer.py``: ``Normalizer`` (stamping, the run's and messages' life cycle, ``finish``,
``fail``, ``cancel``); ``tools.py``: tool calls; ``parts.py``: its state and pure helpers.
"""

from nbagent._normalize.normalizer import Normalizer
from nbagent._normalize.parts import parse_arguments, stream_cut

__all__ = ["Normalizer", "parse_arguments", "stream_cut"]
