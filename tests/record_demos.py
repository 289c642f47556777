"""Make the demo recordings shipped in ``nbagent/demo/`` (``make recordings``).

Each recording is a real run of ``nbagent.Agent`` with the demo's Python tools
(``nbagent.demo.TOOLS``) against the scripted OpenAI-compatible server on 127.0.0.1
(``nbagent.demo.model.ScriptedModel``) that streams like a model: a pause before the first
token, then a token every 10-35 ms. Each demo has its own script (``nbagent.demo.scripts``,
which ``demo.connect()``'s scripted model follows too, for the same prompts); it reads the
conversation it is sent, tool results included, so its answers quote what the tools really
returned.
``run.save()`` writes the recording.

    .venv/bin/python -m tests.record_demos            # all three, paced (about a minute)
    .venv/bin/python -m tests.record_demos weather    # one

``record(name, path, paced=False)`` makes the same run with no pauses (the tests compare it
with the shipped file).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import openai

import nbagent
from nbagent import demo
from nbagent.demo.chunks import Reply, ReplyItem
from nbagent.demo.model import ScriptedModel
from nbagent.demo.scripts import SCRIPTS

REPO = Path(__file__).resolve().parents[1]
MODEL = "demo-model"


MODELS: dict[str, Callable[[Reply], list[ReplyItem]]] = SCRIPTS
"""Each demo's scripted model (``nbagent.demo.scripts``), by name."""


def record(name: str, path: Path, *, paced: bool = True) -> nbagent.Run:
    """Run the demo ``name`` against its scripted model and save the run to ``path``."""
    spec = demo.DEMOS[name]
    with ScriptedModel(MODELS[name], speed=1.0 if paced else 0, id_prefix="chatcmpl-demo") as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="scripted")
        agent = nbagent.Agent(
            MODEL, tools=demo.TOOLS, client=client, instructions=demo.INSTRUCTIONS
        )
        run = agent.run(spec.prompt, title=spec.title)
        run.wait(120)
    run.save(path)
    # Tracebacks name the tools' file: keep this checkout's location out of shipped data.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(str(REPO) + "/", ""), encoding="utf-8")
    return run


def main(argv: list[str]) -> int:
    names = argv or list(MODELS)
    for name in names:
        target = demo.recording(name)
        print(f"\n--- {name} → {target.relative_to(REPO)}")
        run = record(name, target)
        print(f"\n{run!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
