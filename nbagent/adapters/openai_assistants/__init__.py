"""``format="openai-assistants"``: Assistants thread/run streaming, and NEAR AI threads.

The event name is only in the SSE ``event:`` field (the JSON has no ``type``). Items are
``ServerSentEvent(event=name, data=json)``, NEAR AI's data-only wrapper
``{"event": name, "data": {...}}`` (a dict, a JSON string or the data of a default-named
``ServerSentEvent``), or the openai SDK's ``AssistantStreamEvent`` objects (``.event`` and
``.data``). Mapping: design ``protocols.md`` §12.3 and §4.1; tricky cases: §13.

Ids: the run is ``run.id``, a step ``step.id``, a text message its message id (a refusal
``{id}:refusal1``); a tool call its wire id, or ``{step}:call{n}`` (``synthetic_id``)
when it has none. NEAR puts the Run of ``thread.run.*`` under ``data.delta``. ``done`` is
the end of the transport: without a run status before it, the normalizer ends the run;
with neither, ``end()`` ends it ``incomplete``.

The adapter is split over: ``adapter.py`` (``OpenAIAssistantsAdapter``: detection,
``feed``/``end``, the run's life), ``steps.py`` (steps and tool calls), ``messages.py``
(messages) and ``maps.py`` (tables and pure readers).
"""

from nbagent.adapters.openai_assistants.adapter import OpenAIAssistantsAdapter

__all__ = ["OpenAIAssistantsAdapter"]
