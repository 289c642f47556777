"""Deterministic, realistic answer text for the benchmarks, and ways to cut it into deltas.

Every benchmark streams text from here, so the kernel, browser and in-process figures
are about the same kind of output: markdown an assistant writes (headings, paragraphs
with inline code and links, lists, fenced code blocks, tables), cut the way a model
streams it.
"""

from __future__ import annotations

import random
import re

__all__ = ["chunk_deltas", "markdown", "token_deltas"]

_VOCABULARY = (
    "the model returns a table of results for each query and the agent calls a tool to "
    "fetch rows from the warehouse then it checks every value before writing an answer with "
    "sources latency budget retry window cache index vector store embedding prompt context "
    "token stream parser schema column filter group mean median quantile error rate request "
    "response header payload timeout dataset notebook kernel widget render frame"
)
_WORDS = _VOCABULARY.split()
_IDENTS = ("df", "rows", "result", "client", "frame", "stats", "query", "window", "cache")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    roll = rng.random()
    if roll < 0.25:
        words[rng.randrange(len(words))] = f"`{rng.choice(_IDENTS)}.{rng.choice(_WORDS)}()`"
    elif roll < 0.4:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    elif roll < 0.5:
        i = rng.randrange(len(words))
        words[i] = f"[{words[i]}](https://example.org/{words[i]})"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _list(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    items = []
    for n in range(1, rng.randint(3, 6) + 1):
        mark = f"{n}." if ordered else "-"
        items.append(f"{mark} {_sentence(rng)}")
    return "\n".join(items)


def _code(rng: random.Random) -> str:
    name = rng.choice(_IDENTS)
    lines = [f"def load_{name}(path: str, limit: int = {rng.randint(10, 999)}) -> list[dict]:"]
    for _ in range(rng.randint(3, 9)):
        a, b = rng.choice(_IDENTS), rng.choice(_WORDS)
        lines.append(f"    {a} = {name}.get({b!r}, {rng.randint(0, 99)})  # {rng.choice(_WORDS)}")
    lines.append(f"    return [{name} for {name} in rows if {name}]")
    return "```python\n" + "\n".join(lines) + "\n```"


def _table(rng: random.Random) -> str:
    cols = rng.sample(_WORDS, rng.randint(3, 5))
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _ in range(rng.randint(3, 8)):
        cells = [f"{rng.uniform(0, 1000):.2f}" if rng.random() < 0.6 else rng.choice(_WORDS)]
        cells += [f"{rng.randint(0, 10_000):,}" for _ in cols[1:]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def markdown(size: int, *, seed: int = 0) -> str:
    """About ``size`` bytes of assistant-style markdown (cut to exactly ``size`` characters).

    The mix per block: paragraphs 45 %, lists 20 %, code blocks 15 %, tables 10 %,
    headings 10 %. The same ``size`` and ``seed`` always give the same text.
    """
    rng = random.Random(seed)
    blocks: list[str] = []
    total = 0
    while total < size:
        roll = rng.random()
        if roll < 0.45:
            block = _paragraph(rng)
        elif roll < 0.65:
            block = _list(rng)
        elif roll < 0.80:
            block = _code(rng)
        elif roll < 0.90:
            block = _table(rng)
        else:
            block = "## " + _sentence(rng).rstrip(".")
        blocks.append(block)
        total += len(block) + 2
    return "\n\n".join(blocks)[:size]


# A model's token: a word with its leading space, a run of punctuation, or a newline run.
_TOKEN = re.compile(r" ?[A-Za-z]{1,7}| ?\d{1,3}| ?[^\sA-Za-z\d]{1,3}|\s+")


def token_deltas(count: int, *, seed: int = 0) -> list[str]:
    """``count`` token-sized deltas (about 4.5 characters each) of ``markdown()`` text."""
    out: list[str] = []
    size = max(count * 5, 1024)
    while True:
        out = _TOKEN.findall(markdown(size, seed=seed))
        if len(out) >= count:
            return out[:count]
        size *= 2


def chunk_deltas(text: str, chars: int) -> list[str]:
    """``text`` cut into deltas of about ``chars`` characters, at token boundaries.

    What a server that batches a few tokens per SSE event sends.
    """
    out: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        current += token
        if len(current) >= chars:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
