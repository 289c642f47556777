"""Token counts in the shapes providers share, read into a ``Usage``.

Each reader takes the wire's usage object (a dict or an SDK object) and the ``Usage`` fields
the adapter knows itself (``scope``, ``step_id``, ``model``, ``cumulative``…); a count the
wire does not give stays None. Prompt-cache reads are ``cached_input_tokens``, writes
``cache_write_tokens`` (``cache_writes``: with those kept for an hour), each where the wire
says it.
"""

from __future__ import annotations

from typing import Any

from nbagent.adapters.base import field, int_or_none
from nbagent.core.events import Usage

__all__ = [
    "anthropic_usage",
    "cache_writes",
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


def cache_writes(
    written: Any, five_minutes: Any = None, hour: Any = None
) -> tuple[int | None, int | None]:
    """Tokens written to the prompt cache, and of them those kept for an hour (None when
    none were: only their price differs). ``written`` is the source's total; its per-TTL
    counts stand for it where it has none, or a zero (LangChain's ``cache_creation`` is 0
    beside Anthropic's breakdown)."""
    total, five, one_hour = (int_or_none(v) for v in (written, five_minutes, hour))
    if total is None and five is None and one_hour is None:
        return None, None
    return max(total or 0, (five or 0) + (one_hour or 0)), one_hour or None


def openai_usage(usage: Any, *, details: bool = True, **fields: Any) -> Usage:
    """OpenAI's usage, either shape (``openai_counts``), with ``total_tokens``; ``details``:
    also the reasoning tokens (``output_tokens_details`` / ``completion_tokens_details``), the
    cached input and the cache writes (``input_tokens_details`` / ``prompt_tokens_details``
    ``cache_write_tokens``; LiteLLM also mirrors Anthropic's ``cache_creation_input_tokens``
    at the top and its hour's writes in ``cache_creation_token_details``)."""
    inp, out = openai_counts(usage)
    reasoning = cached = written = hour = None
    if details:
        out_details = field(usage, "output_tokens_details") or field(
            usage, "completion_tokens_details"
        )
        in_details = field(usage, "input_tokens_details") or field(usage, "prompt_tokens_details")
        reasoning = int_or_none(field(out_details, "reasoning_tokens"))
        cached = int_or_none(field(in_details, "cached_tokens"))
        total = field(in_details, "cache_write_tokens")
        by_ttl = field(in_details, "cache_creation_token_details")
        written, hour = cache_writes(
            total if total is not None else field(usage, "cache_creation_input_tokens"),
            field(by_ttl, "ephemeral_5m_input_tokens"),
            field(by_ttl, "ephemeral_1h_input_tokens"),
        )
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=reasoning,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        cache_write_1h_tokens=hour,
        **fields,
    )


def anthropic_usage(usage: Any, *, before: Any = None, **fields: Any) -> Usage:
    """Anthropic's Messages usage (cumulative): cache reads are the cached input and cache
    writes ``cache_creation_input_tokens`` (``cache_creation``: those kept for an hour), each
    apart from ``input_tokens``, so the total is all four counts. ``before``: the usage of the
    message's start, whose counts stand for those a ``message_delta`` leaves out; a count
    neither has stays None, so it keeps the stored value."""
    fields.setdefault("cumulative", True)

    def count(name: str, source: Any = usage, earlier: Any = before) -> Any:
        value = field(source, name)
        return field(earlier, name) if value is None else value

    by_ttl, by_ttl_before = field(usage, "cache_creation"), field(before, "cache_creation")
    written, hour = cache_writes(
        count("cache_creation_input_tokens"),
        count("ephemeral_5m_input_tokens", by_ttl, by_ttl_before),
        count("ephemeral_1h_input_tokens", by_ttl, by_ttl_before),
    )
    inp, out = int_or_none(count("input_tokens")), int_or_none(count("output_tokens"))
    cached = int_or_none(count("cache_read_input_tokens"))
    total = None
    if inp is not None and out is not None:
        total = inp + (cached or 0) + (written or 0) + out
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=total,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        cache_write_1h_tokens=hour,
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
    ``total_tokens``, ``output_token_details.reasoning``, ``input_token_details.cache_read``
    and the cache writes (``cache_creation``, or Anthropic's ``ephemeral_5m_input_tokens`` and
    ``ephemeral_1h_input_tokens`` beside it); OpenAI-style ``prompt_tokens`` /
    ``completion_tokens`` where those are absent (an LLM's ``llm_output.token_usage``)."""
    inp, out = openai_counts(usage)
    in_details = field(usage, "input_token_details")
    written, hour = cache_writes(
        field(in_details, "cache_creation"),
        field(in_details, "ephemeral_5m_input_tokens"),
        field(in_details, "ephemeral_1h_input_tokens"),
    )
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=int_or_none(field(usage, "total_tokens")),
        reasoning_tokens=int_or_none(field(field(usage, "output_token_details"), "reasoning")),
        cached_input_tokens=int_or_none(field(in_details, "cache_read")),
        cache_write_tokens=written,
        cache_write_1h_tokens=hour,
        **fields,
    )
