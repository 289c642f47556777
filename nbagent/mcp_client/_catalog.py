"""What a server offers, read through the SDK's ``Client``: tools, resources, their templates
and prompts listed (every page), a resource read, a prompt got; each as nbagent's plain
dataclasses and JSON values. A server that does not offer a kind lists none of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from nbagent.mcp_client._apps import tool_app
from nbagent.mcp_client._types import McpPrompt, McpResource, McpResourceTemplate, McpTool

if TYPE_CHECKING:
    from mcp import Client

__all__ = [
    "as_json",
    "get_prompt",
    "list_prompts",
    "list_resource_templates",
    "list_resources",
    "list_tools",
    "read",
    "tool_of",
]

T = TypeVar("T")


def as_json(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON the wire carries (camelCase, unset fields left out)."""
    return dict(model.model_dump(mode="json", by_alias=True, exclude_none=True))


async def _every(fetch: Callable[[str | None], Awaitable[Any]], items: str) -> list[Any]:
    """All pages of a paginated list."""
    out: list[Any] = []
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        out += getattr(page, items)
        cursor = page.next_cursor
        if not cursor:
            return out


async def list_tools(client: Client) -> list[McpTool]:
    return [tool_of(t) for t in await _every(lambda c: client.list_tools(cursor=c), "tools")]


def tool_of(tool: Any) -> McpTool:
    """An SDK ``Tool`` as an McpTool."""
    annotations = (
        tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
    )
    return McpTool(
        name=tool.name,
        description=tool.description or "",
        input_schema=dict(tool.input_schema or {}),
        output_schema=dict(tool.output_schema) if tool.output_schema else None,
        annotations=annotations,
        title=tool.title or annotations.get("title"),
        task_support=getattr(getattr(tool, "execution", None), "task_support", None),
        app=tool_app(tool.meta),
    )


async def list_resources(client: Client) -> list[McpResource]:
    if client.server_capabilities.resources is None:
        return []
    found = await _every(lambda c: client.list_resources(cursor=c), "resources")
    return [
        McpResource(
            uri=str(r.uri),
            name=r.name or "",
            title=r.title,
            description=r.description or "",
            mime_type=r.mime_type,
            size=r.size,
        )
        for r in found
    ]


async def list_resource_templates(client: Client) -> list[McpResourceTemplate]:
    if client.server_capabilities.resources is None:
        return []
    found = await _every(lambda c: client.list_resource_templates(cursor=c), "resource_templates")
    return [
        McpResourceTemplate(
            uri_template=t.uri_template,
            name=t.name or "",
            title=t.title,
            description=t.description or "",
            mime_type=t.mime_type,
        )
        for t in found
    ]


async def list_prompts(client: Client) -> list[McpPrompt]:
    if client.server_capabilities.prompts is None:
        return []
    found = await _every(lambda c: client.list_prompts(cursor=c), "prompts")
    return [
        McpPrompt(
            name=p.name,
            title=p.title,
            description=p.description or "",
            arguments=[as_json(a) for a in p.arguments or []],
        )
        for p in found
    ]


async def read(client: Client, uri: str) -> list[dict[str, Any]]:
    """A resource's contents: each ``{"uri", "mimeType", "text"}`` or ``{..., "blob"}``
    (base64)."""
    result = await client.read_resource(uri)
    return [as_json(c) for c in result.contents]


async def get_prompt(client: Client, name: str, arguments: dict[str, str]) -> list[dict[str, Any]]:
    """A prompt's messages: each ``{"role", "content": {"type": "text", "text"}, ...}``."""
    result = await client.get_prompt(name, arguments)
    return [as_json(m) for m in result.messages]
