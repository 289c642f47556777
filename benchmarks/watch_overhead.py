"""What ``nbagent.watch()`` adds to the calls it watches, against LangChain's own way to see
them (``collect_runs``, its run collector) and against nothing.

    .venv/bin/python -m benchmarks.watch_overhead [--calls N] [--tokens N]

Two cases on LangChain's own ``GenericFakeChatModel`` (no network, no model time, so what is
measured is the hooks): ``invoke`` calls (whole messages: one callback pair each), and one
``stream`` of N tokens (a callback per token). The watch's run prints to a null stream (plain
Python: its terminal printer), so the figures are the hook, the feed, the fold and the printer;
in a kernel the widget's flushes replace the printer (one message per ``throttle_ms``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import GenericFakeChatModel
from langchain_core.tracers.context import collect_runs

import nbagent


def _model(messages: Iterator[str]) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=messages)


def _timed(body: Callable[[], None]) -> float:
    start = time.perf_counter()
    body()
    return time.perf_counter() - start


def invoke_case(calls: int) -> dict[str, float]:
    """µs per ``invoke`` (a 40-word answer), bare, under ``collect_runs``, under ``watch``."""
    answer = " ".join(f"word{i}" for i in range(40))

    def run(wrap: Callable[[], Any]) -> float:
        model = _model(iter([answer] * calls))
        with wrap():
            return _timed(lambda: [model.invoke("hi") for _ in range(calls)]) / calls * 1e6

    with contextlib.redirect_stdout(io.StringIO()):
        return {
            "bare": run(contextlib.nullcontext),
            "collect_runs": run(collect_runs),
            "nbagent.watch": run(nbagent.watch),
        }


def stream_case(tokens: int) -> dict[str, float]:
    """µs per token of one ``model.stream`` of ``tokens`` words, as above."""
    answer = " ".join(f"w{i}" for i in range(tokens))

    def run(wrap: Callable[[], Any]) -> float:
        model = _model(iter([answer]))
        with wrap():
            return _timed(lambda: [None for _ in model.stream("hi")]) / tokens * 1e6

    with contextlib.redirect_stdout(io.StringIO()):
        return {
            "bare": run(contextlib.nullcontext),
            "collect_runs": run(collect_runs),
            "nbagent.watch": run(nbagent.watch),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--tokens", type=int, default=5000)
    args = parser.parse_args()
    invoke_case(20)  # imports and first-call costs out of the way
    rows = [
        (f"invoke, µs per call ({args.calls} calls)", invoke_case(args.calls)),
        (f"stream, µs per token ({args.tokens} tokens)", stream_case(args.tokens)),
    ]
    print(f"{'case':<36}{'bare':>10}{'collect_runs':>14}{'nbagent.watch':>15}{'watch-bare':>12}")
    for name, r in rows:
        extra = r["nbagent.watch"] - r["bare"]
        print(
            f"{name:<36}{r['bare']:>10.1f}{r['collect_runs']:>14.1f}"
            f"{r['nbagent.watch']:>15.1f}{extra:>12.1f}"
        )


if __name__ == "__main__":
    main()
