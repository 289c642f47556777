"""``Choice``: one choice of a Chat Completions stream, the part ``OpenAIChatAdapter`` keeps per
choice index. It turns the choice's deltas into thinking, text (an audio answer's transcript
too: ``audio.py``, its audio a ``Media`` at its end; a gateway's images each a ``Media``), refusal
and tool-call events (reasoning fields, LiteLLM's
``thinking_blocks``, Mistral's thinking content parts, or ``<think>`` splitting), names its
messages by the run's ``Ids`` (``{run}:text1``, ``…:think1``, ``…:refusal1``, counted over the
run's choices) and closes its open messages and calls. Its messages are kit ``Parts`` (one open
of each kind: text, thinking, refusal), its tool calls assembled by the run's ``ToolCalls``
(``adapters/kit``), in a group of their own.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, list_or_empty
from nbagent.adapters.kit import CallGroup, Parts, ToolCalls
from nbagent.adapters.kit.media import Sounds, media_event
from nbagent.adapters.openai_chat.audio import AUDIO, audio_mime, audio_of, images_of
from nbagent.adapters.openai_chat.maps import reasoning_of, text_of, thinking_parts
from nbagent.adapters.think import Part, ThinkSplitter
from nbagent.core.events import Custom, Event

__all__ = ["Choice"]


class Choice:
    """One choice's state: its open messages (text, thinking and refusal, each keyed by its
    kind), its tool calls, its finish reason."""

    __slots__ = (
        "calls",
        "finish",
        "index",
        "meta",
        "parts",
        "reasoning_field",
        "refusal",
        "signature",
        "sounds",
        "splitter",
        "tool_calls_field",
        "tools",
    )

    def __init__(self, index: int, tools: ToolCalls) -> None:
        self.index = index
        self.tools = tools
        self.meta: dict[str, Any] | None = None if index == 0 else {"choice_index": index}
        self.parts = Parts(tools.ids, meta=self.meta)
        self.calls = CallGroup()
        self.finish: str | None = None
        self.refusal = False  # a refusal was sent
        self.reasoning_field = False  # the server sends reasoning apart: no <think> splitting
        self.splitter: ThinkSplitter | None = None
        self.signature: str | None = None  # of the open thinking message, for its MessageEnd
        self.tool_calls_field = False  # tool_calls came: the legacy function_call is ignored
        self.sounds = Sounds()  # a spoken answer's audio, said whole at the choice's end

    # -- a delta ---------------------------------------------------------------------------

    def delta(self, delta: Any, out: list[Event]) -> None:
        blocks = list_or_empty(field(delta, "thinking_blocks"))  # LiteLLM (Anthropic's blocks)
        thinking = reasoning_of(delta)
        if not thinking and blocks:  # LiteLLM repeats them in reasoning_content: not twice
            thinking = "".join(t for b in blocks if isinstance(t := field(b, "thinking"), str))
        if thinking:
            self._thinking(thinking, out)
        for block in blocks:
            self._thinking_block(block, out)
        content = field(delta, "content")
        if thinking_parts(content):  # Mistral's Magistral: [{"type": "thinking", ...}, ...]
            for part in content:
                if field(part, "type") == "thinking":
                    self._thinking(text_of(field(part, "thinking")), out)
                    self._thinking_block(part, out)
                else:
                    self._text(text_of([part]), out)
        else:
            self._text(text_of(content), out)
        transcript, data, audio = audio_of(delta)  # a spoken answer: its transcript is the text
        if transcript:
            self._close_thinking(out)
            self.parts.put("text", "text", transcript, out)
        if data is not None or audio is not None:
            self._audio(data, audio, out)
        for url in images_of(delta):  # a gateway's images: each where it came in the answer
            self._close_thinking(out)
            self.parts.close("text", out)
            out.append(media_event(self.tools.ids.new("media"), "image", url=url, meta=self.meta))
        refusal = text_of(field(delta, "refusal"))
        if refusal:
            self._close_thinking(out)
            self.refusal = True
            self.parts.put("refusal", "refusal", refusal, out)
        tool_calls = list_or_empty(field(delta, "tool_calls"))
        if tool_calls:
            self.tool_calls_field = True
        for tool_call in tool_calls:
            self._tool_call(field(tool_call, "index"), field(tool_call, "id"),
                            field(tool_call, "function"), out)  # fmt: skip
        # The legacy field is one call at index 0. Servers that send both (llama-cpp-python)
        # repeat each tool_calls fragment in it: read twice, the arguments would be garbled.
        function_call = field(delta, "function_call")
        if function_call and not self.tool_calls_field:
            self._tool_call(0, None, function_call, out)

    def _audio(self, data: Any, rest: dict[str, Any] | None, out: list[Event]) -> None:
        """A piece of the spoken answer's audio (said whole at the end); its id and expiry
        as they came."""
        media_id, mime = "", ""
        if "audio" not in self.sounds:  # its first piece names it
            wire_id = (rest or {}).get("id")
            media_id = self.tools.ids.of(wire_id if isinstance(wire_id, str) else None, "media")
            mime = audio_mime(rest)
        self.sounds.add("audio", media_id, mime, data, meta=self.meta)
        if rest is not None:
            out.append(Custom(name=AUDIO, value=rest, meta=self.meta))

    def _tool_call(self, index: Any, wire_id: Any, function: Any, out: list[Event]) -> None:
        # mistralai's ToolCall defaults a missing id to the string "null"
        wire_id = wire_id if isinstance(wire_id, str) and wire_id not in ("", "null") else None
        name = field(function, "name")
        _, events = self.tools.fragment(
            self.calls,
            index=index if isinstance(index, int) else None,
            wire_id=wire_id,
            name=name if isinstance(name, str) else None,
            args=field(function, "arguments"),
            meta=self.meta,
        )
        if events and events[0].kind == "tool_call_start":
            self._close_thinking(out)
        out.extend(events)

    # -- thinking and text -----------------------------------------------------------------

    def _thinking(self, thinking: str, out: list[Event]) -> None:
        """Thinking sent apart from the content: from then on no ``<think>`` splitting (but
        for a closing tag opening the content after it, dropped)."""
        if not self.reasoning_field:
            self.reasoning_field = True
            self._flush_splitter(out, blank=False)
        if thinking:
            self.parts.put("thinking", "thinking", thinking, out)

    def _thinking_block(self, block: Any, out: list[Event]) -> None:
        """A thinking block's signature (kept for the thinking message's end) or a redacted
        block (a thinking message of its own, with no text)."""
        signature = field(block, "signature")
        if isinstance(signature, str) and signature:
            self.signature = signature
        if field(block, "type") == "redacted_thinking":
            self._close_thinking(out)
            self.parts.start("thinking", "thinking", out, announce=True)
            data = field(block, "data")
            encrypted = data if isinstance(data, str) else None
            self.parts.close("thinking", out, redacted=True, encrypted_value=encrypted)

    def _text(self, content: str, out: list[Event]) -> None:
        if not content:
            return
        if self.splitter is None:
            self.splitter = ThinkSplitter(after_reasoning=self.reasoning_field)
        self._emit_parts(self.splitter.feed(content), out)

    def _emit_parts(self, parts: list[Part], out: list[Event]) -> None:
        """Content split by the ``<think>`` splitter: thinking and answer text, in order."""
        for channel, piece in parts:
            if channel == "was_thinking":
                self.parts.close("text", out, was_thinking=True)
                continue
            if channel != "thinking":
                self._close_thinking(out)
            self.parts.put(channel, channel, piece, out)

    def _flush_splitter(self, out: list[Event], *, blank: bool = True) -> None:
        if self.splitter is not None:
            self._emit_parts(self.splitter.flush(blank=blank), out)
            self.splitter = None

    def _close_thinking(self, out: list[Event]) -> None:
        if self.parts.close("thinking", out, signature=self.signature) is not None:
            self.signature = None

    # -- the end ---------------------------------------------------------------------------

    def close(self, out: list[Event]) -> None:
        """Close the open messages and calls (idempotent; also closes late deltas)."""
        self._flush_splitter(out)
        self._close_thinking(out)
        self.parts.close("text", out)
        self.parts.close("refusal", out)
        out.extend(self.sounds.end_all())
        for call in self.calls.calls:
            if not call.ended and not call.started:  # the name never came
                self._close_thinking(out)
            out.extend(self.tools.end(call, self.meta))
