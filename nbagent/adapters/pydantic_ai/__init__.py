"""``format="pydantic-ai"``: a pydantic-ai agent's run, as its events or its graph's nodes.

Items are what ``agent.run_stream_events(...)`` yields (``nbagent.show`` takes the call's
context manager itself, ``sources.results``): ``PartStartEvent`` / ``PartDeltaEvent`` /
``PartEndEvent`` (text, thinking, tool calls with streamed arguments, native tool calls and
returns), ``FunctionToolCallEvent`` / ``FunctionToolResultEvent`` (and the output tool's),
``FinalResultEvent``, ``DeferredToolRequestsEvent`` / ``DeferredToolResultsEvent``, custom and
capability events, and ``AgentRunResultEvent`` (the end: output, run usage and cost). The events
of ``agent.iter()``'s ``node.stream(run.ctx)`` are the same; a generator that hands them over
may also hand over the nodes themselves (a ``CallToolsNode`` gives the step just streamed its
usage and finish reason, or is the whole step when none was streamed; a ``ModelRequestNode``
gives the tool results no event showed; ``End``, then ``run.result``, end the run). The JSON
dicts of these events (``event_kind`` keys) are read the same way.

Mapping:

- **Steps**: one per model request, ``step1``, ``step2``, ...: opened by the first part of a
  response, closed by the agent's handling of it (a tool call or result event, ``finish_reason
  ="tool_calls"``), by a part index seen before (the model was called again), or by the end. The
  events carry no usage: a step's usage comes from its ``CallToolsNode`` where the nodes are
  handed over, else, at the end, from ``result.new_messages()``'s responses.
- **Text / thinking**: message ``{step}:text{n}`` (``{step}:think{n}``: the kit's ``Ids``); a
  thinking part's ``signature`` on its ``MessageEnd``; each ``PartEndEvent``'s whole content is
  ``final_text`` (reconciled).
- **Tool calls**: the part's ``tool_call_id`` (pydantic-ai makes one when the model sends none);
  an id used by an earlier call of the run (test models repeat theirs) becomes
  ``{id}#2``…, and results go to the latest call of that id. String arguments stream as
  deltas; dict arguments arrive whole on the ``ToolCallEnd``. Function tools have
  ``executor="agent"``, native ones ``"server"``. A call of an MCP server's tool (an
  ``MCPToolset``) names the server (``ToolCallStart.server``) through the ``tool_servers``
  lookup the run's source supplies (``nbagent.sources.tool_servers``): the events do not say.
- **Results**: ``ToolReturnPart.content``; an ``outcome`` other than ``"success"`` (``retried``:
  ``ModelRetry`` or invalid arguments, ``failed``, ``denied``) and a ``RetryPromptPart`` are
  errors the model sees (``is_error=True``, ``meta.outcome`` and ``meta.retry``). The return of
  a tool with an MCP app (``MCPToolset``'s record, ``metadata["mcp_app"]``) gives the call's
  ``meta.app``: the app's ``uri``, its ``key`` (the call's server and the uri) and the call's
  ``result`` as the app is sent it (nbagent/frameworks/pydantic_ai/apps.py reads the app).
- **Approvals**: each pending call of a ``DeferredToolRequestsEvent`` is a ``Status``
  (``awaiting_approval`` / ``awaiting_result``, its ``tool_call_id``, the call in ``detail``); a run
  whose output is ``DeferredToolRequests`` ends ``interrupted``.
- **End**: ``RunEnd(result=output)``; run ``Usage`` (``scope="run"``) with ``cost_usd`` when
  pydantic-ai priced the run (``usage.cost``).
"""

from nbagent.adapters.pydantic_ai.adapter import PydanticAiAdapter

__all__ = ["PydanticAiAdapter"]
