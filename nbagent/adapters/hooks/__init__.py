"""The adapters of ``nbagent.watch()``'s hooks: one per hook family, merged by
``HooksAdapter`` (``format="hooks"``). A family's hook (``nbagent/sources/hooks/``) only
records what the library hands it; its adapter here reads the library's objects by their
fields, without importing the library.

To add a family: write ``<family>.py`` with a ``HookAdapter`` subclass and list it in
``FAMILIES`` below; its hook goes in ``nbagent/sources/hooks/``.
"""

from __future__ import annotations

from nbagent.adapters.hooks.adapter import HooksAdapter
from nbagent.adapters.hooks.base import HookAdapter
from nbagent.adapters.hooks.langchain import LangChainHookAdapter
from nbagent.adapters.hooks.litellm import LiteLLMAdapter
from nbagent.adapters.hooks.llama_index import LlamaIndexHookAdapter
from nbagent.adapters.hooks.openai_agents import OpenAIAgentsHookAdapter
from nbagent.adapters.hooks.openai_client import OpenAIClientAdapter
from nbagent.adapters.hooks.otel import OtelAdapter
from nbagent.adapters.hooks.record import HookRecord

__all__ = ["FAMILIES", "HookAdapter", "HookRecord", "HooksAdapter"]

_FAMILY_ADAPTERS: tuple[type[HookAdapter], ...] = (
    # the family adapters, one line each
    LangChainHookAdapter,
    LlamaIndexHookAdapter,
    OpenAIAgentsHookAdapter,
    OpenAIClientAdapter,
    LiteLLMAdapter,
    OtelAdapter,
)
FAMILIES: dict[str, type[HookAdapter]] = {cls.family: cls for cls in _FAMILY_ADAPTERS}
"""Hook family name → its adapter class."""

HooksAdapter.FAMILIES = FAMILIES
