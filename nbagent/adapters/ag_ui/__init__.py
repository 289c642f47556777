"""``format="ag-ui"``: the AG-UI protocol's event stream (0.x and 1.0).

Items are AG-UI events as dicts (camelCase fields: ``messageId``, ``toolCallId``, ``delta``…),
JSON strings of one event, or ``ServerSentEvent``s (data-only frames; ``type`` discriminates).
Pydantic event objects of the ``ag-ui-protocol`` SDK work too (read by attribute, snake_case).
Mapping: design ``protocols.md`` §12.5 (near 1:1); tricky cases: §13.

Ids: messages and tool calls keep theirs. A ``*_CHUNK`` without an id continues the latest
chunked message / call (``text-{n}``, ``reasoning-{n}``, ``tool-{n}`` with ``synthetic_id``
when none came yet); a new id ends the previous chunked one. Legacy ``THINKING_TEXT_MESSAGE_*``
(no ids) get ``thinking-{n}``. Steps are ``f"{stepName}#{n}"`` (the n-th step of that name);
sub-agents are steps with ``step_id=subagentRunId``.

Modules: ``tables`` (the event types, outcomes, the field reader), ``messages`` (text and
reasoning), ``tools`` (tool calls), ``adapter`` (``AgUiAdapter``: the run, steps, state).
"""

from __future__ import annotations

from nbagent.adapters.ag_ui.adapter import AgUiAdapter
from nbagent.adapters.ag_ui.tables import EVENT_TYPES, OUTCOMES

__all__ = ["EVENT_TYPES", "OUTCOMES", "AgUiAdapter"]
