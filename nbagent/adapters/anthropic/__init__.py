"""``format="anthropic"``: Anthropic Messages streaming.

Items are the raw stream events: dicts (``{"type": "message_start", ...}``), the ``anthropic``
SDK's event objects (``RawMessageStreamEvent``: pydantic models with ``.type``), JSON strings
of one event, or ``ServerSentEvent``s (event name + JSON data). Mapping: design
``protocols.md`` §12.4; tricky cases: §13.

Ids: the run id and the step id are the message id (``"msg"`` when no ``message_start`` came
first); a content block is ``{msg}:text1``, ``{msg}:think1``… (the kit's ``Ids``, counting each
kind); a tool call keeps its ``tool_use`` id (``{msg}:call1``… with ``synthetic_id=True`` when
input arrives for a block that never started). A ``refusal`` stop with
``stop_details.explanation`` adds a refusal text message ``{msg}:refusal1`` holding the
explanation.

The adapter is split over three modules: ``adapter.py`` (``AnthropicAdapter``: detection,
``feed``/``end``, the run's life), ``blocks.py`` (content blocks) and ``maps.py`` (tables and
pure readers).
"""

from nbagent.adapters.anthropic.adapter import AnthropicAdapter
from nbagent.adapters.anthropic.maps import map_stop_reason

__all__ = ["AnthropicAdapter", "map_stop_reason"]
