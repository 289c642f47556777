"""Tool calls the agent runs, their results, and the calls that wait (approvals, outside
results): ``FunctionToolCallEvent`` / ``FunctionToolResultEvent`` (and the output tool's),
``DeferredToolRequestsEvent`` / ``DeferredToolResultsEvent``, a ``ModelRequest``'s returns.
``Tools`` is the part of ``PydanticAiAdapter`` that reads them, on the run's ``Parts`` (the
steps and the call ids)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbagent.adapters.approvals import answered_status, approval_detail, awaiting_status
from nbagent.adapters.base import field, list_or_empty, str_or_none, type_is
from nbagent.adapters.pydantic_ai.maps import to_plain
from nbagent.adapters.pydantic_ai.parts import Parts, call_end
from nbagent.core.events import Event, ToolCallEnd, ToolCallStart
from nbagent.core.values import APP_URI_CHARS, app_key, app_result_bounded

__all__ = ["Tools", "deferred_hint"]


class Tools:
    """Tool-call events → tool-call, result and status events."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self._mocked: set[str] = set()  # calls whose outside result was given by nbagent's answer

    # -- tool calls and results ------------------------------------------------------------

    def _whole_call(self, part: Any, out: list[Event], *, native: bool = False) -> str:
        """Our id of a call that arrives whole (no part events showed it): start and end it.
        ``native``: a tool the model's provider runs."""
        raw = str_or_none(field(part, "tool_call_id"))
        ours = self.parts.ids.of(raw, "call")
        if raw is not None:
            self.parts.tool_ids[raw] = ours
        fields = self.parts.call_fields(part, native)
        out.append(ToolCallStart(tool_call_id=ours, synthetic_id=raw is None, **fields))
        out.append(ToolCallEnd(tool_call_id=ours, **call_end(field(part, "args"))))
        return ours

    def tool_call(self, item: Any, out: list[Event], *, native: bool) -> None:
        """The agent runs a call the model made: the model's response is over."""
        self.parts.close_open(out, "tool_calls")
        part = field(item, "part")
        if self.parts.tool_id(field(part, "tool_call_id")) is None:
            self._whole_call(part, out, native=native)

    def tool_result(self, part: Any, out: list[Event], *, user_content: Any) -> None:
        self.parts.close_open(out, "tool_calls")
        ours = self.parts.tool_id(field(part, "tool_call_id"))
        if ours is None:
            ours = self._whole_call(part, out)
        meta: dict[str, Any] = {}
        outcome = str_or_none(field(part, "outcome"))
        if outcome is not None and outcome != "success":
            meta["outcome"] = outcome
        if outcome == "denied":
            meta["denied"] = True  # the model gets the denial message as the result
        if ours in self._mocked:
            meta["mocked"] = True
        retry = field(part, "retry")
        if retry is not None:
            meta["retry"] = to_plain(retry)
        if user_content is not None:
            meta["user_content"] = to_plain(user_content)
        app = self._app(part)
        if app is not None:
            meta["app"] = app
        self.parts.result(ours, part, out, meta)

    def _app(self, part: Any) -> dict[str, Any] | None:
        """The call's MCP app (``MCPToolset``'s record in the return's ``metadata["mcp_app"]``):
        its ``uri``, its ``key`` (its server's name: the call's, else the record's toolset id)
        and the call's ``result`` as the app is sent it; None when the return has none (or a
        record of the wrong types)."""
        metadata = field(part, "metadata")
        record = metadata.get("mcp_app") if isinstance(metadata, Mapping) else None
        uri = record.get("resource_uri") if isinstance(record, Mapping) else None
        result = record.get("result") if isinstance(record, Mapping) else None
        if not isinstance(uri, str) or not uri or not isinstance(result, Mapping):
            return None
        assert isinstance(record, Mapping)
        uri = uri[:APP_URI_CHARS]
        server = self.parts.server(field(part, "tool_name"))
        server = server or str_or_none(record.get("toolset_id")) or ""
        failed = result.get("isError") is True
        blocks = list_or_empty(result.get("content"))
        text = "\n".join(str(field(b, "text") or "") for b in blocks if field(b, "type") == "text")
        shown = app_result_bounded(to_plain(dict(result)), text, failed)
        return {"uri": uri, "key": app_key(server, uri), "result": shown}

    def deferred_requests(self, requests: Any, out: list[Event], actions: Any = None) -> None:
        """Calls that wait for an approval or an outside result (``DeferredToolRequests``):
        each a paused call (``awaiting_approval``, ``detail["kind"]`` ``approval`` or
        ``external``). ``actions``: what nbagent's resuming reader can answer, by kind
        (``nbagent.frameworks.pydantic_ai.resume``); none when the run is read as it is, and the
        ``hint`` says what to call instead."""
        self.parts.close_open(out, "tool_calls")
        metadata = field(requests, "metadata")
        for key, kind in (("approvals", "approval"), ("calls", "external")):
            for part in list_or_empty(field(requests, key)):
                raw = str_or_none(field(part, "tool_call_id"))
                ours = self.parts.tool_id(raw) or self._whole_call(part, out)
                name = str_or_none(field(part, "tool_name")) or "a tool"
                can = [str(a) for a in list_or_empty(field(actions, kind))]
                detail = approval_detail(
                    "pydantic-ai",
                    actions=can,
                    hint=None if can else deferred_hint(kind, raw or ours),
                    schema=field(field(actions, "schemas"), name),
                    kind=kind,
                    call_id=raw,  # the framework's id (``tool_call_id`` may be made unique)
                    tool_name=name,
                    args=to_plain(field(part, "args")),
                    metadata=to_plain(field(metadata, raw)) if raw else None,
                )
                verb = "awaits approval" if kind == "approval" else "awaits its result"
                out.append(awaiting_status(ours, name, detail, verb))

    def deferred_results(self, results: Any, out: list[Event]) -> None:
        """A ``HandleDeferredToolCalls`` handler answered paused calls within the run."""
        approvals = field(results, "approvals")
        if isinstance(approvals, Mapping):
            for raw, answer in approvals.items():
                ours = self.parts.tool_id(raw) or str(raw)
                if answer is True or type_is(answer, "pydantic_ai", "ToolApproved"):
                    args = field(answer, "override_args") if answer is not True else None
                    plain_args = to_plain(args) if isinstance(args, Mapping) else None
                    out.append(answered_status(ours, "run", args=plain_args))
                else:
                    reason = str_or_none(field(answer, "message"))
                    out.append(answered_status(ours, "deny", reason=reason))
        calls = field(results, "calls")
        if isinstance(calls, Mapping):
            for raw in calls:
                ours = self.parts.tool_id(raw) or str(raw)
                self._mocked.add(ours)  # its result is the one given, not the tool's
                out.append(answered_status(ours, "mock"))


def deferred_hint(kind: str, tool_call_id: str) -> str:
    """The code that resumes a pydantic-ai run ended by ``DeferredToolRequests`` (``result``:
    its ``AgentRunResult``)."""
    if kind == "approval":
        answer = (
            f"approvals={{{tool_call_id!r}: True}})"
            "  # or ToolApproved(override_args={...}) / ToolDenied('why')"
        )
    else:
        answer = f"calls={{{tool_call_id!r}: 'the result'}})"
    return (
        "from pydantic_ai import DeferredToolResults, ToolApproved, ToolDenied\n"
        f"results = DeferredToolResults({answer}\n"
        "agent.run_stream_events(message_history=result.all_messages(), "
        "deferred_tool_results=results)\n"
        "# or show the run with nbagent.with_approvals(agent, prompt) to answer it here"
    )
