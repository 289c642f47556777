"""LlamaIndex agent workflows: the stream adapter (``adapter.py``) and the readers it shares
with the hook adapter (``read.py``) and the parts both hold (``parts.py``)."""

from nbagent.adapters.llama_index.adapter import LlamaIndexAdapter

__all__ = ["LlamaIndexAdapter"]
