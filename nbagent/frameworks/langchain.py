"""LangChain tools in a LangGraph graph's tool nodes: reached from
``nbagent.show(graph.stream(...))`` (and ``astream``: the graph is the generator's ``self``)
and ``nbagent.watch(graph)``, in the graph and its subgraphs (``ToolNode.tools_by_name``).

A re-run is ``BaseTool.ainvoke(args)``: the tool's ``args_schema`` checks the arguments (a
``ValidationError``, or what its ``handle_validation_error`` makes of it), a sync tool runs
in an executor. The tool node's own error handling (``handle_tool_errors``) is the node's and
does not apply. A watched model (no graph) or a stream of a model holds no tools.

As ``nbagent.evaluate()``'s task, a compiled graph streams each case's input (``task_run``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbagent.core.values import type_is
from nbagent.frameworks.kit.reach import Found, Lookup, framework_tool, owner, variable
from nbagent.frameworks.kit.tasks import TaskRun

if TYPE_CHECKING:  # loads pydantic: only once a tool is found
    from nbagent.tools import Tool

__all__ = ["call_as", "reach", "task_run"]

MODEL = "nbagent watches the model, not the tools: watch the graph to reach them"


def reach(obj: Any) -> Lookup | str | None:
    """The tools of a compiled graph (``Pregel``), of a runnable binding of one, or of the
    graph whose ``stream`` / ``astream`` generator ``obj`` is."""
    graph = obj
    if type_is(graph, "langchain_core", "RunnableBindingBase"):
        graph = getattr(graph, "bound", None)
    if not type_is(graph, "langgraph", "Pregel"):
        graph = owner(obj)
    if type_is(graph, "langgraph", "Pregel"):
        return lambda name: _find(graph, name)
    if type_is(obj, "langchain_core", "BaseLanguageModel"):
        return MODEL
    return None


def _tool_nodes(graph: Any) -> list[Any]:
    """The tool nodes of the graph and of its subgraphs."""
    graphs = [graph, *(sub for _, sub in graph.get_subgraphs(recurse=True))]
    nodes = [node for g in graphs for node in (getattr(g, "nodes", None) or {}).values()]
    bound = [getattr(node, "bound", None) for node in nodes]
    return [b for b in bound if type_is(b, "langgraph", "ToolNode")]


def _find(graph: Any, name: str) -> Found:
    for node in _tool_nodes(graph):
        tool = (getattr(node, "tools_by_name", None) or {}).get(name)
        if tool is not None:
            return _tool(name, tool)
    return "not a tool of the graph's tool nodes"


def _tool(name: str, tool: Any) -> Tool:
    async def invoke(**args: Any) -> Any:
        return await tool.ainvoke(args)

    return framework_tool(name, invoke, call_as(name, tool))


def call_as(name: str, tool: Any) -> str:
    """Copy as code: ``tool.invoke(dict(...))`` (``@tool`` makes the variable the tool),
    awaited ``ainvoke`` for a tool that has only a coroutine."""
    only_async = getattr(tool, "func", True) is None and getattr(tool, "coroutine", None)
    call = "await {}.ainvoke" if only_async else "{}.invoke"
    return call.format(variable(name)) + "(dict({args}))"


def task_run(task: Any) -> TaskRun | None:
    """The run of a compiled graph on a case's input: a mapping as its state, anything else
    as a user message; its messages and updates streamed."""
    if not type_is(task, "langgraph", "Pregel", "CompiledStateGraph", "CompiledGraph"):
        return None

    def run(value: Any) -> Any:
        state = value if isinstance(value, Mapping) else {"messages": [("user", value)]}
        return task.astream(state, stream_mode=["messages", "updates"])

    return run
