"""``format="ag-ui"``: the AG-UI protocol's event stream (0.x and 1.0).

Items are AG-UI events as dicts (camelCase fields: ``messageId``, ``toolCallId``, ``delta``…),
JSON strings of one event, ``data: {…}`` lines (the SDK's ``EventEncoder().encode(event)``,
pydantic-ai's ``AGUIAdapter.encode_stream``), or ``ServerSentEvent``s (data-only frames;
``type`` discriminates). The ``ag-ui-protocol`` SDK's pydantic event objects (pydantic-ai's
``AGUIAdapter.run_stream()`` yields them) are read by attribute (snake_case, ``type`` its str
enum), never importing the SDK.

Nesting (1.0): an event with ``subagentRunId`` gets ``parent=subagentRunId`` (a tool call and
later events of a message inherit their message's); ``SUBAGENT_STARTED`` opens
``StepStart(step_type="subagent", step_id=subagentRunId)`` whose ``parent`` is the tool call
that spawned it (``parentToolCallId``) or the enclosing sub-agent.
Mapping: design ``protocols.md`` §12.5 (near 1:1); tricky cases: §13.

Ids: messages and tool calls keep theirs. A ``*_CHUNK`` without an id continues the latest
chunked message / call (``{run}:text{n}``, ``{run}:think{n}``, ``{run}:call{n}`` with
``synthetic_id``, by the kit's ``Ids``, when none came yet); a new id ends the previous chunked
one. Legacy ``THINKING_TEXT_MESSAGE_*`` (no ids) get ``{run}:think{n}``. Steps are
``stepName`` (``{stepName}#{n}`` for its n-th step of that name); sub-agents are steps with
``step_id=subagentRunId``.

1.0's additions: an interrupt outcome's interrupts are ``RunEnd.meta["interrupts"]`` (the
transcript's ``interrupt`` blocks; a tool call's pauses that call), answered on the next run
(``resume_entries``); when nbagent drives the agent (``nbagent.show(nbagent.sse(url,
json=run_agent_input))``) each is instead a question paused in the cell, answered with the form
of its ``response_schema``, and the next run is posted for you (``questions``, and
``nbagent.frameworks.ag_ui``); ``ACTIVITY_*`` are ``State`` events (the transcript's
``activity`` blocks); ``REASONING_ENCRYPTED_VALUE`` marks its reasoning encrypted (never
decoded); every event's ``metadata`` is kept as ``meta["metadata"]`` of what it became (a
``Custom("metadata")`` when it became nothing else).

Modules: ``tables`` (the event types, outcomes, the field reader), ``messages`` (text and
reasoning), ``tools`` (tool calls), ``scopes`` (the sub-agent of each event), ``interrupts``
and ``resume`` (interrupts and their answers), ``questions`` (interrupts asked in the cell),
``conversation`` (the thread's messages for the next run), ``adapter`` (``AgUiAdapter``: the
run, steps, state).
"""

from __future__ import annotations

from nbagent.adapters.ag_ui.adapter import AgUiAdapter
from nbagent.adapters.ag_ui.resume import check_answer, pending_interrupts, resume_entries
from nbagent.adapters.ag_ui.tables import EVENT_TYPES, OUTCOMES

__all__ = [
    "EVENT_TYPES",
    "OUTCOMES",
    "AgUiAdapter",
    "check_answer",
    "pending_interrupts",
    "resume_entries",
]
