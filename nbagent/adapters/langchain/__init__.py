"""``format="langchain"``: LangChain ``astream_events(version="v2")`` and LangGraph Platform.

Items are the ``StreamEvent`` dicts (``data.chunk`` may be a real ``AIMessageChunk``,
duck-typed through ``field()``, or its dict form), JSON strings of them, or
``ServerSentEvent`` frames of LangGraph Platform ``stream_mode="events"`` (``event:
events``; ``event: metadata`` gives the run id; ``event: error`` is fatal). Mapping:
design ``protocols.md`` §12.7.

Ids: the run id is the root event's ``run_id`` (the first event's ``parent_ids[0]`` when
the stream starts inside a run). Text of a model run is the message ``{run_id}``,
its thinking ``{run_id}:think1``; a model run is a step ``{run_id}``, a LangGraph node
(``on_chain_*`` whose ``name == metadata.langgraph_node``) a ``node`` step ``{run_id}``;
other chains are ignored. Tool calls keep their streamed id; chunks without an index
continue the id's call, else the latest call of the run; a call with no id at all gets
``{run_id}:call{n}`` (``synthetic_id=True``). ``on_tool_start`` is paired FIFO by tool name with
a streamed call that has no result yet (or, better, by ``ToolMessage.tool_call_id`` at the
end); with no match the tool run itself becomes a call ``{tool run_id}``.

End: the root's ``on_*_end`` → ``RunEnd("completed")``; ``end()`` before it →
``RunEnd("incomplete")``. Errors raised by the iterator are the controller's job.
``usage_metadata`` is per chunk (``cumulative=False``); ``on_chat_model_end.output`` only
reconciles (text ``final_text``, tool args / usage that were never streamed).

``format="langgraph"`` (``LangGraphAdapter``, module ``graph``): LangGraph's
``graph.stream()`` items in every shape and a chat model's own ``model.stream()`` chunks;
``graph_messages`` (its model calls and tool results), ``graph_scopes`` (its subgraphs),
``graph_interrupts``; ``v3``: the ``version="v3"`` streams (``stream_events``) of a graph and of
a chat model.

Modules: ``content`` (a message's kind, its text and thinking parts) and ``state`` (a model
run's text, thinking and tool call chunks, usage, subgraph scopes), shared by both and by the
callback hook's adapter (``hooks/``); ``tools`` (calls assembled, tool runs
paired with calls), ``models`` (model runs, the step stack), ``adapter`` (``LangChainAdapter``:
the run, chains, the handler table).
"""

from __future__ import annotations

from nbagent.adapters.langchain.adapter import LangChainAdapter
from nbagent.adapters.langchain.graph import LangGraphAdapter

__all__ = ["LangChainAdapter", "LangGraphAdapter"]
