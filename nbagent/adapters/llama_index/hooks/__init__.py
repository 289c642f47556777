"""The ``llama-index`` hook family's adapter: LlamaIndex's instrumentation spans and events
(``adapter.py``; the readers and parts it shares with the stream adapter are in
``adapters/llama_index``)."""

from __future__ import annotations

from nbagent.adapters.llama_index.hooks.adapter import LlamaIndexHookAdapter

__all__ = ["LlamaIndexHookAdapter"]
