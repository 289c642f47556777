"""What nbagent hands out of an MCP server: its tools and the results of calls, as plain
dataclasses of JSON values (the SDK's pydantic models stay inside ``_server.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbagent.core.events import NbagentError

__all__ = [
    "McpApp",
    "McpError",
    "McpLogEntry",
    "McpPrompt",
    "McpResource",
    "McpResourceTemplate",
    "McpResult",
    "McpTool",
]


class McpError(NbagentError, RuntimeError):
    """The server could not be reached, started, or answered a request with an error (not a
    tool's own failure: that is ``McpResult.is_error``). The message ends with the tail of a
    stdio server's stderr when it wrote any."""


VISIBILITY = ("model", "app")
"""Who may call a tool with an app, when its ``_meta.ui`` does not say: both."""


@dataclass(frozen=True)
class McpApp:
    """A tool's app (MCP Apps: its ``_meta.ui``): the ``ui://`` resource that shows it beside
    the call, and who may call the tool (``visibility``: "model", "app")."""

    uri: str
    visibility: tuple[str, ...] = VISIBILITY

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "visibility": list(self.visibility)}


@dataclass(frozen=True)
class McpTool:
    """A tool an MCP server offers (``tools/list``), as ``server.tools`` lists it: its name,
    description, argument schema and annotations; ``destructive`` reads the annotations as MCP
    does. An agent given the server calls it like a Python tool."""

    name: str
    description: str = ""
    input_schema: dict[str, Any] = field(default_factory=dict)
    """The JSON schema of its arguments (an object)."""
    output_schema: dict[str, Any] | None = None
    """The JSON schema of its ``structuredContent``, when it declares one."""
    annotations: dict[str, Any] = field(default_factory=dict)
    """Hints the server gives: ``title``, ``readOnlyHint``, ``destructiveHint``,
    ``idempotentHint``, ``openWorldHint`` (only those it sent)."""
    title: str | None = None
    task_support: str | None = None
    """Whether it runs as a task, when the server says (``execution.taskSupport``:
    "forbidden", "optional" or "required")."""
    app: McpApp | None = None
    """Its app, when its ``_meta.ui`` names one (MCP Apps): shown beside each call."""

    @property
    def destructive(self) -> bool:
        """The server says the tool may change or delete things: MCP's default for a tool
        that is not read-only (``destructiveHint`` absent counts as true)."""
        if self.annotations.get("readOnlyHint") is True:
            return False
        return self.annotations.get("destructiveHint", True) is not False

    @property
    def read_only(self) -> bool:
        """The server says the tool changes nothing (``readOnlyHint``)."""
        return self.annotations.get("readOnlyHint") is True

    @property
    def hints(self) -> frozenset[str]:
        """The annotations as words: "read_only", else "destructive" (MCP's default for a tool
        that is not read-only) and "idempotent"; "open_world" (the default) unless it is
        false."""
        words = {"read_only"} if self.read_only else {"destructive"} if self.destructive else set()
        if not self.read_only and self.annotations.get("idempotentHint") is True:
            words.add("idempotent")
        if self.annotations.get("openWorldHint", True) is not False:
            words.add("open_world")
        return frozenset(words)


@dataclass(frozen=True)
class McpResult:
    """What a ``tools/call`` returned: its content blocks as JSON (``{"type": "text", "text":
    ...}``, ``image`` and ``audio`` with base64 ``data`` and ``mimeType``, ``resource_link``,
    ``resource``), its ``structuredContent``, and whether the tool reported an error."""

    content: list[dict[str, Any]] = field(default_factory=list)
    structured: Any = None
    is_error: bool = False
    task: dict[str, Any] | None = None
    """The task the server answered the call with, as it ended (``{"id", "status",
    "message"}``); None for a call answered at once."""

    @property
    def text(self) -> str:
        """The text blocks, joined by newlines."""
        return "\n".join(str(c.get("text", "")) for c in self.content if c.get("type") == "text")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class McpResource:
    """A resource a server offers (``resources/list``): read it with ``read_resource(uri)``."""

    uri: str
    name: str = ""
    title: str | None = None
    description: str = ""
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class McpResourceTemplate:
    """A family of resources (``resources/templates/list``): an RFC 6570 URI template."""

    uri_template: str
    name: str = ""
    title: str | None = None
    description: str = ""
    mime_type: str | None = None


@dataclass(frozen=True)
class McpPrompt:
    """A prompt template a server offers (``prompts/list``): ``get_prompt(name, **arguments)``."""

    name: str
    title: str | None = None
    description: str = ""
    arguments: list[dict[str, Any]] = field(default_factory=list)
    """Each ``{"name": ..., "description": ..., "required": bool}``."""


@dataclass(frozen=True)
class McpLogEntry:
    """A log message the server sent (``notifications/message``)."""

    level: str
    data: Any
    logger: str | None = None
