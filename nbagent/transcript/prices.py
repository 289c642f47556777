"""What a model call cost in USD, from its token usage: ``nbagent.prices(...)`` overrides first,
then the price table of ``genai-prices`` (its bundled snapshot: nbagent never asks it to fetch
newer prices, so a cost needs no network and the same events always give the same cost).

A model neither knows gives None (shown "—"): never a guess. The reducer (``fold/usage.py``)
prices each step with ``step_cost``; a cost the source reports wins over both.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal, NamedTuple

from nbagent.core.threads import threads_available

__all__ = ["PRICE_KEYS", "CostSource", "prices", "step_cost", "warm_up"]

CostSource = Literal["reported", "price table", "override"]
PRICE_KEYS = ("input", "output", "cached_input", "cache_write")
"""An override's prices, USD per million tokens; ``cached_input`` (cache reads) and
``cache_write`` (cache writes) default to ``input``."""

# Providers whose input count leaves out the cache reads and writes (genai-prices counts them
# in), where a usage's total does not say.
_CACHE_APART = frozenset({"anthropic", "bedrock", "aws"})
# nbagent's provider names that genai-prices spells otherwise.
_PROVIDER_IDS = {"bedrock": "aws", "gemini": "google", "vertex_ai": "google"}

_lock = threading.Lock()
_overrides: dict[str, dict[str, float]] = {}
# (model, provider) -> (genai-prices provider id, model name), or None: no price
_resolved: dict[tuple[str, str | None], tuple[str, str] | None] = {}
_UNSET: Any = object()


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import the price table on a thread of its own, once: the first priced step would
    otherwise wait for it (~0.4 s) under its run's lock, between two updates of the view.
    Without threads (``core.threads``) the first priced step imports it."""
    if not threads_available():
        return
    with _lock:
        if _warming:
            return
        thread = threading.Thread(target=_import_table, name="nbagent-prices", daemon=True)
        _warming.append(thread)
    thread.start()


def _import_table() -> None:
    # Python 3.10 has no genai-prices: reported costs and overrides only.
    with contextlib.suppress(ImportError):
        import genai_prices  # noqa: F401


def prices(
    table: Mapping[str, Mapping[str, float]] | None = _UNSET,
    /,
    *,
    reset: bool = False,
    **models: Mapping[str, float],
) -> dict[str, dict[str, float]]:
    """Set the prices of models nbagent should not look up, and return the overrides now in force.

    ``nbagent.prices({"my-model": {"input": 0.5, "output": 1.5, "cached_input": 0.05}})``: USD
    per million tokens (``cached_input``, the cache reads, and ``cache_write``, the cache
    writes, default to ``input``); keyword
    arguments do the same for names that are identifiers (``nbagent.prices(mymodel={...})``).
    A name matches a model case-insensitively; a name ending in ``*`` matches every model
    that starts with the rest (the longest such prefix wins over shorter ones, an exact name
    over any prefix). Overrides win over the ``genai-prices`` table and apply to runs folded
    from then on (a transcript already shown keeps its costs). ``prices()`` returns the
    overrides; ``prices(None)`` or ``prices(reset=True)`` removes them all first.
    """
    entries = dict(table or {}) if table is not _UNSET else {}
    entries.update(models)
    checked = {name.lower(): _checked(name, entry) for name, entry in entries.items()}
    with _lock:
        if reset or table is None:
            _overrides.clear()
        _overrides.update(checked)
        return {name: dict(entry) for name, entry in _overrides.items()}


def _checked(name: str, entry: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(entry, Mapping):
        raise TypeError(f"prices for {name!r}: a mapping of {PRICE_KEYS}, not {entry!r}")
    unknown = set(entry) - set(PRICE_KEYS)
    if unknown or not {"input", "output"} <= set(entry):
        raise ValueError(
            f"prices for {name!r}: 'input' and 'output' (and 'cached_input', 'cache_write'), "
            f"USD per million tokens; got {sorted(entry)}"
        )
    out: dict[str, float] = {}
    for key, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"prices for {name!r}: {key} must be a number, not {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"prices for {name!r}: {key} must be ≥ 0, not {value!r}")
        out[key] = float(value)
    return out


def _override(model: str) -> dict[str, float] | None:
    name = model.lower()
    with _lock:
        exact = _overrides.get(name)
        if exact is not None:
            return exact
        prefixes = [k for k in _overrides if k.endswith("*") and name.startswith(k[:-1])]
        return _overrides[max(prefixes, key=len)] if prefixes else None


class _Counts(NamedTuple):
    """A call's tokens as genai-prices counts them: the input with the cache reads and writes
    in it; of the writes, those kept for an hour; the output with its reasoning in it."""

    input: int
    cache_read: int
    cache_write: int
    cache_write_1h: int
    output: int
    reasoning: int


def _count(usage: Mapping[str, Any], key: str, at_most: int | None = None) -> int:
    """A positive whole count (at most ``at_most``), else 0."""
    v = usage.get(key)
    if not isinstance(v, int) or v <= 0 or (at_most is not None and v > at_most):
        return 0
    return v


def _cache_apart(usage: Mapping[str, Any], provider: str | None, inp: int, cache: int) -> bool:
    """Whether ``usage``'s input count leaves out its cache reads and writes (Anthropic's,
    Bedrock's) rather than holding them (OpenAI's, and LiteLLM's, LangChain's, pydantic-ai's,
    AG-UI's for any provider): so when the cache outnumbers the input, or the total counts the
    cache on top of input and output; without a total, as the provider counts."""
    if cache > inp:
        return True
    total = usage.get("total_tokens")
    if isinstance(total, int) and not isinstance(total, bool) and cache:
        return total >= inp + _count(usage, "output_tokens") + cache
    return (provider or "").lower() in _CACHE_APART


def _counts(usage: Mapping[str, Any], provider: str | None) -> _Counts | None:
    """``usage`` counted as genai-prices counts it; None without an input or output count."""
    if all(usage.get(k) is None for k in ("input_tokens", "output_tokens")):
        return None
    inp, out = _count(usage, "input_tokens"), _count(usage, "output_tokens")
    cached, written = _count(usage, "cached_input_tokens"), _count(usage, "cache_write_tokens")
    if _cache_apart(usage, provider, inp, cached + written):
        inp += cached + written
    return _Counts(
        inp,
        cached,
        written,
        _count(usage, "cache_write_1h_tokens", written),
        out,
        _count(usage, "reasoning_tokens", out),
    )


def step_cost(
    model: str | None,
    provider: str | None,
    usage: Mapping[str, Any] | None,
    at: float | None = None,
) -> tuple[float, CostSource] | None:
    """What one model call cost, in USD, and where the price came from; None when the model
    is unknown (or no usage).

    ``usage``: a step's token counts (``input_tokens``, ``output_tokens``,
    ``cached_input_tokens``, ``cache_write_tokens``, ``cache_write_1h_tokens``,
    ``reasoning_tokens``). Cache reads are priced at the cached rate, cache writes at the
    write rate (an hour's writes at theirs, where the table has one), reasoning tokens as
    output (they are part of it), as genai-prices does. ``at`` (epoch
    seconds, the call's start) picks the price in force then; without it, the prices of the
    table's newest entry. ``provider`` names the provider's price list; without one, the model
    name must match exactly one provider's models in genai-prices (``gpt-4o`` → OpenAI, a
    ``claude-*`` → Anthropic), or start with a provider's name (``openai/gpt-4o``,
    ``anthropic:claude-…``), else None: the same model sold by several providers (Azure,
    Bedrock, Groq) at other prices is not guessed.
    """
    if not model or not usage:
        return None
    counts = _counts(usage, provider)
    if counts is None:
        return None
    entry = _override(model)
    if entry is not None:
        c = counts
        plain = c.input - c.cache_read - c.cache_write
        usd = (
            plain * entry["input"]
            + c.cache_read * entry.get("cached_input", entry["input"])
            + c.cache_write * entry.get("cache_write", entry["input"])
            + c.output * entry["output"]
        ) / 1e6
        return usd, "override"
    return _table_cost(model, provider, counts, at)


def _table_cost(
    model: str, provider: str | None, counts: _Counts, at: float | None
) -> tuple[float, CostSource] | None:
    try:
        import genai_prices  # lazy: ~0.15 s on first use (its HTTP client), never at import
    except ImportError:  # not installed (Python 3.10: genai-prices needs 3.11)
        return None
    found = _resolve(model, provider)
    if found is None:
        return None
    provider_id, model_ref = found
    usage = genai_prices.Usage(
        input_tokens=counts.input,
        cache_read_tokens=counts.cache_read or None,
        cache_write_tokens=counts.cache_write or None,
        cache_write_1h_tokens=counts.cache_write_1h or None,
        output_tokens=counts.output,
        output_reasoning_tokens=counts.reasoning or None,
    )
    when = datetime.fromtimestamp(at, tz=timezone.utc) if at is not None else _LATEST
    try:
        price = genai_prices.calc_price(
            usage, model_ref, provider_id=provider_id, genai_request_timestamp=when
        )
    except (LookupError, ValueError):
        return None
    return float(price.total_price), "price table"


# A fixed date stands for "now" when a call has no time: a cost depends on its events only.
_LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)


def _resolve(model: str, provider: str | None) -> tuple[str, str] | None:
    """The genai-prices provider id and model name that price ``model``; cached per
    (model, provider)."""
    key = (model.lower(), provider.lower() if provider else None)
    if key not in _resolved:
        _resolved[key] = _find(*key)
    return _resolved[key]


def _find(model: str, provider: str | None) -> tuple[str, str] | None:
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    if provider is None:
        # "openai/gpt-4o", "anthropic:claude-…" (LiteLLM's, pydantic-ai's names): the prefix
        # names the provider when genai-prices knows it as one.
        for sep in "/:":
            head, _, rest = model.partition(sep)
            if rest and data_snapshot.find_provider_by_id(snapshot.providers, head):
                return _find(rest, head)
    if provider is not None:
        wanted = _PROVIDER_IDS.get(provider, provider)
        try:
            snapshot.find_provider_model(model, None, wanted, None)
        except LookupError:
            return None
        return wanted, model
    claims = [
        p for p in snapshot.providers if p.model_match is not None and p.model_match.is_match(model)
    ]
    if len(claims) != 1 or claims[0].find_model(model, all_providers=snapshot.providers) is None:
        return None
    return str(claims[0].id), model
