"""``format="google-interactions"``: Gemini's Interactions API streaming.

Items are what ``client.interactions.create(..., stream=True)`` (and ``await
client.aio.interactions.create(...)``, ``client.interactions.get(id, stream=True)``) yield: the
SDK's ``InteractionCreatedEvent``, ``StepStart``, ``StepDelta``, ``StepStop``,
``InteractionStatusUpdate``, ``InteractionCompletedEvent`` and ``ErrorEvent`` objects; or the
same events as the REST API sends them (dicts, JSON strings or ``ServerSentEvent``\\ s of
``POST /v1beta/interactions`` with ``"stream": true``, ``event: done`` / ``[DONE]`` last), as
``nbagent.sse(url, json=...)`` gives them.

Mapping: ``interaction.created`` starts the run (its ``id``, ``model``) and a step (named by its
``agent``, else ``model``); the steps of the interaction (``step.start`` / ``step.delta`` /
``step.stop`` by ``index``) are its text, thinking, tool calls and results (``steps.py``); the
``usage`` totals of ``interaction.completed`` (``interaction.status_update``, ``step.stop``, a
delta's ``metadata.total_usage``) are the step's ``Usage``; ``interaction.completed``'s
``status`` ends the step and the run (``STATUSES``: ``requires_action`` is ``tool_calls``,
``incomplete`` and ``budget_exceeded`` ``max_tokens``, ``failed`` ``error``); a
``requires_continuation`` interaction is a pause that the SDK's automatic continuation follows
with the next hop's ``interaction.created`` (a step of its own), else the run ends
``interrupted`` with a note (``PAUSED``) saying how to go on. An ``error`` event ends the run
``error``; a stream that stops before its interaction completed ends ``incomplete``
(``unknown`` after ``[DONE]``).

Ids: the run id is the first interaction's ``id`` and each interaction a step of its id; a call
keeps its ``id``; a message is ``{run}:text<n>`` / ``{run}:think<n>`` (the kit's ``Ids``).

The adapter is split over ``adapter.py`` (``GoogleInteractionsAdapter``: the run, its
interactions, usage and errors) and ``steps.py`` (``Steps``: what the steps say).
"""

from nbagent.adapters.google_interactions.adapter import GoogleInteractionsAdapter

__all__ = ["GoogleInteractionsAdapter"]
