"""The ``langchain`` hook family's adapter: LangChain callbacks (``on_chat_model_start``,
``on_llm_new_token``, ``on_llm_end``, ``on_tool_*``, ``on_chain_*``) → events.

A chat model (or LLM) run is a step ``{run_id}``; its answer the message ``{run_id}`` and its
reasoning ``{run_id}:think1``: streamed when ``on_llm_new_token`` came (a model streaming under
the hood), else whole from ``on_llm_end`` (``MessageStart(whole=True)``). Tool calls are the
output message's ``tool_calls`` (streamed ``tool_call_chunks`` open them early); a tool run
answers the call its ``tool_call_id`` names (or the oldest unanswered call of its name; with
neither, the tool run is a call of its own, ``synthetic_id``). Usage is the output message's
``usage_metadata`` (or an LLM's ``llm_output.token_usage``), one per step.

Chains only give the tree. Nesting: the runs under a tool run are in that tool call's scope
(an agent used as a tool); a LangGraph node whose graph namespace (its
``langgraph_checkpoint_ns`` less its own task) is deeper than its parent's scope is in a
sub-agent scope per level (a subgraph: ``StepStart(step_type="subagent")``, id the namespace
joined by ``|``, closed with the run of that task). A failed model call and a failed root
are ``ErrorEvent(recoverable=True)``; a failed tool is an error result.

Modules: ``state`` (what is kept per run, the runs' ``Tree`` with their scopes and chains, the
readers of LangChain's objects only the hook needs; the others are ``adapters/langchain``'s
``content`` and ``state``), ``models`` (model runs), ``adapter`` (``LangChainHookAdapter``: the
records, tool runs).
"""

from __future__ import annotations

from nbagent.adapters.langchain.hooks.adapter import LangChainHookAdapter

__all__ = ["LangChainHookAdapter"]
