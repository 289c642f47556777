"""The blocks a transcript is made of: messages, tool calls and sub-agents (its token usage:
``usage.py``; its text: ``paragraphs.py``)."""

from __future__ import annotations

from typing import Any, ClassVar

from nbagent.core.textbuf import TextBuffer
from nbagent.transcript.media import MediaBlock
from nbagent.transcript.notes import NoteBlock
from nbagent.transcript.run_blocks import ActivityBlock, InterruptBlock

__all__ = ["AgentBlock", "Block", "MediaBlock", "MessageBlock", "NoteBlock", "ToolCall"]


class MessageBlock:
    """A ``text``, ``thinking`` or ``user`` block (the user's turn: ``Custom("user_message")``)."""

    __slots__ = (
        "buffer",
        "encrypted",
        "ended_at",
        "id",
        "parent",
        "redacted",
        "refusal",
        "started_at",
        "type",
        "was_text",
        "whole",
    )

    def __init__(
        self,
        kind: str,
        block_id: str,
        text: str,
        refusal: bool = False,
        started_at: float | None = None,
    ) -> None:
        self.type = kind
        self.id = block_id
        self.buffer = TextBuffer(text)
        self.refusal = refusal
        self.redacted = False
        self.encrypted = False
        """A thinking block whose reasoning came encrypted (kept by its producer, never
        decoded); in the state only when so."""
        self.started_at = started_at
        self.ended_at: float | None = None
        self.parent: str | None = None
        """The block (a tool call, a sub-agent) whose scope this block is in; None: top level."""
        self.whole = False
        """The message came in one piece (``MessageStart.whole``): a paragraph of its own."""
        self.was_text = False
        """A thinking block that began as text (a closing think tag, ``was_thinking``): the
        page's state, retyped by a ``set`` op, still holds its ``refusal``, so this does too."""

    @property
    def text(self) -> str:
        return self.buffer.text

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any]
        if self.type == "text":
            d = {"type": "text", "id": self.id, "text": self.text, "refusal": self.refusal}
        elif self.type == "user":
            d = {"type": "user", "id": self.id, "text": self.text}
        else:
            d = {
                "type": "thinking",
                "id": self.id,
                "text": self.text,
                "redacted": self.redacted,
                "started_at": self.started_at,
                "ended_at": self.ended_at,
            }
            if self.was_text:
                d["refusal"] = self.refusal
        if self.encrypted:
            d["encrypted"] = True
        if self.parent is not None:
            d["parent"] = self.parent
        if self.whole:
            d["whole"] = True
        return d


class ToolCall:
    """One tool call, as ``transcript.tool_calls[i]`` lists it (a ``tool`` block).

    ``id``, ``name``; ``arguments``: the JSON text the model sent, ``args``: parsed (None when
    it did not parse: ``parse_error`` says why); ``result``, ``is_error``, ``traceback`` and
    ``output`` (what the tool printed); ``display``: the result as data (Jupyter mime bundles:
    a table, an image); ``duration_s``, ``usage`` and ``cost`` (an agent used as a tool);
    ``state``: ``"args"`` (streaming in), ``"running"``, ``"paused"``, ``"done"``, ``"error"``,
    ``"cancelled"``; ``reruns``: each re-run's outcome; a paused call's ``answer``,
    ``asked_args`` (what the model asked, when edited), ``mocked``, ``denied``; ``server``: its
    MCP server; ``meta``: an ACP call's title, kind, status and locations."""

    __slots__ = (
        "abandoned",
        "answer",
        "args",
        "args_done_at",
        "asked_args",
        "buffer",
        "call_as",
        "cost",
        "denied",
        "display",
        "duration_s",
        "ended_at",
        "id",
        "is_error",
        "meta",
        "mocked",
        "name",
        "no_rerun",
        "output",
        "parent",
        "parse_error",
        "pause",
        "reruns",
        "result",
        "server",
        "started_at",
        "state",
        "traceback",
        "usage",
    )
    type: ClassVar[str] = "tool"
    _KEYS: ClassVar[tuple[str, ...]] = (
        "name",
        "args",
        "parse_error",
        "state",
        "result",
        "is_error",
        "started_at",
        "args_done_at",
        "ended_at",
        "duration_s",
    )
    # In the state only when set (tools nbagent's agent ran): older states stay the same.
    _RAN: ClassVar[tuple[str, ...]] = ("output", "traceback", "abandoned")
    """What a tool result from nbagent's agent adds (its ``meta``)."""
    _PAUSE: ClassVar[tuple[str, ...]] = ("pause", "answer", "asked_args", "mocked", "denied")
    """A call paused before it ran (``nbagent.runtime.pause``) and how it was answered."""
    _OPTIONAL: ClassVar[tuple[str, ...]] = (
        *_RAN,
        "reruns",
        "parent",
        "usage",
        "display",
        "server",
        "call_as",
        "no_rerun",
        "meta",
        *_PAUSE,
    )

    def __init__(self, tool_call_id: str, name: str = "", started_at: float | None = None) -> None:
        self.id, self.name = tool_call_id, name
        self.buffer = TextBuffer()
        """The argument text; a new buffer when the source's whole arguments replace the
        streamed ones (what pointed into the old one stays valid)."""
        self.args: Any = None
        self.parse_error: str | None = None
        self.state = "args"  # args | running | paused | done | error | cancelled
        self.result: Any = None
        self.is_error = False
        self.started_at = started_at
        self.args_done_at: float | None = None
        self.ended_at: float | None = None
        self.duration_s: float | None = None
        self.output: str | None = None
        """What the tool printed (stdout and stderr), for tools nbagent ran."""
        self.traceback: str | None = None
        """The traceback of a tool that raised."""
        self.abandoned = False
        """A sync tool past its timeout: the run went on, its thread still runs."""
        self.reruns: list[dict[str, Any]] = []
        """Calls of the tool again from the notebook (``Run.rerun_tool``, the Re-run button):
        ``{"args", "state", "result", "is_error", ...}`` each, shown under the original."""
        self.parent: str | None = None
        """The block (a tool call, a sub-agent) whose scope this call is in; None: top level."""
        self.usage: dict[str, Any] | None = None
        """The tokens of the sub-agent this call started (its nested steps), when it did."""
        self.cost: dict[str, float | None] | None = None
        """``{"cost_usd": USD or None}`` once a step inside its sub-agent has a cost (its
        steps' sum; None: one has no price); absent from the state until then."""
        self.display: list[dict[str, Any]] | None = None
        """The result as data (a table, an image, markdown): Jupyter display bundles
        ``{"data": {mime: value}, "metadata": {mime: {...}}}`` (``nbagent.core.data``), ``result``
        then being their text form; in the state only when set."""
        self.pause: dict[str, Any] | None = None
        """While ``state`` is ``paused``: the ``awaiting_approval`` detail (``actions``,
        ``origin``, ``hint``, ``schema``; ``error``: the last answer refused)."""
        self.answer: dict[str, Any] | None = None
        """How a paused call was answered: ``{"action", "edited", "reason"?}``."""
        self.asked_args: Any = None
        """The arguments the model asked for, when an answer edited them (``args``: what ran)."""
        self.mocked = False
        """The result was typed in the notebook, the tool never ran."""
        self.denied = False
        """The call was denied: the result is the refusal the model got."""
        self.server: str | None = None
        """The MCP server whose tool this is, when the source says (in the state only then)."""
        self.call_as: str | None = None
        """Python source of the same call from a notebook (``ToolCallStart.call_as``), for
        Copy as code; in the state only when set."""
        self.no_rerun: str | None = None
        """Why the notebook cannot call this tool again (``ToolCallStart.no_rerun``, a clause
        its panel shows instead of Re-run); in the state only when set."""
        self.meta: dict[str, Any] | None = None
        """What the source says of the call besides (``fold.tools.TOOL_META`` of its start's,
        its results' and its statuses' ``meta``: an ACP agent's ``title``, ``kind``,
        ``status``, ``locations``), the latest of each; in the state only when set."""

    @property
    def paused(self) -> bool:
        """True while the call waits, before it runs, for an answer from the notebook."""
        return self.state == "paused"

    @property
    def arguments(self) -> str:
        """The argument text as streamed (or as the source sent it in full)."""
        return self.buffer.text

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": "tool", "id": self.id, "arguments": self.arguments}
        for k in self._KEYS:
            d[k] = getattr(self, k)
        for k in self._OPTIONAL:
            value = getattr(self, k)
            if value:
                d[k] = list(value) if isinstance(value, list) else value
        if self.cost is not None:
            d.update(self.cost)
        return d

    def __repr__(self) -> str:
        return f"ToolCall(id={self.id!r}, name={self.name!r}, state={self.state!r})"


class AgentBlock:
    """A sub-agent's scope (an ``agent`` block): a LangGraph subgraph, a handed-off agent; the
    blocks whose ``parent`` is its id are shown inside it."""

    __slots__ = ("buffer", "cost", "ended_at", "id", "name", "parent", "started_at", "usage")
    type: ClassVar[str] = "agent"

    def __init__(self, step_id: str, name: str, started_at: float | None) -> None:
        self.id, self.name = step_id, name
        self.buffer = TextBuffer()
        """Empty: a sub-agent's text is in its blocks (every block has a buffer, so that the
        reducer's hot path needs no type check)."""
        self.started_at = started_at
        self.ended_at: float | None = None
        self.usage: dict[str, Any] | None = None
        """The tokens of its steps (its nested ones included); None when none reported."""
        self.cost: dict[str, float | None] | None = None
        """As ``ToolCall.cost``: its steps' cost, once one has a cost."""
        self.parent: str | None = None
        """The block whose scope this sub-agent is in; None: top level."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": "agent",
            "id": self.id,
            "name": self.name,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "usage": dict(self.usage) if self.usage else None,
        }
        if self.parent is not None:
            d["parent"] = self.parent
        if self.cost is not None:
            d.update(self.cost)
        return d


Block = (
    MessageBlock | ToolCall | AgentBlock | ActivityBlock | InterruptBlock | NoteBlock | MediaBlock
)
