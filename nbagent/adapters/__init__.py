"""Adapters: one wire format → normalized events (pure: no I/O, no clock).

``ADAPTERS`` maps a ``format=`` name to its adapter class; ``detect_format(first_item)``
asks each class of ``DETECTION_ORDER`` in turn whether the first item of a source is
in its format. To add a format: write ``nbagent/adapters/<format>.py`` with a class that
has ``name``, ``detect``, ``feed`` and ``end``, then list it in both places below. An adapter
that outgrows ~400 lines becomes a package ``<format>/`` (``adapter.py`` with the class, its
tables in ``maps.py``, …) whose ``__init__.py`` re-exports the class. A framework's
``nbagent.watch()`` hook adapter sits beside its stream adapter (``<framework>/hooks/``);
``hooks/`` merges them all (``format="hooks"``). A framework's places beyond its adapter:
``docs/develop/frameworks.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbagent.adapters.a2a import A2aAdapter
from nbagent.adapters.acp import AcpAdapter
from nbagent.adapters.ag_ui import AgUiAdapter
from nbagent.adapters.anthropic import AnthropicAdapter
from nbagent.adapters.base import (
    Adapter,
    BadItemError,
    ToolServers,
    UnknownFormatError,
    is_keepalive,
    library_version,
    short_repr,
)
from nbagent.adapters.bedrock import BedrockAdapter
from nbagent.adapters.chunk_sse import ChunkSseAdapter
from nbagent.adapters.claude_agent import ClaudeAgentAdapter
from nbagent.adapters.dexto import DextoAdapter
from nbagent.adapters.events import EventsAdapter
from nbagent.adapters.google_genai import GoogleGenaiAdapter
from nbagent.adapters.google_interactions import GoogleInteractionsAdapter
from nbagent.adapters.hooks import HooksAdapter
from nbagent.adapters.langchain import LangChainAdapter, LangGraphAdapter
from nbagent.adapters.llama_index import LlamaIndexAdapter
from nbagent.adapters.ollama import OllamaAdapter
from nbagent.adapters.openai_agents import OpenAIAgentsAdapter
from nbagent.adapters.openai_assistants import OpenAIAssistantsAdapter
from nbagent.adapters.openai_chat import OpenAIChatAdapter
from nbagent.adapters.openai_responses import OpenAIResponsesAdapter
from nbagent.adapters.pydantic_ai import PydanticAiAdapter
from nbagent.adapters.smolagents import SmolagentsAdapter
from nbagent.adapters.text import TextAdapter
from nbagent.adapters.vercel_ui import VercelUiAdapter

__all__ = [
    "ADAPTERS",
    "DETECTION_ORDER",
    "A2aAdapter",
    "AcpAdapter",
    "Adapter",
    "AgUiAdapter",
    "AnthropicAdapter",
    "BadItemError",
    "BedrockAdapter",
    "ChunkSseAdapter",
    "ClaudeAgentAdapter",
    "Detection",
    "DextoAdapter",
    "EventsAdapter",
    "GoogleGenaiAdapter",
    "GoogleInteractionsAdapter",
    "HooksAdapter",
    "LangChainAdapter",
    "LangGraphAdapter",
    "LlamaIndexAdapter",
    "OllamaAdapter",
    "OpenAIAgentsAdapter",
    "OpenAIAssistantsAdapter",
    "OpenAIChatAdapter",
    "OpenAIResponsesAdapter",
    "PydanticAiAdapter",
    "SmolagentsAdapter",
    "TextAdapter",
    "UnknownFormatError",
    "VercelUiAdapter",
    "adapter_for",
    "detect_format",
]

DETECTION_ORDER: tuple[type[Adapter], ...] = (
    EventsAdapter,
    HooksAdapter,  # nbagent.watch()'s own records
    PydanticAiAdapter,  # pydantic-ai's objects, and dicts with its event_kind
    LlamaIndexAdapter,  # workflow event objects (by type): before the dict formats
    SmolagentsAdapter,
    LangGraphAdapter,  # objects and tuples; v2 dicts {type: <mode>, ns, data}
    OllamaAdapter,
    OpenAIAgentsAdapter,  # its RawResponsesStreamEvent wraps a Responses event: before them
    OpenAIChatAdapter,
    BedrockAdapter,
    OpenAIResponsesAdapter,
    OpenAIAssistantsAdapter,
    AnthropicAdapter,
    GoogleGenaiAdapter,
    GoogleInteractionsAdapter,  # {"event_type": "step.delta", ...}
    ClaudeAgentAdapter,
    AgUiAdapter,
    VercelUiAdapter,
    LangChainAdapter,
    A2aAdapter,
    DextoAdapter,
    AcpAdapter,  # {"sessionId", "update": {"sessionUpdate": ...}}: no earlier format claims it
    ChunkSseAdapter,  # a bare {"error": ...} is claimed too: after the specific formats
    TextAdapter,  # any str: last
)
"""Most specific first: the first class whose ``detect(item)`` is true wins."""

ADAPTERS: dict[str, type[Adapter]] = {cls.name: cls for cls in DETECTION_ORDER}
"""``format=`` name → adapter class."""


def _known() -> str:
    return ", ".join(sorted(ADAPTERS))


LIBRARIES: dict[str, tuple[str, str]] = {
    "agents": ("openai-agents", "openai-agents"),
    "pydantic_ai": ("pydantic-ai-slim", "pydantic-ai"),
    "langchain_core": ("langchain-core", "langgraph"),
    "langgraph": ("langgraph", "langgraph"),
    "litellm": ("litellm", "openai-chat"),
    "google": ("google-genai", "google-genai"),
    "ollama": ("ollama", "ollama"),
    "claude_agent_sdk": ("claude-agent-sdk", "claude-agent"),
    "anthropic": ("anthropic", "anthropic"),
    "llama_index": ("llama-index-core", "llama-index"),
    "workflows": ("llama-index-workflows", "llama-index"),
    "smolagents": ("smolagents", "smolagents"),
    "mistralai": ("mistralai", "openai-chat"),
    "ag_ui": ("ag-ui-protocol", "ag-ui"),
    "a2a": ("a2a-sdk", "a2a"),
    "acp": ("agent-client-protocol", "acp"),
    "openai": ("openai", "openai-chat"),
}
"""A library's top-level module → (its distribution, the format its streams are read in): for
the error about an object of a library nbagent reads but not this one (a version whose event
types changed, or an object that is not a stream item)."""


def _library_hint(item: Any) -> str:
    module = type(item).__module__
    top = module.split(".")[0]
    if top not in LIBRARIES:
        return ""
    dist, fmt = LIBRARIES[top]
    version = library_version(top, dist)
    named = f"{dist} {version}" if version else dist
    return (
        f" It is an object of {named} ({module}.{type(item).__qualname__}), which nbagent reads"
        f' as format="{fmt}" but not this type: pass the stream itself (its events, not a'
        " result or a message list), or tell nbagent's developers which version changed it."
    )


def detect_format(first_item: Any) -> str:
    """The format name of a source, from its first item; raises ``UnknownFormatError``."""
    for cls in DETECTION_ORDER:
        if cls.detect(first_item):
            return cls.name
    raise UnknownFormatError(
        f"cannot detect the stream format from its first item, a {type(first_item).__name__}: "
        f"{short_repr(first_item)}.{_library_hint(first_item)} Known formats: {_known()}. "
        'Pass the format explicitly, e.g. nbagent.iter_events(source, format="openai-chat").'
    )


class Detection:
    """A source's format, found from its first item that carries data: the keep-alives before
    it are skipped, but a plain text stream's first pieces that look like them (blank ones,
    ``{}``, ``: ...``) are its text all the same, put before the item that decided it; a
    stream of blank pieces only is a text stream too (``blank``)."""

    __slots__ = ("_skipped",)

    def __init__(self) -> None:
        self._skipped: list[str] = []  # the str keep-alives so far

    def first(self, item: Any) -> tuple[str, Any] | None:
        """``(format name, the item to feed)``; None for a keep-alive. Raises
        ``UnknownFormatError``."""
        if is_keepalive(item):
            if type(item) is str:
                self._skipped.append(item)
            return None
        name = detect_format(item)
        if name == TextAdapter.name and self._skipped:
            item = "".join(self._skipped) + item
        self._skipped = []
        return name, item

    def blank(self) -> str:
        """With no format found at the source's end: the whitespace it sent, a text stream's
        whole text (``""`` when some piece was not blank: keep-alives of another format)."""
        text = "".join(self._skipped)
        return "" if text.strip() else text


NAMING_SERVERS: dict[str, Callable[[ToolServers], Adapter]] = {
    PydanticAiAdapter.name: lambda servers: PydanticAiAdapter(tool_servers=servers),
}
"""The formats whose events do not say which MCP server a tool call goes to, and so take the
source's ``ToolServers`` (the others name it from their own events, or have no MCP servers)."""


def adapter_for(format: str, *, tool_servers: ToolServers | None = None) -> Adapter:  # noqa: A002 - the public API's name
    """A new adapter for the format name; raises ``UnknownFormatError`` for unknown names.
    ``tool_servers``: the source's lookup of its tools' MCP servers, for the adapters that
    take one (``NAMING_SERVERS``)."""
    cls = ADAPTERS.get(format)
    if cls is None:
        raise UnknownFormatError(
            f'unknown format {format!r}; known formats: {_known()} (or "auto" to detect it)'
        )
    naming = NAMING_SERVERS.get(format)
    if tool_servers is not None and naming is not None:
        return naming(tool_servers)
    return cls()
