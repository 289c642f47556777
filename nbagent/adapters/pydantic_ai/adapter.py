"""``PydanticAiAdapter``: detection, ``feed`` / ``end``, dispatch, whole responses and requests,
and the end of the run; it composes the ``Parts`` part (``parts.py``: the steps and the parts
of their responses) and the ``Tools`` part (``tools.py``: tool calls, results, approvals),
the readers in ``maps.py``. The package docstring has the mapping and the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.base import (
    BadItemError,
    ServerSentEvent,
    ToolServers,
    field,
    library_label,
    list_or_empty,
    str_or_none,
    type_is,
    unwrap,
)
from nbagent.adapters.kit.dispatch import never_raises
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.pydantic_ai.maps import (
    EVENT_KINDS,
    NODE_NAMES,
    event_kind,
    is_run_result,
    read_usage,
    to_plain,
    usage_event,
)
from nbagent.adapters.pydantic_ai.parts import Parts
from nbagent.adapters.pydantic_ai.tools import Tools
from nbagent.core.events import Custom, EndReason, Event, RunEnd

__all__ = ["PydanticAiAdapter"]

_FINISH: dict[str, str] = {
    "stop": "completed",
    "tool_call": "tool_calls",
    "length": "max_tokens",
    "content_filter": "content_filter",
    "error": "error",
}
"""``ModelResponse.finish_reason`` → a step's ``finish_reason``."""

_TAKES = (
    "the events of agent.run_stream_events() (PartStartEvent, FunctionToolCallEvent, ..., "
    "AgentRunResultEvent), the events of agent.iter()'s node.stream(ctx), its nodes, or "
    "their JSON (dicts, text, ServerSentEvents)"
)

_NOTHING: Any = object()


def _library() -> str:
    """``"pydantic-ai-slim 2.68.0"`` when the user imported it (never imported here)."""
    return library_label("pydantic_ai", "pydantic-ai-slim")


class PydanticAiAdapter:
    """pydantic-ai agent stream events (and ``agent.iter()`` nodes) → events."""

    name: ClassVar[str] = "pydantic-ai"

    def __init__(self, tool_servers: ToolServers | None = None) -> None:
        self._parts = Parts(tool_servers)
        self._tools = Tools(self._parts)
        self._life = Lifecycle("pydantic-ai", _TAKES)
        self._output: Any = _NOTHING
        """The output of a graph run that ended (``End`` node) before its result arrived."""

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """A pydantic-ai stream event (object or dict with a known ``event_kind``), a node of
        ``agent.iter()``, or a run result."""
        if isinstance(item, (str, bytes, bytearray, ServerSentEvent)):
            item = unwrap(item)[1]
        if isinstance(item, Mapping):
            kind = item.get("event_kind")
            if kind in ("part_start", "part_end"):
                return isinstance(item.get("index"), int) and isinstance(
                    field(item.get("part"), "part_kind"), str
                )
            if kind == "part_delta":
                return isinstance(item.get("index"), int) and isinstance(
                    field(item.get("delta"), "part_delta_kind"), str
                )
            return kind in EVENT_KINDS and kind != "custom" and len(item) > 1
        if not type_is(item, "pydantic_ai") and not type_is(item, "pydantic_graph", "End"):
            return False
        kind = event_kind(item)
        if kind is not None:
            return True
        return (
            type_is(item, "pydantic_ai", *NODE_NAMES)
            or type_is(item, "pydantic_graph", "End")
            or is_run_result(item)
        )

    # -- the adapter interface -------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if isinstance(item, (str, bytes, bytearray, ServerSentEvent)):  # JSON over the wire
            try:
                item = unwrap(item)[1]
            except BadItemError as exc:
                raise self._life.again(exc) from None
            if not isinstance(item, Mapping):
                raise self._life.bad("an event must be a JSON object", item)
        if item is None or isinstance(item, (int, float, list, tuple)):
            raise self._life.takes(item)
        out: list[Event] = []
        try:
            self._dispatch(item, out)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            raise self._life.bad(
                f"cannot read a {type(item).__name__} of {_library()} ({exc}); nbagent takes "
                f"{_TAKES}",
                item,
            ) from None
        return out

    def end(self) -> list[Event]:
        if not self._life.end():
            return []
        out: list[Event] = []
        if self._output is not _NOTHING:  # the graph ended; its result was not handed over
            self._parts.close_open(out, "completed")
            out.append(RunEnd(reason=_reason(self._output), result=to_plain(self._output)))
            return out
        self._parts.close_open(out, None)
        message = "the stream ended before the run's result (AgentRunResultEvent)"
        out.append(RunEnd(reason="incomplete", message=message))
        return out

    # -- dispatch --------------------------------------------------------------------------

    def _dispatch(self, item: Any, out: list[Event]) -> None:
        kind = event_kind(item)
        if kind is None:
            self._object(item, out)
        elif kind == "part_start":
            self._parts.part_start(item, out)
        elif kind == "part_delta":
            self._parts.part_delta(item, out)
        elif kind == "part_end":
            self._parts.part_end(item, out)
        elif kind in ("function_tool_call", "output_tool_call", "builtin_tool_call"):
            self._tools.tool_call(item, out, native=kind == "builtin_tool_call")
        elif kind in ("function_tool_result", "output_tool_result"):
            self._tools.tool_result(field(item, "part"), out, user_content=field(item, "content"))
        elif kind == "builtin_tool_result":
            self._parts.native_return(field(item, "result") or field(item, "part"), out)
        elif kind == "deferred_tool_requests":
            self._tools.deferred_requests(field(item, "requests"), out, field(item, "actions"))
        elif kind == "deferred_tool_results":
            self._tools.deferred_results(field(item, "results"), out)
        elif kind == "final_result":
            value = {
                "tool_name": field(item, "tool_name"),
                "tool_call_id": field(item, "tool_call_id"),
            }
            out.append(Custom(name="final_result", value=to_plain(value)))
        elif kind == "agent_run_result":
            self._finish(field(item, "result"), out)
        elif kind == "custom":
            name = str_or_none(field(item, "name")) or "custom"
            out.append(Custom(name=name, value=to_plain(item)))
        elif kind == "capability":
            name = str_or_none(field(item, "kind")) or "capability"
            out.append(Custom(name=name, value=to_plain(item)))
        else:  # enqueued messages, tool availability, a realtime session's events, ...
            out.append(Custom(name=kind, value=to_plain(item)))

    def _object(self, item: Any, out: list[Event]) -> None:
        """What ``agent.iter()`` gives: its nodes, the ``End`` of the graph, ``run.result``."""
        if is_run_result(item):
            self._finish(item, out)
        elif type_is(item, "pydantic_ai", "CallToolsNode"):
            self._response(field(item, "model_response"), out)
        elif type_is(item, "pydantic_ai", "ModelRequestNode"):
            self._request(field(item, "request"), out)
        elif type_is(item, "pydantic_ai", "UserPromptNode", "SetFinalResult"):
            pass
        elif type_is(item, "pydantic_graph", "End"):
            self._parts.close_open(out, "completed")
            data = field(item, "data")
            self._output = field(data, "output") if data is not None else None
        else:
            raise self._life.takes(item)

    # -- whole responses and requests ------------------------------------------------------

    def _response(self, response: Any, out: list[Event]) -> None:
        """A whole ``ModelResponse`` (``CallToolsNode``): the usage and finish reason of the
        step just streamed, or, when none was, the step itself."""
        raw = str_or_none(field(response, "finish_reason"))
        finish = _FINISH.get(raw or "", raw)
        model = str_or_none(field(response, "model_name"))
        last = self._parts.steps[-1] if self._parts.steps else None
        if last is not None and not last.has_usage:
            step = last
        else:
            step = self._parts.open_step(out, streamed=False)
            for index, part in enumerate(list_or_empty(field(response, "parts"))):
                state = self._parts.open_part(step, index, part, out)
                self._parts.close_part(state, part, out)
        step.has_usage = True
        usage = usage_event(read_usage(response), scope="step", step_id=step.id, model=model)
        if usage is not None:
            out.append(usage)
        self._parts.close_step(step, out, finish, raw)

    def _request(self, request: Any, out: list[Event]) -> None:
        """A ``ModelRequest`` (``ModelRequestNode``): the tool results it sends back that no
        result event showed."""
        for part in list_or_empty(field(request, "parts")):
            if field(part, "part_kind") not in ("tool-return", "retry-prompt"):
                continue
            ours = self._parts.tool_id(field(part, "tool_call_id"))
            if ours is None or ours not in self._parts.results:
                self._tools.tool_result(part, out, user_content=None)

    # -- the end ---------------------------------------------------------------------------

    def _finish(self, result: Any, out: list[Event]) -> None:
        """``AgentRunResult``: each step's usage (from the run's responses, when no node gave
        it), the run's usage and cost, the output."""
        self._parts.close_open(out, "completed")
        self._steps_usage(result, out)
        run_usage = usage_event(read_usage(result), scope="run")
        if run_usage is not None:
            out.append(run_usage)
        output = field(result, "output")
        if output is None and self._output is not _NOTHING:
            output = self._output
        reason = _reason(output)
        out.append(
            RunEnd(
                reason=reason,
                raw_reason="deferred_tool_requests" if reason == "interrupted" else None,
                result=to_plain(output),
            )
        )
        self._life.end()

    def _steps_usage(self, result: Any, out: list[Event]) -> None:
        """The responses of the run, matched to the streamed steps in order (a response with no
        part streamed no event, and so made no step)."""
        waiting = [step for step in self._parts.steps if not step.has_usage]
        if not waiting:
            return
        responses = [m for m in _new_messages(result) if field(m, "kind") == "response"]
        if len(responses) != len(waiting):
            responses = [r for r in responses if list_or_empty(field(r, "parts"))]
            waiting = [step for step in waiting if step.has_parts]
        if len(responses) != len(waiting):
            return  # no sure match: the run's usage alone
        for step, response in zip(waiting, responses, strict=True):
            step.has_usage = True
            model = str_or_none(field(response, "model_name"))
            usage = usage_event(read_usage(response), scope="step", step_id=step.id, model=model)
            if usage is not None:
                out.append(usage)


def _new_messages(result: Any) -> list[Any]:
    """The messages the run added (``result.new_messages()``, or the JSON form's
    ``messages[new_message_index:]``)."""
    method = getattr(result, "new_messages", None)
    if callable(method):
        return list(list_or_empty(method()))
    messages = list_or_empty(field(result, "messages"))
    start = field(result, "new_message_index")
    return list(messages[start:] if isinstance(start, int) and start >= 0 else messages)


def _reason(output: Any) -> EndReason:
    """A run whose output is ``DeferredToolRequests`` waits for approvals or results."""
    if type_is(output, "pydantic_ai", "DeferredToolRequests"):
        return "interrupted"
    return "completed"
