"""In-process ingest rate: deltas through the whole kernel-side path, with no kernel.

Each round feeds N items through ``iter_events`` (adapter → normalizer) → ``Transcript``
→ ``Controller`` coalescing, as a ``Run`` does, with the comm replaced by a counter; the
``normalizer+reducer`` case folds N decoded text deltas through those two alone.
The timing itself is pytest-benchmark's (``benchmarks/test_inprocess.py``); ``run()``
starts it in a subprocess and turns its JSON into deltas per second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.corpus import token_deltas
from nbagent.core.events import Event
from nbagent.pipeline.normalize import Normalizer
from nbagent.pipeline.stream import iter_events
from nbagent.runtime.controller import Controller
from nbagent.transcript.transcript import Transcript

ROOT = Path(__file__).resolve().parents[1]


def openai_chunks(deltas: list[str]) -> list[dict[str, Any]]:
    """The Chat Completions chunks (decoded JSON) an OpenAI server sends for ``deltas``."""
    head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1}
    head |= {"model": "gpt-4o-mini"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": d}) for d in deltas]
    chunks.append(chunk({}, "stop"))
    usage = {"prompt_tokens": 12, "completion_tokens": len(deltas)}
    chunks.append({**head, "choices": [], "usage": usage | {"total_tokens": 12 + len(deltas)}})
    return chunks


def ingest(items: list[Any], fmt: str = "auto") -> tuple[Transcript, int]:
    """Feed ``items`` through the kernel-side path; the transcript and messages "sent"."""
    sent = 0

    def send(_message: dict[str, Any]) -> None:
        nonlocal sent
        sent += 1

    controller = Controller(send, throttle_ms=50)
    transcript = Transcript()
    for ev in iter_events(items, format=fmt):
        controller.push(transcript.apply(ev))
    controller.close()
    return transcript, sent


def fold(events: list[Event]) -> Transcript:
    """The normalizer and the reducer alone: ``events`` stamped and folded."""
    normalizer, transcript = Normalizer(), Transcript()
    for ev in events:
        for out in normalizer.feed(ev):
            transcript.apply(out)
    return transcript


CASES = {"str": lambda n: token_deltas(n), "openai-chat": lambda n: openai_chunks(token_deltas(n))}
"""Item builders per case: N deltas as the items a source yields."""


def run(quick: bool = False) -> dict[str, Any]:
    """Run ``test_inprocess.py`` under pytest-benchmark; deltas/s per case."""
    deltas = 20_000 if quick else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [
            sys.executable, "-m", "pytest", str(ROOT / "benchmarks" / "test_inprocess.py"),
            "-q", "-p", "no:cacheprovider", "--benchmark-only", f"--benchmark-json={out}",
            "--benchmark-disable-gc",
        ]  # fmt: skip
        env = {"NBAGENT_BENCH_DELTAS": str(deltas), "NBAGENT_BENCH_ROUNDS": "3" if quick else "7"}
        subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, **env}, capture_output=True)
        stats = json.loads(out.read_text())
    cases = {}
    for bench in stats["benchmarks"]:
        case = bench["params"]["case"]
        median = bench["stats"]["median"]
        cases[case] = {
            "deltas": deltas,
            "median_s": median,
            "min_s": bench["stats"]["min"],
            "deltas_per_s": deltas / median,
            "us_per_delta": median / deltas * 1e6,
            "rounds": bench["stats"]["rounds"],
        }
    return {"deltas": deltas, "cases": cases}


def report(result: dict[str, Any]) -> list[str]:
    lines = [f"{'case':18} {'deltas':>9} {'median s':>9} {'deltas/s':>11} {'µs/delta':>9}"]
    for case, r in result["cases"].items():
        lines.append(
            f"{case:18} {r['deltas']:>9,} {r['median_s']:>9.3f} {r['deltas_per_s']:>11,.0f} "
            f"{r['us_per_delta']:>9.2f}"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(report(run("--quick" in sys.argv))))
