"""The ``llama-index`` hook family's adapter: LlamaIndex's instrumentation spans and events
(``adapter.py``; the readers of LlamaIndex's objects in ``read.py``)."""

from __future__ import annotations

from nbagent.adapters.hooks.llama_index.adapter import LlamaIndexHookAdapter

__all__ = ["LlamaIndexHookAdapter"]
