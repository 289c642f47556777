"""``format="langchain"``: LangChain ``astream_events(version="v2")`` and LangGraph Platform."""

from __future__ import annotations

from nbagent.adapters.langchain.adapter import LangChainAdapter

__all__ = ["LangChainAdapter"]
