"""``format="claude-agent"``: the Claude Agent SDK's messages.

Items are what ``claude_agent_sdk.query(...)`` and ``ClaudeSDKClient.receive_response()``
(``receive_messages()``) yield: ``SystemMessage`` (and its task and hook subclasses),
``AssistantMessage``, ``UserMessage``, ``StreamEvent``, ``RateLimitEvent``, ``ResultMessage``;
or the lines of the ``claude`` CLI's ``--output-format stream-json`` they are parsed from
(dicts or JSON strings).

Mapping: ``SystemMessage(subtype="init")`` → ``RunStart`` (model, ``thread_id`` = session);
the task messages, ``status`` and ``compact_boundary`` → ``Status`` (a task's on its
``tool_use_id``); other system messages → ``Custom``. Each API message is one model step
(the CLI sends one ``AssistantMessage`` per content block, all with the message's id):
``TextBlock`` → a text message, ``ThinkingBlock`` → a thinking message (its signature on
the end), ``ToolUseBlock`` → a client tool call with its whole input, ``ServerToolUseBlock`` →
a server one; the message's ``usage`` → the step's ``Usage``; an ``error`` → a recoverable
``ErrorEvent``. ``UserMessage`` tool results → ``ToolResult`` (and end the step that asked);
its text → ``Custom("user_message")``. With ``include_partial_messages=True`` the
``StreamEvent`` partials of a message are read by the ``anthropic`` adapter (deltas as they
come) and the whole ``AssistantMessage``s of that message id are skipped. ``RateLimitEvent`` →
``Status("rate_limit")``. ``ResultMessage`` → the run-scope ``Usage`` (its ``cost_usd`` is
``total_cost_usd``; ``meta`` has ``num_turns``, durations, ``model_usage``) and ``RunEnd``
(``is_error`` → ``error``, ``error_max_turns`` → ``max_steps``, an aborted turn →
``cancelled``; ``result`` is the answer).

Nesting: a message with ``parent_tool_use_id`` is a sub-agent's (the ``Task`` tool's): all
its events carry ``parent=<that tool_use_id>``, its steps included.

Ids: a step is the API message id (``turn<n>`` when absent); a block is
``{message id}:text<n>`` (``:think<n>``, ``:call<n>`` for a tool use with no id: the kit's
``Ids``, counting each kind in the message); tool calls keep their ``tool_use`` ids. Partials
use the ``anthropic`` adapter's ids, the same scheme.
"""

from nbagent.adapters.claude_agent.adapter import ClaudeAgentAdapter

__all__ = ["ClaudeAgentAdapter"]
