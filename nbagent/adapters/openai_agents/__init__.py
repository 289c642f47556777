"""``format="openai-agents"``: the OpenAI Agents SDK's run stream.

Items are the events of ``Runner.run_streamed(agent, input).stream_events()`` (``nbagent.show``
takes the ``RunResultStreaming`` itself: ``nbagent.sources.results``), recognized by their
type's name and module (``agents.stream_events``; nothing imports the SDK), or their dict
form (``{"type": "run_item_stream_event", ...}``):

- ``RawResponsesStreamEvent``: its ``.data`` is a Responses API event. Each model call
  (``response.created`` … ``response.completed``) is a step named after the current agent,
  read by an ``OpenAIResponsesAdapter`` of its own: text, reasoning, function calls with
  their streamed arguments, hosted tools, and the call's usage (``scope="step"``; the run's
  usage is their sum). Its run start and end are dropped: a run has many model calls.
- ``RunItemStreamEvent``: ``tool_output`` and ``handoff_occured`` give a tool call its
  ``ToolResult``; ``tool_called``, ``handoff_requested``, ``message_output_created``,
  ``reasoning_item_created``, ``mcp_list_tools`` and ``tool_search_*`` repeat what the raw
  events of the same model call showed (skipped by item id and call id) and are shown only
  when they did not; MCP approvals are ``Status``. A ``tool_called`` item (or an approval)
  of an MCP server's tool (``tool_origin``, type ``"mcp"``) names the server: the call's
  ``ToolCallStart`` again, with ``server``.
- ``AgentUpdatedStreamEvent``: the agent that runs now (the first, or after a handoff): the
  next model calls' steps are named after it, and a ``Status`` says so.
- ``ToolProgressStreamEvent`` (later SDK versions): a ``Status`` of its tool call.
- ``AgentToolStreamEvent`` (the dict ``agent.as_tool(on_stream=cb)`` passes to ``cb``: the
  SDK does not put an agent-tool's events into the outer stream): merged into the stream by
  the user, its events are nested, ``parent=`` the tool call's id.

The SDK has no last event: the stream's exhaustion ends the run ``completed`` (``cancelled``
when a model call was still open); its errors (``MaxTurnsExceeded``, a model's error) are
raised by the iterator and end the run as errors.

Ids (the kit's ``Ids``, one for the run): a model call's step is ``step{n}``
(``{parent}:step{n}`` nested); a message keeps its item id, ``{item id}#2``… when seen again
(item ids repeat across calls: scripted models, and the Chat Completions models'
``"__fake_id__"``, which repeats within one call too and is told apart by ``output_index``); a
tool call keeps its ``call_id`` (``{call_id}#2``… when an earlier call used it).

``hooks/``: the adapter of the SDK's trace spans as ``nbagent.watch()``'s hook records them
(family ``openai-agents``, ``adapters/hooks``). The SDK's other homes: its hook
(``nbagent/sources/hooks/openai_agents.py``) and what is built on the runtime
(``nbagent/frameworks/openai_agents/``); ``docs/develop/frameworks.md`` lists every place.
"""

from nbagent.adapters.openai_agents.adapter import OpenAIAgentsAdapter

__all__ = ["OpenAIAgentsAdapter"]
