"""The event kinds: one slotted dataclass each, on the envelope they share (``envelope``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from nbagent.core.events.envelope import Channel, EndReason, Event

__all__ = [
    "Custom",
    "ErrorEvent",
    "Media",
    "MessageEnd",
    "MessageStart",
    "RunEnd",
    "RunStart",
    "State",
    "Status",
    "StepEnd",
    "StepStart",
    "TextDelta",
    "ThinkingDelta",
    "ToolCallArgsDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResult",
    "Usage",
]


@dataclass(slots=True, kw_only=True)
class RunStart(Event):
    """The run began (``kind="run_start"``): its model, provider and title when the source
    says. Exactly one per run, first; synthesized by the normalizer when a source has none."""

    kind: ClassVar[str] = "run_start"
    thread_id: str | None = None
    parent_run_id: str | None = None
    model: str | None = None
    provider: str | None = None
    title: str | None = None


@dataclass(slots=True, kw_only=True)
class RunEnd(Event):
    """The run ended (``kind="run_end"``); exactly one per run, last (the normalizer
    guarantees it). ``reason`` becomes the transcript's ``end_reason``: ``"completed"``,
    ``"tool_calls"``, ``"max_tokens"``, ``"cancelled"``, ``"error"``, ``"incomplete"``, ...;
    ``result`` is the framework's final output, when it has one."""

    kind: ClassVar[str] = "run_end"
    reason: EndReason = "completed"
    raw_reason: str | None = None
    """The source's own word for the reason, e.g. ``"stop"`` or ``"end_turn"``."""
    result: Any = None
    message: str | None = None
    """Human-readable explanation, shown in the status line (e.g. the error text)."""


@dataclass(slots=True, kw_only=True)
class StepStart(Event):
    """A step began (``kind="step_start"``): one model call, one tool execution, a graph
    node, a sub-agent (``step_type``). Its ``step_id`` ties it to its ``StepEnd``."""

    kind: ClassVar[str] = "step_start"
    step_id: str
    name: str = ""
    step_type: Literal["model", "tool", "node", "subagent", "chain"] = "model"
    parent_step_id: str | None = None


@dataclass(slots=True, kw_only=True)
class StepEnd(Event):
    """A step ended (``kind="step_end"``): the ``step_id`` of its ``StepStart``, and for a
    model call the reason it stopped (``finish_reason``: ``"stop"``, ``"tool_calls"``, ...)."""

    kind: ClassVar[str] = "step_end"
    step_id: str
    name: str = ""
    finish_reason: str | None = None
    raw_finish_reason: str | None = None


@dataclass(slots=True, kw_only=True)
class MessageStart(Event):
    """A text or thinking message opened (``kind="message_start"``): ``channel`` says which;
    the deltas that follow carry its ``message_id``."""

    kind: ClassVar[str] = "message_start"
    message_id: str
    channel: Channel = "text"
    role: str | None = None
    name: str | None = None
    title: str | None = None
    whole: bool = False
    """The message arrives in one piece (a hook that sees whole messages, not tokens:
    ``nbagent.watch()``): the status line then shows no tokens/s."""


@dataclass(slots=True, kw_only=True)
class TextDelta(Event):
    """A piece of the answer text (``kind="text_delta"``), appended to the message
    ``message_id``; rendered as markdown as it streams."""

    kind: ClassVar[str] = "text_delta"
    message_id: str
    delta: str
    refusal: bool = False
    """True when the model refuses (OpenAI ``delta.refusal``, Anthropic ``"refusal"`` stop)."""


@dataclass(slots=True, kw_only=True)
class ThinkingDelta(Event):
    """A piece of the model's reasoning (``kind="thinking_delta"``), shown in the collapsible
    Thinking panel; never part of the answer. ``summary``: a provider's summary of it."""

    kind: ClassVar[str] = "thinking_delta"
    message_id: str
    delta: str
    summary: bool = False
    part_index: int | None = None


@dataclass(slots=True, kw_only=True)
class MessageEnd(Event):
    """A text or thinking message closed (``kind="message_end"``), with what some providers
    send at the end: a thinking block's ``signature``, encrypted or redacted reasoning."""

    kind: ClassVar[str] = "message_end"
    message_id: str
    channel: Channel = "text"
    signature: str | None = None
    encrypted_value: str | None = None
    redacted: bool = False
    final_text: str | None = None
    """Full text from a ``*.done`` event, kept for reconciliation; never appended blindly."""
    was_thinking: bool = False
    """The text message was thinking all along: a closing think tag came for a block the chat
    template opened in the prompt. Its text moves to a thinking block."""


@dataclass(slots=True, kw_only=True)
class ToolCallStart(Event):
    """The model began a tool call (``kind="tool_call_start"``): its ``tool_call_id`` and
    ``name``; its arguments follow as ``ToolCallArgsDelta`` and end with ``ToolCallEnd``."""

    kind: ClassVar[str] = "tool_call_start"
    tool_call_id: str
    name: str = ""
    index: int | None = None
    parent_message_id: str | None = None
    executor: Literal["client", "server", "agent"] | None = None
    synthetic_id: bool = False
    """True when the source sent no id and nbagent made one up."""
    server: str | None = None
    """The MCP server whose tool is called, when the source knows it (its panel names it)."""
    call_as: str | None = None
    """Python source of the same call made from a notebook, for the panel's Copy as code, when
    the source knows one: its first ``{args}`` stands for the keyword arguments, e.g.
    ``server.call("get_time", {args})`` (``py_str`` writes names so that none holds
    ``{args}``). None: ``name(args)``."""
    no_rerun: str | None = None
    """Why the notebook cannot call this tool again although the run's other tools can be (a
    clause, e.g. ``"the model's provider runs it"``): its panel says "Re-run: nbagent cannot
    reach this tool (…)" instead of offering Re-run. None: as the run's (``can_rerun``)."""


@dataclass(slots=True, kw_only=True)
class ToolCallArgsDelta(Event):
    """A piece of a tool call's JSON arguments (``kind="tool_call_args_delta"``) for the call
    ``tool_call_id``; pieces may split anywhere, even mid-escape."""

    kind: ClassVar[str] = "tool_call_args_delta"
    tool_call_id: str
    delta: str


@dataclass(slots=True, kw_only=True)
class ToolCallEnd(Event):
    """A tool call's arguments are complete (``kind="tool_call_end"``): the full text when
    the source sends it, and the parsed ``args`` (or the ``parse_error``)."""

    kind: ClassVar[str] = "tool_call_end"
    tool_call_id: str
    arguments: str | None = None
    """Full argument text when the source sends it (reconciled, not appended)."""
    args: Any = None
    """Parsed arguments, or None when they are not valid JSON."""
    parse_error: str | None = None


@dataclass(slots=True, kw_only=True)
class ToolResult(Event):
    """A tool's result or error (``kind="tool_result"``) for the call ``tool_call_id``:
    ``content`` is what the model reads, ``display`` the data shown, ``is_error`` a failure."""

    kind: ClassVar[str] = "tool_result"
    tool_call_id: str
    content: Any = None
    """The result: a string or any JSON value. A data object (a DataFrame, a figure, an
    image) given here becomes its text form, and ``display`` its bundles (normalizer)."""
    name: str | None = None
    display: list[dict[str, Any]] | None = None
    """The result as data to show (``nbagent.core.data``): Jupyter display bundles
    ``{"data": {mime: value}, "metadata": {...}}``, base64 for images; ``content`` holds
    its text form (what the model reads)."""
    is_error: bool = False
    preliminary: bool = False
    message_id: str | None = None


@dataclass(slots=True, kw_only=True)
class Media(Event):
    """A picture or a sound the model made (``kind="media"``): an image (OpenAI's image
    generation, a Gemini image part, a gateway's ``delta.images``) or audio (a spoken answer),
    shown in the answer where it comes. Its bytes are ``data`` (base64), or the source keeps
    them at ``url`` (nbagent never fetches it). A ``partial`` one is a preview: the next
    ``Media`` of the same ``media_id`` replaces it (OpenAI's partial images)."""

    kind: ClassVar[str] = "media"
    media_id: str
    mime: str = ""
    """The type the source names (``image/png``, ``audio/wav``); the bytes' own first bytes
    say what they are where they differ."""
    data: str | None = None
    """The bytes, base64."""
    url: str | None = None
    alt: str | None = None
    """What stands for it in words: an image's revised prompt."""
    partial: bool = False


@dataclass(slots=True, kw_only=True)
class Usage(Event):
    """Token usage (``kind="usage"``) of a step or of the whole run (``scope``);
    ``cumulative=True`` replaces the stored value, else adds to it. ``None``: not reported.
    Each count is as the source reports it: ``input_tokens`` includes the cache reads and
    writes where the source counts them in (OpenAI, LiteLLM, LangChain, pydantic-ai,
    OpenTelemetry), not where it reports them apart (Anthropic, Bedrock)."""

    kind: ClassVar[str] = "usage"
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    """Input tokens read from the provider's prompt cache."""
    cache_write_tokens: int | None = None
    """Input tokens written to the provider's prompt cache (Anthropic's
    ``cache_creation_input_tokens``), priced above plain input."""
    cache_write_1h_tokens: int | None = None
    """Of ``cache_write_tokens``, those kept for an hour (Anthropic's
    ``ephemeral_1h_input_tokens``), priced above the five-minute writes."""
    cumulative: bool = True
    scope: Literal["step", "run"] = "step"
    step_id: str | None = None
    """The step (model call) it belongs to; None: the latest step started."""
    model: str | None = None
    provider: str | None = None
    cost_usd: float | None = None
    """What the source says the usage cost, in USD (Claude Agent SDK's ``total_cost_usd``,
    LiteLLM's or OpenRouter's ``usage.cost``, pydantic-ai's priced usage); a run-scope cost
    stands for the whole run, step-scope costs add up."""


@dataclass(slots=True, kw_only=True)
class Status(Event):
    """Progress the agent reports that is neither text nor a tool call (``kind="status"``:
    "searching...", a task started); shown in the run, with ``progress`` when it has one."""

    kind: ClassVar[str] = "status"
    state: str
    text: str | None = None
    detail: Any = None
    tool_call_id: str | None = None
    progress: float | None = None


@dataclass(slots=True, kw_only=True)
class ErrorEvent(Event):
    """An error from the source (``kind="error"``), shown in the run; ``recoverable=False``
    ends the run with status ``"error"``, a recoverable one is a warning and the run goes on."""

    kind: ClassVar[str] = "error"
    message: str
    code: str | int | None = None
    error_type: str | None = None
    recoverable: bool = False
    details: Any = None


@dataclass(slots=True, kw_only=True)
class State(Event):
    """Shared agent state (``kind="state"``): AG-UI ``STATE_*``, message and activity
    snapshots and JSON-patch deltas; kept in the transcript, not rendered as content."""

    kind: ClassVar[str] = "state"
    op: Literal["snapshot", "delta", "messages_snapshot", "activity_snapshot", "activity_delta"] = (
        "snapshot"
    )
    value: Any = None
    patch: Any = None
    message_id: str | None = None
    activity_type: str | None = None


@dataclass(slots=True, kw_only=True)
class Custom(Event):
    """Anything else the source sent (``kind="custom"``): a named value, e.g. a LangGraph
    ``custom`` write; kept in the transcript and recordings, not rendered as content."""

    kind: ClassVar[str] = "custom"
    name: str
    value: Any = None
    is_raw: bool = False
