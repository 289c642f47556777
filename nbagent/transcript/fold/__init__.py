"""The pure reducer: normalized Events → the transcript's state (docs/develop/contracts.md).

``reducer.py``: ``TranscriptBase`` (construction, the public view, ``apply`` and the text,
thinking and message handlers); ``tools.py``: tool calls; ``run.py``: steps, status, errors,
the run's start and end; ``usage.py``: usage and cost; ``state.py``: the fields, the block
helpers and ``apply_op``; ``numbers.py``: what time to first token, generation time, output
tokens and tokens/s mean, and ``run_numbers.py`` those of the transcript; ``plans.py``: the
run's plan from its snapshots.
"""

from nbagent.transcript.blocks import ToolCall
from nbagent.transcript.fold.reducer import TranscriptBase
from nbagent.transcript.fold.state import MAX_WARNINGS, STATE_VERSION, apply_op
from nbagent.transcript.usage import TokenUsage

__all__ = ["MAX_WARNINGS", "STATE_VERSION", "TokenUsage", "ToolCall", "TranscriptBase", "apply_op"]
