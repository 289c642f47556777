"""An MCP server's tools as an ``Agent``'s tools (``McpServer.agent_tools``): called through
the server's ``acall``, a result's text to the model, an error result raised as
``McpToolError`` (the tool panel shows it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nbagent.mcp_client._apps import APP_RESULT
from nbagent.mcp_client._results import as_tool_result
from nbagent.mcp_client._types import McpError, McpResult, McpTool
from nbagent.tools import Shown, Tool, py_str

__all__ = ["McpToolError", "agent_tool", "call_as"]


class McpToolError(McpError):
    """A tool of an MCP server reported an error (``isError``), as an agent's tool sees it."""


def call_as(name: str) -> str:
    """A call of the server's tool ``name`` as code (Copy as code), ``{args}`` its arguments."""
    return f"server.call({py_str(name)}, {{args}})"


def agent_tool(tool: McpTool, acall: Callable[..., Awaitable[McpResult]], origin: str) -> Tool:
    """``tool`` of the server named ``origin`` as an agent's tool, called with ``acall``."""

    async def call(**arguments: Any) -> Any:
        result = await acall(tool.name, **arguments)
        if (seen := APP_RESULT.get()) is not None:  # the call's app is sent it as it came
            seen(result)
        if result.is_error:
            raise McpToolError(result.text or f"{tool.name} reported an error")
        # The content, as most clients give a model; a result with structured data only
        # gives that. Images and audio are shown in the call's panel, and the model is
        # told what they were ("[image image/png, 67 bytes]").
        shown, display, _ = as_tool_result(result)
        if display:
            return Shown(shown, display)
        return result.text if result.content else result.structured

    call.__name__ = tool.name
    # The server's timeout applies (timeout_s): the agent's own would cut it short.
    schema = tool.input_schema or {"type": "object"}
    return Tool(
        tool.name,
        tool.description,
        schema,
        call,
        None,
        hints=tool.hints,
        origin=origin,
        call_as=call_as(tool.name),
    )
