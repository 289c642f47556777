"""Split inline ``<think>…</think>`` reasoning out of streamed answer text.

Models served without a reasoning parser (DeepSeek-R1 distills, QwQ, Qwen3 on a
plain vLLM or ``llama-server --reasoning-format none``) put their thinking in the
content. Only a *leading* think block counts: a ``<think>`` later in the answer
(in a code sample, say) is literal text. Tags may split anywhere across chunks,
so a suffix that could still become a tag is held back (at most ``len(tag) - 1``
characters) until the next chunk decides it.

Chat templates that open ``<think>`` in the prompt (DeepSeek-R1's, QwQ's, some of
Qwen3's) leave only the closing tag in the stream. A ``</think>`` that closes a block
never opened therefore makes everything before it thinking: that text has gone out as
answer text by then, so the splitter says so with a ``("was_thinking", "")`` part and
the adapter turns the open answer message into thinking (``MessageEnd.was_thinking``).
A lone ``</think>`` at the very start of the content (an empty block) is dropped; so is one
that opens the content after the reasoning came apart (``after_reasoning``: lmdeploy's
parser sends the thinking in ``reasoning_content``, then the closing tag as the first
content), where nothing else is split: the rest is the answer, as it came.

Blank content held back at the start is the answer's when the input ends there (the answer
is exactly the text that came); ``flush(blank=False)`` drops it where the thinking starts
coming apart instead.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DEFAULT_TAGS", "ThinkSplitter", "split_whole"]

Channel = Literal["text", "thinking", "was_thinking"]
Part = tuple[Channel, str]
"""``("text" | "thinking", piece)``, or ``("was_thinking", "")``: the answer text given so
far was thinking (a closing tag came for a block the prompt opened)."""

DEFAULT_TAGS: tuple[tuple[str, str], ...] = (("<think>", "</think>"), ("<thinking>", "</thinking>"))


class ThinkSplitter:
    """Feed content chunks; get ``("thinking" | "text", piece)`` parts back, in order.

    ``assume_open=True`` is for chat templates that pre-fill ``<think>`` in the
    prompt: the stream then starts mid-thought and only ``</think>`` appears.
    ``after_reasoning=True`` is for content that follows reasoning sent apart: only a leading
    closing tag is dropped, nothing is thinking.
    """

    __slots__ = ("_after_reasoning", "_buffer", "_close", "_shown", "_state", "_tags")

    def __init__(
        self,
        *,
        assume_open: bool = False,
        after_reasoning: bool = False,
        tags: tuple[tuple[str, str], ...] = DEFAULT_TAGS,
    ) -> None:
        self._tags = tags
        self._after_reasoning = after_reasoning
        self._buffer = ""
        self._shown = False  # some thinking went out (leading blank lines are dropped before)
        self._close = tags[0][1] if assume_open else ""
        # start: before any answer, an opening tag may come; think: inside;
        # unopened: no opening tag came, a closing one makes what went before thinking;
        # after: just closed, leading blank lines of the answer are dropped; text: pass through.
        self._state = "think" if assume_open else "start"

    @property
    def thinking(self) -> bool:
        """True while inside the think block."""
        return self._state == "think"

    def feed(self, chunk: str) -> list[Part]:
        self._buffer += chunk
        out: list[Part] = []
        while self._buffer:
            state = self._state
            if state == "text":
                out.append(("text", self._buffer))
                self._buffer = ""
            elif state == "start":
                if not self._start():
                    break
            elif state == "think":
                if not self._think(out):
                    break
            elif state == "unopened":
                if not self._unopened(out):
                    break
            else:  # "after"
                stripped = self._buffer.lstrip()
                self._buffer = stripped
                if stripped:
                    self._state = "text"
        return out

    def flush(self, *, blank: bool = True) -> list[Part]:
        """The input ended: whatever is held back, as what it was taken for; ``blank=False``:
        blank text held at the start is dropped (the thinking comes apart from here on)."""
        rest, self._buffer = self._buffer, ""
        if not rest:
            return []
        if self._state == "think":
            out: list[Part] = []
            self._emit_thinking(rest, out)
            return out
        if self._state == "after" or (not blank and self._state == "start" and not rest.strip()):
            return []
        return [("text", rest)]

    def _start(self) -> bool:
        """Decide whether the content opens with a think tag; False: need more input."""
        head = self._buffer.lstrip()
        opening = not self._after_reasoning
        for open_tag, close_tag in self._tags:
            if opening and head.startswith(open_tag):
                self._buffer = head[len(open_tag) :]
                self._close = close_tag
                self._state = "think"
                return True
            if head.startswith(close_tag):  # an empty block the prompt opened: dropped
                self._buffer = head[len(close_tag) :]
                self._state = "after"
                return True
        tags = [tag for pair in self._tags for tag in (pair if opening else pair[1:])]
        if any(tag.startswith(head) for tag in tags):
            return False  # "", "<", "<thi", "</th": wait for the next chunk
        self._state = "unopened" if opening else "text"
        return True

    def _unopened(self, out: list[Part]) -> bool:
        """Answer text, until a closing tag says it was thinking; False: need more input."""
        buffer = self._buffer
        ends = [(i, close) for _, close in self._tags if (i := buffer.find(close)) >= 0]
        opens = [i for open_tag, _ in self._tags if (i := buffer.find(open_tag)) >= 0]
        if opens and (not ends or min(opens) < min(ends)[0]):
            # a tag opened in the answer: its tags are the answer's own text (a code sample)
            out.append(("text", buffer))
            self._buffer = ""
            self._state = "text"
            return True
        if ends:
            end, close = min(ends)
            if end:
                out.append(("text", buffer[:end]))
            # the answer so far (it opened with text that is not blank: see _start) was thinking
            out.append(("was_thinking", ""))
            self._buffer = buffer[end + len(close) :]
            self._state = "after"
            return True
        keep = max(_partial_suffix(buffer, tag) for pair in self._tags for tag in pair)
        if len(buffer) > keep:
            out.append(("text", buffer[: len(buffer) - keep]))
        self._buffer = buffer[len(buffer) - keep :]
        return False

    def _think(self, out: list[Part]) -> bool:
        """Emit thinking up to the closing tag; False: need more input."""
        end = self._buffer.find(self._close)
        if end >= 0:
            self._emit_thinking(self._buffer[:end], out)
            self._buffer = self._buffer[end + len(self._close) :]
            self._state = "after"
            return True
        keep = _partial_suffix(self._buffer, self._close)
        self._emit_thinking(self._buffer[: len(self._buffer) - keep], out)
        self._buffer = self._buffer[len(self._buffer) - keep :]
        return False

    def _emit_thinking(self, text: str, out: list[Part]) -> None:
        if not self._shown:
            # An empty think block (Qwen3 with thinking off) must not open a panel.
            text = text.lstrip()
        if text:
            self._shown = True
            out.append(("thinking", text))


def split_whole(content: str) -> tuple[str, str]:
    """A whole message's content (a call that did not stream) as ``(thinking, answer)``."""
    if "<think" not in content and "</think" not in content:
        return "", content
    splitter = ThinkSplitter()
    thinking: list[str] = []
    answer: list[str] = []
    for channel, piece in [*splitter.feed(content), *splitter.flush()]:
        if channel == "was_thinking":
            thinking += answer
            answer = []
        else:
            (thinking if channel == "thinking" else answer).append(piece)
    return "".join(thinking), "".join(answer)


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-n:]):
            return n
    return 0
