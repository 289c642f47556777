"""LlamaIndex agent workflows: the stream adapter (``adapter.py``), the instrumentation hook's
adapter (``hooks/``), the readers they share (``read.py``) and the parts both hold
(``parts.py``)."""

from nbagent.adapters.llama_index.adapter import LlamaIndexAdapter

__all__ = ["LlamaIndexAdapter"]
