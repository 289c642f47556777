"""Tool-call assembly: ``ToolCallsMixin`` (on ``MessagesMixin``) finds the call a fragment
continues, by wire id or index (a synthetic id when there is none), buffers arguments until the
name arrives and then starts it. The adapter's ``__init__`` owns the state (``_calls_by_id``,
``_used_ids``).
"""

from __future__ import annotations

import json
from typing import Any

from nbagent._events import Event, ToolCallArgsDelta, ToolCallStart
from nbagent.adapters.base import field, plain
from nbagent.adapters.openai_chat.messages import MessagesMixin
from nbagent.adapters.openai_chat.state import Call, Choice

__all__ = ["ToolCallsMixin"]


class ToolCallsMixin(MessagesMixin):
    """``OpenAIChatAdapter``'s tool-call methods (the adapter holds the state)."""

    _calls_by_id: dict[str, Call]
    _used_ids: set[str]

    def _tool_call(
        self, state: Choice, index: Any, wire_id: Any, function: Any, out: list[Event]
    ) -> None:
        index = index if isinstance(index, int) else None
        # mistralai's ToolCall defaults a missing id to the string "null"
        wire_id = wire_id if isinstance(wire_id, str) and wire_id not in ("", "null") else None
        call = self._resolve_call(state, index, wire_id)
        if wire_id is not None and wire_id not in self._calls_by_id:
            self._calls_by_id[wire_id] = call
            if call.wire_id is None:
                call.wire_id = wire_id
                if not call.started and wire_id not in self._used_ids:
                    # the real id arrived before the start: use it
                    self._used_ids.discard(call.tool_call_id)
                    call.tool_call_id = wire_id
                    call.synthetic = False
                    self._used_ids.add(wire_id)
        name = field(function, "name")
        if isinstance(name, str) and name and not call.name:
            call.name = name
        arguments = field(function, "arguments")
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(plain(arguments), ensure_ascii=False)
        if call.started:
            if arguments:
                out.append(
                    ToolCallArgsDelta(
                        tool_call_id=call.tool_call_id, delta=arguments, meta=state.meta
                    )
                )
            return
        if arguments:
            call.buffer.append(arguments)
        if call.name:  # no start before the name: buffer by index until it arrives
            self._start_call(state, call, out)

    def _resolve_call(self, state: Choice, index: int | None, wire_id: str | None) -> Call:
        # a call already closed (its choice finished) is never continued: a new one starts
        if wire_id is not None:
            known = self._calls_by_id.get(wire_id)
            if known is not None and known in state.calls and not known.ended:
                return known  # a known id repeated on each fragment: a continuation
        if index is None:
            if wire_id is None and state.calls and not state.calls[-1].ended:
                return state.calls[-1]  # no index, no id: the latest call
        else:
            call = state.by_index.get(index)
            if (
                call is not None
                and not call.ended
                and not (wire_id and call.wire_id and call.wire_id != wire_id)
            ):
                return call
        # a new call
        position = index if index is not None else len(state.calls)
        if wire_id is not None and wire_id not in self._used_ids:
            call = Call(wire_id, index, synthetic=False)
        else:
            synthetic = f"call_{state.index}_{position}"
            serial = 1
            while synthetic in self._used_ids:
                serial += 1
                synthetic = f"call_{state.index}_{position}_{serial}"
            call = Call(synthetic, index, synthetic=True)
        self._used_ids.add(call.tool_call_id)
        state.calls.append(call)
        if index is not None:
            state.by_index[index] = call
        return call

    def _start_call(self, state: Choice, call: Call, out: list[Event]) -> None:
        self._close_thinking(state, out)
        call.started = True
        out.append(
            ToolCallStart(
                tool_call_id=call.tool_call_id,
                name=call.name,
                index=call.index,
                synthetic_id=call.synthetic,
                meta=state.meta,
            )
        )
        out.extend(
            ToolCallArgsDelta(tool_call_id=call.tool_call_id, delta=piece, meta=state.meta)
            for piece in call.buffer
        )
        call.buffer.clear()
