"""The hooks of ``nbagent.watch()``: one per family, each in its own module.

``HOOKS`` lists them in the order ``watch()`` tries them. A hook registers with its library
and hands what the library reports to the watch as ``HookRecord``s; its adapter
(``nbagent.adapters.hooks.FAMILIES``) makes events of them.
"""

from __future__ import annotations

from nbagent.sources.hooks.base import Emit, Hook, HookError
from nbagent.sources.hooks.langchain import LangChainHook
from nbagent.sources.hooks.litellm import LiteLLMHook
from nbagent.sources.hooks.llama_index import LlamaIndexHook
from nbagent.sources.hooks.openai_agents import OpenAIAgentsHook
from nbagent.sources.hooks.openai_client import OpenAIClientHook
from nbagent.sources.hooks.otel import OtelHook

__all__ = ["HOOKS", "Emit", "Hook", "HookError"]

HOOKS: tuple[type[Hook], ...] = (
    # the family hooks, one line each
    LangChainHook,
    LlamaIndexHook,
    OpenAIAgentsHook,
    OpenAIClientHook,
    LiteLLMHook,
    OtelHook,
)
"""Every hook family, in the order ``watch()`` installs them."""
