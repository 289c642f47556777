"""``format="openai-responses"``: OpenAI Responses API streaming.

Items are Responses stream events: SDK objects (``openai.types.responses.*Event``), plain
dicts, JSON strings, or ``ServerSentEvent``s (the name is in both ``event:`` and the JSON
``type``), also wrapped in the OpenAI Agents SDK's ``RawResponsesStreamEvent`` (its
``.data``). Mapping: design ``protocols.md`` §12.2; tricky cases: §13.

Ids: the run and the step are ``response.id``; a text message is its output item's id
(``msg_…``), a refusal ``{item id}:refusal1``, a reasoning item's thinking its id (``rs_…``).
A function call's ``tool_call_id`` is its ``call_id`` (``{call_id}#2`` when seen again; the
argument deltas name the item id, ``fc_…``, and are mapped to it); a hosted tool (web search,
file search, code interpreter, MCP, image generation…) is a server tool call named by its item
type, with its progress events as ``Status`` and its output item as the ``ToolResult``.

The ``.done`` events and ``output_item.done`` carry full texts: they only reconcile (a
missing suffix is emitted), never append.

The adapter is split over: ``adapter.py`` (``OpenAIResponsesAdapter``: detection, ``feed``/
``end``, the run's life), ``content.py`` (text, thinking and argument deltas, reconciling the
full texts), ``items.py`` (output items as the kit's ``Parts``: opening, finding and closing
them) and ``maps.py`` (tables and pure readers).
"""

from nbagent.adapters.openai_responses.adapter import OpenAIResponsesAdapter

__all__ = ["OpenAIResponsesAdapter"]
