"""The ``openai-agents`` hook family's adapter: the OpenAI Agents SDK's trace spans (handed
over by ``nbagent.sources.hooks.openai_agents``'s trace processor) as events.

``adapter.py`` (``OpenAIAgentsHookAdapter``: the span tree, scopes, tools, handoffs,
errors); ``model.py`` (a model span read whole as events: text, thinking, tool calls, usage);
``maps.py`` (the span kinds, a span's time and error).
"""

from nbagent.adapters.openai_agents.hooks.adapter import OpenAIAgentsHookAdapter

__all__ = ["OpenAIAgentsHookAdapter"]
