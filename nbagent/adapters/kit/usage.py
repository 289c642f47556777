"""Token counts in the shapes providers share, read into a ``Usage``.

Each reader takes the wire's usage object (a dict or an SDK object) and the ``Usage`` fields
the adapter knows itself (``scope``, ``step_id``, ``model``, ``cumulative``…); a count the
wire does not give stays None.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none
from nbagent.core.events import Usage

__all__ = [
    "anthropic_usage",
    "gemini_usage",
    "langchain_usage",
    "openai_counts",
    "openai_usage",
]


def openai_counts(usage: Any) -> tuple[int | None, int | None]:
    """Input and output tokens of either OpenAI shape: ``input_tokens`` / ``output_tokens``
    (Responses, the Agents SDK, LangChain), else ``prompt_tokens`` / ``completion_tokens``
    (Chat Completions, Assistants, LiteLLM)."""
    inp = int_or_none(field(usage, "input_tokens"))
    out = int_or_none(field(usage, "output_tokens"))
    if inp is None and out is None:
        inp = int_or_none(field(usage, "prompt_tokens"))
        out = int_or_none(field(usage, "completion_tokens"))
    return inp, out


def openai_usage(usage: Any, *, details: bool = True, **fields: Any) -> Usage:
    """OpenAI's usage, either shape (``openai_counts``), with ``total_tokens``; ``details``:
    also the reasoning tokens (``output_tokens_details`` / ``completion_tokens_details``) and
    the cached input (``input_tokens_details`` / ``prompt_tokens_details``)."""
    inp, out = openai_counts(usage)
    reasoning = cached = None
    if details:
        out_details = field(usage, "output_tokens_details") or field(
            usage, "completion_tokens_details"
        )
        in_details = field(usage, "input_tokens_details") or field(usage, "prompt_tokens_details")
        reasoning = int_or_none(field(out_details, "reasoning_tokens"))
        cached = int_or_none(field(in_details, "cached_tokens"))
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=reasoning,
        cached_input_tokens=cached,
        **fields,
    )


def anthropic_usage(usage: Any, **fields: Any) -> Usage:
    """Anthropic's Messages usage (cumulative): cache reads are the cached input, apart from
    ``input_tokens``; absent counts stay None, so they keep the stored value."""
    fields.setdefault("cumulative", True)
    return Usage(
        input_tokens=int_or_none(field(usage, "input_tokens")),
        output_tokens=int_or_none(field(usage, "output_tokens")),
        cached_input_tokens=int_or_none(field(usage, "cache_read_input_tokens")),
        provider="anthropic",
        **fields,
    )


def gemini_usage(usage: Any, **fields: Any) -> Usage:
    """Gemini's ``usage_metadata`` (SDK snake_case or REST camelCase names). Gemini counts
    thoughts apart from the candidates; the output is both, as OpenAI and Anthropic count it."""

    def count(name: str) -> int | None:
        value = int_or_none(field(usage, name))
        if value is None:
            head, *rest = name.split("_")
            value = int_or_none(field(usage, head + "".join(w.title() for w in rest)))
        return value

    candidates = count("candidates_token_count")
    thoughts = count("thoughts_token_count")
    output = None
    if candidates is not None or thoughts is not None:
        output = (candidates or 0) + (thoughts or 0)
    return Usage(
        input_tokens=count("prompt_token_count"),
        output_tokens=output,
        total_tokens=count("total_token_count"),
        reasoning_tokens=thoughts,
        cached_input_tokens=count("cached_content_token_count"),
        **fields,
    )


def langchain_usage(usage: Any, **fields: Any) -> Usage:
    """A LangChain message's ``usage_metadata``: ``input_tokens``, ``output_tokens``,
    ``total_tokens``, ``output_token_details.reasoning``, ``input_token_details.cache_read``;
    OpenAI-style ``prompt_tokens`` / ``completion_tokens`` where those are absent (an LLM's
    ``llm_output.token_usage``)."""
    inp, out = openai_counts(usage)
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(field(field(usage, "output_token_details"), "reasoning")),
        cached_input_tokens=int_or_none(field(field(usage, "input_token_details"), "cache_read")),
        **fields,
    )
