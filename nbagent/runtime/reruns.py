"""What a ``Run`` knows of calling its tools again from the notebook: who does it (a
``Rerunner``, given by the run's producer: ``nbagent.frameworks.rerun``), how it says that it
cannot, and each call again recorded under the tool call (``ToolReruns``, which ``Run``
extends: a Re-run, an MCP app's own call, one refused)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from nbagent.runtime.views import RunView
from nbagent.transcript.transcript import Transcript

__all__ = ["MAX_APP_NAME", "Rerunner", "ToolReruns", "cannot_reach"]

MAX_APP_NAME = 128
"""The longest tool name (and JSON-RPC id) read from an MCP app's call."""


class Rerunner(Protocol):
    """What calls a run's tools again from the notebook (``nbagent.frameworks.rerun.Reruns``)."""

    def rerun_tool(self, i: int, **overrides: Any) -> Any: ...


def cannot_reach(why: str) -> str:
    """What ``rerun_tool`` says of a call whose tool nbagent cannot reach (``why``: a clause);
    its panel says the same (js/src/panels/rerun.js)."""
    return f"Re-run: nbagent cannot reach this tool ({why})"


class ToolReruns:
    """The tool calls made again of ``Run`` (which extends it), recorded in its transcript."""

    reruns: Rerunner | None
    no_rerun: str | None
    transcript: Transcript
    view: RunView | None

    if TYPE_CHECKING:  # the Run's own (run.py)

        @property
        def lock(self) -> threading.RLock: ...
        def push_late(self, ops: list[dict[str, Any]]) -> None: ...
        def save_state(self) -> None: ...

    def rerun_tool(self, i: int, **overrides: Any) -> Any:
        """Call the tool of tool call ``i`` again, ``overrides`` replacing arguments, and show
        it under the call; returns its result. Only where nbagent reaches the run's tools
        (``reruns``: a run of ``nbagent.Agent``, a framework's run whose tool objects it holds)."""
        if self.reruns is None:
            why = self.transcript.tool_calls[i].no_rerun or self.no_rerun
            raise RuntimeError(cannot_reach(why or "nothing here holds it"))
        return self.reruns.rerun_tool(i, **overrides)

    def cannot_rerun(self, why: str) -> None:
        """nbagent cannot reach the run's tools: each panel and ``rerun_tool`` say ``why``."""
        self.no_rerun = why
        if self.view is not None:
            self.view.set_can_rerun(why)

    def record_rerun(self, tool_call_id: str, fields: dict[str, Any], k: int | None = None) -> int:
        """Record ``k`` of a tool call's ``reruns`` (a new one when None: a Re-run, an MCP app's
        own call) updated with ``fields``, in the transcript and in the view (``push_late``,
        also after the end); its index. The caller holds ``lock``."""
        i, tool = self.transcript.tool_call_at(tool_call_id)
        if k is None:
            tool.reruns.append(fields)
            k = len(tool.reruns) - 1
        else:  # a new dict: an earlier to_dict() keeps its own
            tool.reruns[k] = tool.reruns[k] | fields
        self.push_late([{"op": "set", "i": i, "set": {"reruns": [dict(r) for r in tool.reruns]}}])
        return k

    def refuse_app_call(self, content: Mapping[str, Any], why: str) -> None:
        """An MCP app's call (the page's ``app_call``) refused: recorded under the call owning
        the app, its ``answer`` the JSON-RPC error ``why`` that the page posts the app."""
        owner, request, name = content.get("id"), content.get("request"), content.get("name")
        if not isinstance(request, (str, int)) or isinstance(request, bool):
            return  # nothing the app could be answered under
        if isinstance(request, str) and len(request) > MAX_APP_NAME:
            return
        if not any(c.id == owner for c in self.transcript.tool_calls):
            return
        shown = name[:MAX_APP_NAME] if isinstance(name, str) else "?"
        answer = {"error": {"code": -32000, "message": why}}
        with self.lock:
            fields = {"by": "app", "request": request, "name": shown, "state": "refused"}
            self.record_rerun(str(owner), fields | {"answer": answer})
        self.save_state()
