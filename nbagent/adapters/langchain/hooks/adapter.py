"""``LangChainHookAdapter``: the records in, its state, tool runs, the handler table; it
composes the run ``Tree`` (``state.py``) and the ``Models`` part (``models.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import field, plain, str_or_none
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.kit.hooks import HookAdapter
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.langchain.content import messages_in
from nbagent.adapters.langchain.hooks.models import Models
from nbagent.adapters.langchain.hooks.state import Tree, error_text, tool_output
from nbagent.adapters.langchain.state import Data, checkpoint_ns
from nbagent.core.events import Event, StepEnd, ToolResult

__all__ = ["LangChainHookAdapter"]


class LangChainHookAdapter(HookAdapter):
    """LangChain callback records → events (see the package docstring)."""

    family: ClassVar[str] = "langchain"

    def __init__(self) -> None:
        self._tree = Tree()
        self._models = Models(self._tree)
        self._calls = self._models.calls  # tool call id -> its scope and name, until answered
        self._claimed: set[str] = set()  # calls a tool run is answering
        self._ids = Ids()  # a tool run's call when no model call asked for it: {run id}:call1
        self._failed: dict[str, tuple[float, str | None, str]] = {}  # call -> ts, scope, name

    def feed(self, record: HookRecord) -> list[Event]:
        data = record.data if isinstance(record.data, Mapping) else {}
        handler = _HANDLERS.get(record.kind)
        run_id = data.get("run_id")
        if handler is None or not isinstance(run_id, str):
            return []
        out: list[Event] = []
        if record.kind == "on_tool_error":
            self._note_failure(run_id, record.ts)
        handler(self)(data, run_id, record.root, out)
        if self._failed and record.kind == "on_chain_end":
            self._handled(data.get("outputs"), out)
        if record.last:
            self._tree.close_scopes(record.root, out)
            self._failed.clear()  # failures no ToolNode handled: the call raised
        return out

    def end(self) -> list[Event]:
        out: list[Event] = []
        for run_id, run in list(self._tree.runs.items()):
            if run.kind == "model":
                self._models.close_model(run, None, out)
                out.append(StepEnd(step_id=run_id, name=run.name, parent=run.scope))
        self._tree.runs.clear()
        for scope in list(self._tree.scopes):
            self._tree.close_scope(scope, out)
        return out

    # -- tools --------------------------------------------------------------------------------

    def _on_tool_start(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self._tree.start("tool", data, run_id, root, out)
        serialized = data.get("serialized")
        run.name = str_or_none(field(serialized, "name")) or str_or_none(data.get("name")) or ""
        call_id = str_or_none(data.get("tool_call_id"))
        if call_id is None:  # no id: the oldest unanswered call of that name
            call_id = next(
                (
                    c
                    for c, (_, n) in self._calls.items()
                    if c not in self._claimed and n == run.name
                ),
                None,
            )
        if call_id is None or call_id not in self._calls or call_id in self._claimed:
            # a tool run no model call of ours asked for: a call of its own
            given = call_id is not None
            call_id = call_id or self._ids.new("call", run_id)
            inputs = data.get("inputs")
            arguments = json.dumps(plain(inputs)) if isinstance(inputs, Mapping) else None
            if arguments is None:
                arguments = json.dumps({"input": str(data.get("input_str") or "")})
            self._models.whole_call(call_id, run.name, arguments, run.scope, out, not given)
        run.call = call_id
        self._claimed.add(call_id)
        # what runs inside the tool (an agent used as a tool) is in its call's scope
        run.inner = call_id
        run.inner_ns = checkpoint_ns(data.get("metadata")) or run.ns

    def _on_tool_end(self, data: Data, run_id: str, root: str, out: list[Event]) -> None:
        run = self._tree.runs.pop(run_id, None)
        if run is None or run.call is None:
            return
        call_id = run.call
        scope = self._calls.pop(call_id, (run.scope, ""))[0]
        self._claimed.discard(call_id)
        if "error_type" in data:
            content, is_error = error_text(data), True
        else:
            content, is_error = tool_output(data.get("output"), call_id)
        out.append(
            ToolResult(
                tool_call_id=call_id,
                content=content,
                name=run.name or None,
                is_error=is_error,
                parent=scope,
            )
        )

    def _note_failure(self, run_id: str, ts: float) -> None:
        run = self._tree.runs.get(run_id)
        if run is not None and run.call is not None:
            scope = self._calls.get(run.call, (run.scope, ""))[0]
            self._failed[run.call] = (ts, scope, run.name)

    def _handled(self, outputs: Any, out: list[Event]) -> None:
        """A failed tool whose error a ``ToolNode`` handled: the result is the error text it
        gave the model (its ``ToolMessage``), at the time the tool failed."""
        for message in messages_in(outputs):
            call_id = field(message, "tool_call_id")
            failed = self._failed.pop(call_id, None) if isinstance(call_id, str) else None
            if failed is None:
                continue
            ts, scope, name = failed
            content = plain(field(message, "content"))
            out.append(
                ToolResult(
                    tool_call_id=str(call_id),
                    content=content,
                    name=name or None,
                    is_error=True,
                    parent=scope,
                    ts=ts,
                )
            )


_HANDLERS: dict[str, Callable[[LangChainHookAdapter], Callable[..., None]]] = {
    "on_chain_start": lambda a: a._tree.chain_start,
    "on_chain_end": lambda a: a._tree.chain_end,
    "on_chain_error": lambda a: a._tree.chain_end,
    "on_chat_model_start": lambda a: a._models.start,
    "on_llm_start": lambda a: a._models.start,
    "on_llm_new_token": lambda a: a._models.token,
    "on_llm_end": lambda a: a._models.end,
    "on_llm_error": lambda a: a._models.error,
    "on_tool_start": lambda a: a._on_tool_start,
    "on_tool_end": lambda a: a._on_tool_end,
    "on_tool_error": lambda a: a._on_tool_end,
}
"""A callback's name → its handler (in the adapter or one of its parts)."""
