"""pydantic-ai above the runtime: ``rerun.py`` (its function tools called again through
pydantic-ai's own call), ``resume.py`` (``with_approvals``: its deferred tool calls answered
from the notebook), ``apps.py`` (the MCP apps of its ``MCPToolset``s) and ``task.py`` (an
``Agent`` as ``nbagent.evaluate()``'s task).

Its other homes: ``nbagent/adapters/pydantic_ai/`` (its events) and
``nbagent/sources/tool_servers.py`` (its tool calls' MCP servers, read from the run).
"""
