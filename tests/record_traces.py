"""Make the trace files of ``tests/fixtures/traces/``: runs recorded by the real tools, offline.

Each format is a small agent run (a prompt, tool calls with one that fails, a sub-agent, the
answer, usage; thinking where the format records it) written by the tool that owns the format,
against a model on 127.0.0.1: the real small model of ``../shared/real-model`` (llama.cpp's
OpenAI-compatible server, started for the run) where an OpenAI client is traced, a scripted
server of the model API each coding agent's CLI speaks otherwise (``tests/trace_recording/``).
``tests/fixtures/traces/README.md`` says what wrote each file and how.

    .venv/bin/python -m tests.record_traces                      # every format
    .venv/bin/python -m tests.record_traces claude-code codex    # some

Formats: ``otlp-genai`` (opentelemetry-instrumentation-openai-v2), ``otlp-openinference``
(openinference-instrumentation-openai), ``langsmith`` (the langsmith SDK): the real model;
``claude-code``, ``codex``, ``gemini-cli``: the CLIs installed by npm in
``tests/trace_agents/<name>/`` (``npm ci`` there). Langfuse's files are public examples, copied
once (the README names their source); nothing re-makes them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRACES = REPO / "tests" / "fixtures" / "traces"
MODEL_FORMATS = ("otlp-genai", "otlp-openinference", "langsmith")
CLI_FORMATS = ("claude-code", "codex", "gemini-cli")
FORMATS = MODEL_FORMATS + CLI_FORMATS


def _with_model(name: str, base_url: str) -> list[Path]:
    from tests.trace_recording import langsmith_run, otel_runs

    out = TRACES / name
    if name == "langsmith":
        return langsmith_run.record(out, base_url)
    return otel_runs.record(name.removeprefix("otlp-"), out, base_url)


def _cli(name: str) -> list[Path]:
    from tests.trace_recording import claude_code, codex, gemini_cli

    modules: dict[str, Callable[[Path], list[Path]]] = {
        "claude-code": claude_code.record,
        "codex": codex.record,
        "gemini-cli": gemini_cli.record,
    }
    return modules[name](TRACES / name)


def main(argv: list[str]) -> int:
    names = argv or list(FORMATS)
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        print(f"unknown format(s) {unknown}; formats: {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    written: list[Path] = []
    for name in (n for n in names if n in CLI_FORMATS):
        print(f"\n--- {name}")
        written += _cli(name)
    wanted = [n for n in names if n in MODEL_FORMATS]
    if wanted:
        from tests.real_model import server

        model = server.start()
        try:
            for name in wanted:
                print(f"\n--- {name} (the real model at {model.base_url})")
                written += _with_model(name, model.base_url)
        finally:
            model.stop()
    print("\nwritten:")
    for path in written:
        print(f"  {path.relative_to(REPO)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
