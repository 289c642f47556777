"""The adapters of ``nbagent.watch()``'s hooks: one per hook family, merged by
``HooksAdapter`` (``format="hooks"``). A family's hook (``nbagent/sources/hooks/``) only
records what the library hands it; its adapter reads the library's objects by their fields,
without importing the library. A family's adapter lives with its framework's stream adapter
(``adapters/<framework>/hooks/``: langchain, llama_index, openai_agents) or, for a family
with no stream adapter, in ``adapters/`` of its own (``otel/``, ``litellm.py``,
``openai_client.py``); what they all build on (``HookAdapter``, ``HookRecord``) is in
``adapters/kit/`` (``hooks.py``, ``hook_record.py``), re-exported here.

To add a family: write its ``HookAdapter`` subclass there and list it in ``FAMILIES`` below;
its hook goes in ``nbagent/sources/hooks/``.
"""

from __future__ import annotations

from nbagent.adapters.hooks.adapter import HooksAdapter
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.langchain.hooks import LangChainHookAdapter
from nbagent.adapters.litellm import LiteLLMAdapter
from nbagent.adapters.llama_index.hooks import LlamaIndexHookAdapter
from nbagent.adapters.openai_agents.hooks import OpenAIAgentsHookAdapter
from nbagent.adapters.openai_client import OpenAIClientAdapter
from nbagent.adapters.otel import OtelAdapter

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
