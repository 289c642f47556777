"""A small agent written by hand on the ``openai`` client: the run the OpenTelemetry and LangSmith
fixtures record.

It asks the model four times, sync and streaming in turn, and names the tool each turn must
call (``tool_choice``): the real small model (SmolLM2-135M) calls a tool only when told to,
and it chooses the tool's arguments itself. The run: ``get_weather`` (answers), ``lookup_order``
(raises: the model is told the error), ``ask_researcher`` (a sub-agent, an agent of its own
with one streamed call of the model), then the answer, streamed. ``Tracing`` says how the
agent, its tools and its sub-agent are traced; the model calls are traced by the instrumentor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai

MODEL = "smollm2-135m"
SYSTEM = "You are a helpful travel assistant. Use the tools you are given, then answer briefly."
PROMPT = "What is the weather in Paris today, and where is my order A-17?"
RESEARCHER_SYSTEM = "You are a researcher. Answer with one short fact."
SEED = 7
MAX_TOKENS = 60
TOOL_MAX_TOKENS = 120
"""A forced call's arguments may run long: room for the JSON to close. (The server makes a
grammar of the schema: ``order_id``'s pattern keeps the model from inventing endless ids.)"""


class ToolError(Exception):
    """What a tool raises when it cannot answer: the model is told its message."""


def get_weather(city: str = "Paris", **_: Any) -> dict[str, Any]:
    return {"city": city, "temperature_c": 18, "sky": "light rain"}


def lookup_order(order_id: str = "", **_: Any) -> dict[str, Any]:
    raise ToolError(f"order {order_id!r} not found: the order service knows no such id")


SCHEMAS: dict[str, dict[str, Any]] = {
    "get_weather": {
        "description": "The weather now in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
    "lookup_order": {
        "description": "Where an order is, by its id.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "pattern": "^[A-Z]-[0-9]{1,4}$"}},
            "required": ["order_id"],
        },
    },
    "ask_researcher": {
        "description": "Ask the researcher agent a question.",
        "parameters": {
            "type": "object",
            "properties": {"question": {"type": "string"}},
            "required": ["question"],
        },
    },
}
TOOLS = [
    {"type": "function", "function": {"name": name, **schema}} for name, schema in SCHEMAS.items()
]
TURNS: list[tuple[str | None, bool]] = [
    ("get_weather", False),
    ("lookup_order", True),
    ("ask_researcher", False),
    (None, True),
]
"""Each call of the model: the tool it must call (None: answer in text), and whether it streams."""


class Span(Protocol):
    def set_result(self, value: Any) -> None: ...


class Tracing(Protocol):
    """How the run is traced around the instrumented model calls."""

    def agent(self, name: str, prompt: str, system: str) -> AbstractContextManager[AgentSpan]: ...

    def tool(
        self, name: str, call_id: str, arguments: dict[str, Any]
    ) -> AbstractContextManager[Span]: ...


@dataclass
class AgentSpan:
    """What an agent's span learns as the run goes: its answer and the usage it added up."""

    answer: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    text: str
    calls: list[dict[str, Any]]
    usage: tuple[int, int] | None


def _create(
    client: openai.OpenAI, messages: list[dict[str, Any]], tool: str | None, stream: bool
) -> Reply:
    kwargs: dict[str, Any] = {"model": MODEL, "messages": messages, "seed": SEED, "temperature": 0}
    kwargs["max_tokens"] = MAX_TOKENS if tool is None else TOOL_MAX_TOKENS
    if tool is not None:
        kwargs["tools"] = TOOLS
        kwargs["tool_choice"] = {"type": "function", "function": {"name": tool}}
    if not stream:
        done = client.chat.completions.create(**kwargs)
        msg = done.choices[0].message
        calls = [
            {"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
            for c in msg.tool_calls or []
        ]
        usage = (done.usage.prompt_tokens, done.usage.completion_tokens) if done.usage else None
        return Reply(msg.content or "", calls, usage)
    text: list[str] = []
    parts: dict[int, dict[str, Any]] = {}
    usage = None
    chunks = client.chat.completions.create(
        **kwargs, stream=True, stream_options={"include_usage": True}
    )
    for chunk in chunks:
        if chunk.usage is not None:
            usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        for choice in chunk.choices:
            text.append(choice.delta.content or "")
            for call in choice.delta.tool_calls or []:
                part = parts.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                part["id"] = call.id or part["id"]
                if call.function is not None:
                    # the name comes whole (llama.cpp's server repeats it in every delta)
                    part["name"] = call.function.name or part["name"]
                    part["arguments"] += call.function.arguments or ""
    return Reply("".join(text), [parts[i] for i in sorted(parts)], usage)


def _add_usage(span: AgentSpan, reply: Reply) -> None:
    if reply.usage is not None:  # llama.cpp's server sends no usage in a stream
        span.input_tokens = (span.input_tokens or 0) + reply.usage[0]
        span.output_tokens = (span.output_tokens or 0) + reply.usage[1]


def researcher(client: openai.OpenAI, tracing: Tracing, question: str) -> str:
    """The sub-agent: an agent of its own, one streamed call of the model."""
    with tracing.agent("researcher", question, RESEARCHER_SYSTEM) as span:
        messages = [
            {"role": "system", "content": RESEARCHER_SYSTEM},
            {"role": "user", "content": question},
        ]
        reply = _create(client, messages, None, stream=True)
        _add_usage(span, reply)
        span.answer = reply.text
    return reply.text


def run(client: openai.OpenAI, tracing: Tracing, flush: Callable[[], None]) -> str:
    """The agent's run; ``flush`` is called after each turn (one export request per turn)."""
    tools: dict[str, Callable[..., Any]] = {
        "get_weather": get_weather,
        "lookup_order": lookup_order,
        "ask_researcher": lambda question="", **_: researcher(client, tracing, question),
    }
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": PROMPT},
    ]
    with tracing.agent("travel_assistant", PROMPT, SYSTEM) as span:
        for tool, stream in TURNS:
            reply = _create(client, messages, tool, stream)
            _add_usage(span, reply)
            if not reply.calls:
                span.answer = reply.text
                break
            # llama.cpp's server refuses an assistant message whose content is null
            messages.append(
                {
                    "role": "assistant",
                    "content": reply.text,
                    "tool_calls": [
                        {
                            "id": c["id"],
                            "type": "function",
                            "function": {"name": c["name"], "arguments": c["arguments"]},
                        }
                        for c in reply.calls
                    ],
                }
            )
            messages.extend(
                {"role": "tool", "tool_call_id": call["id"], "content": _call(tools, tracing, call)}
                for call in reply.calls
            )
            flush()
    flush()
    return span.answer


def _call(tools: dict[str, Callable[..., Any]], tracing: Tracing, call: dict[str, Any]) -> str:
    try:
        arguments = json.loads(call["arguments"] or "{}")
    except json.JSONDecodeError:
        arguments = {}
    try:
        with tracing.tool(call["name"], call["id"], arguments) as span:
            result = tools[call["name"]](**arguments)
            span.set_result(result)
    except ToolError as exc:
        return f"Error: {exc}"
    return result if isinstance(result, str) else json.dumps(result)
