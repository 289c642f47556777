"""The Chat Completions request of an ``Agent``'s step, in the one shape every
OpenAI-compatible server accepts (OpenAI, llama.cpp's server, llama-cpp-python, vLLM, Ollama).

What the shape avoids, and who refuses it:

- an assistant message's ``content`` is always a string, ``""`` when the model only called
  tools: ``null`` is refused by llama-cpp-python (HTTP 500) and Ollama (HTTP 400, "invalid
  message content type: <nil>"); a missing ``content`` by llama-cpp-python's chat templates
  (HTTP 500, "'dict object' has no attribute 'content'") and llama.cpp's server before its
  tool support ("Missing 'content'").
- a tool call's ``function.arguments`` is the text of a JSON object: vLLM parses it before
  templating (older versions answer 400 to anything else), and so do llama.cpp's templates.
  Arguments the model got wrong go back as ``"{}"``; the call's error result says what was
  wrong.
- no ``"tool_calls": []`` (vLLM's Llama templates fail on it), no key set to ``null``.
- ``tool_choice`` and ``parallel_tool_calls`` only with ``tools`` (OpenAI refuses them
  without), and only as the caller gave them, but for one thing: a forced ``tool_choice``
  (``"required"``, or naming a function) holds until a tool has run in the current turn,
  then the request says ``"auto"``, as openai-agents' ``reset_tool_choice`` does; sent on
  every step it would make the model call a tool again at every step, up to ``max_steps``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from nbagent.pipeline.normalize import parse_arguments

__all__ = ["request_options", "wire_arguments", "wire_call", "wire_message"]

Message = dict[str, Any]

_TOOLS_ONLY = ("tool_choice", "parallel_tool_calls")


def request_options(
    options: Mapping[str, Any], tools: Sequence[Mapping[str, Any]], messages: Sequence[Message]
) -> dict[str, Any]:
    """The keyword arguments of a step's ``chat.completions.create`` beside ``model``,
    ``messages`` and ``stream``: the usage asked for, the agent's ``options`` (its
    ``create_kwargs``), its ``tools``; a forced ``tool_choice`` is ``"auto"`` once a tool has
    run since the last user message (``messages`` is the conversation sent)."""
    kwargs: dict[str, Any] = {"stream_options": {"include_usage": True}, **options}
    if not tools:
        for key in _TOOLS_ONLY:
            kwargs.pop(key, None)
        return kwargs
    kwargs["tools"] = list(tools)
    if _forces_a_tool(kwargs.get("tool_choice")) and _a_tool_has_run(messages):
        kwargs["tool_choice"] = "auto"
    return kwargs


def _forces_a_tool(tool_choice: Any) -> bool:
    return tool_choice == "required" or isinstance(tool_choice, Mapping)


def _a_tool_has_run(messages: Sequence[Message]) -> bool:
    for message in reversed(messages):
        role = message.get("role")
        if role == "tool":
            return True
        if role == "user":
            return False
    return False


def wire_arguments(arguments: Any) -> str:
    """A tool call's arguments as sent back: the model's text when it is a JSON object
    (``""`` is ``{}``), a mapping as JSON, anything else ``"{}"``."""
    if isinstance(arguments, Mapping):
        try:
            return json.dumps(arguments, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):  # not JSON data
            return "{}"
    if isinstance(arguments, str):
        parsed, _ = parse_arguments(arguments)
        if isinstance(parsed, dict):
            return arguments if arguments.strip() else "{}"
    return "{}"


def wire_call(call_id: str, name: str, arguments: Any) -> Message:
    """One entry of an assistant message's ``tool_calls``."""
    function = {"name": name, "arguments": wire_arguments(arguments)}
    return {"id": call_id, "type": "function", "function": function}


def wire_message(message: Mapping[str, Any]) -> Message:
    """A message of a conversation as sent: keys set to None left out, ``content`` None a
    string (always present in an assistant message), its tool calls as ``wire_call`` makes
    them (none: no ``tool_calls`` key)."""
    out = {k: v for k, v in message.items() if v is not None}
    if out.get("role") == "assistant" or "content" in message:
        out["content"] = out.get("content", "")
    calls = out.pop("tool_calls", None)
    if isinstance(calls, (list, tuple)):
        if calls:
            out["tool_calls"] = [_wire_history_call(c) for c in calls]
    elif calls is not None:  # not a list: as given, for the server to say what is wrong
        out["tool_calls"] = calls
    return out


def _wire_history_call(call: Any) -> Any:
    """A tool call given in a history: its function's arguments as ``wire_arguments`` makes
    them; what is not a call's mapping is left as given (the server says what it is)."""
    if not isinstance(call, Mapping) or not isinstance(call.get("function"), Mapping):
        return call
    function = dict(call["function"])
    function["arguments"] = wire_arguments(function.get("arguments"))
    out = {"type": "function", **{k: v for k, v in call.items() if v is not None}}
    return out | {"function": function}
