"""A LangSmith run tree, made by the real ``langsmith`` SDK and captured as it posts its runs.

The agent of ``agent_loop`` (the real small model behind it) is traced by the SDK: the agent
and the sub-agent as ``chain`` runs and each tool as a ``tool`` run (``langsmith.trace``, the
context manager ``@traceable`` is built on), the model calls by ``langsmith.wrappers.wrap_openai``
(``llm`` runs). The SDK's client sends them to ``LANGSMITH_ENDPOINT``'s API on a local
``ScriptedAPI``: its ``/info`` says to use the JSON batch endpoint (``use_multipart_endpoint``
false), so the runs arrive as ``POST /runs/batch`` bodies (``{"post": [...], "patch": [...]}``).

Written: ``runs.json``, the list of runs (each run's post with its patch applied, in the order
the SDK first posted them: flat, linked by ``parent_run_id``, ``trace_id``, ``dotted_order``),
``batches.json`` (the request bodies as they came), and ``run_tree.json``: the nested form,
the top run with its ``child_runs``, as the SDK's ``Client.read_run(id, load_child_runs=True)``
builds it (its own ``Run`` model and nesting code) from a second local server that answers
``GET /runs/{id}`` and ``POST /runs/query`` with the runs captured (``RunTree`` itself leaves
``child_runs`` out of its dumps).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openai

from tests.trace_recording import agent_loop
from tests.trace_recording.agent_loop import MODEL, SCHEMAS, AgentSpan
from tests.trace_recording.scripted_api import Answer, ScriptedAPI

PROJECT = "nbagent-trace-fixtures"
INFO = {
    "version": "scripted",
    "batch_ingest_config": {
        "use_multipart_endpoint": False,
        "size_limit": 100,
        "size_limit_bytes": 20_971_520,
        "scale_up_nthreads_limit": 16,
        "scale_up_qsize_trigger": 1000,
        "scale_down_nempty_trigger": 4,
    },
    "instance_flags": {},
}


def brain(request: dict[str, Any]) -> Answer:
    path = request["path"].split("?")[0]
    if path.endswith("/info"):
        return Answer(json=INFO)
    if path.endswith(("/runs/batch", "/runs/multipart", "/runs")):
        return Answer(status=202, json={})
    return Answer(status=404, json={"detail": f"no {path} here"})


class _ToolResult:
    def __init__(self, run: Any) -> None:
        self.run = run

    def set_result(self, value: Any) -> None:
        self.run.end(outputs=value if isinstance(value, dict) else {"output": value})


class LangSmithTracing:
    """Agents as ``chain`` runs, tools as ``tool`` runs (``langsmith.trace``)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.top: Any = None

    @contextmanager
    def agent(self, name: str, prompt: str, system: str) -> Iterator[AgentSpan]:
        import langsmith

        with langsmith.trace(
            name,
            run_type="chain",
            inputs={"prompt": prompt, "system": system},
            project_name=PROJECT,
            client=self.client,
            metadata={"ls_model_name": MODEL},
        ) as run:
            if self.top is None:
                self.top = run
            span = AgentSpan()
            yield span
            usage = {"input_tokens": span.input_tokens, "output_tokens": span.output_tokens}
            run.end(outputs={"answer": span.answer, "usage": usage})

    @contextmanager
    def tool(self, name: str, call_id: str, arguments: dict[str, Any]) -> Iterator[_ToolResult]:
        import langsmith

        with langsmith.trace(
            name,
            run_type="tool",
            inputs=arguments,
            project_name=PROJECT,
            client=self.client,
            metadata={"tool_call_id": call_id, "description": SCHEMAS[name]["description"]},
        ) as run:
            yield _ToolResult(run)


def _merge(batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs of the batches: each post, its patches applied, in the order first posted."""
    runs: dict[str, dict[str, Any]] = {}
    for batch in batches:
        for run in batch.get("post") or []:
            runs.setdefault(run["id"], {}).update(run)
        for patch in batch.get("patch") or []:
            runs.setdefault(patch["id"], {}).update(patch)
    return list(runs.values())


def _store(runs: list[dict[str, Any]]) -> Any:
    """A brain that serves ``runs`` back as LangSmith's API reads them."""
    by_id = {run["id"]: run for run in runs}

    def brain(request: dict[str, Any]) -> Answer:
        path = request["path"].split("?")[0]
        if path.endswith("/info"):
            return Answer(json=INFO)
        if path.endswith("/runs/query"):
            query = request["body"] if isinstance(request["body"], dict) else {}
            trace = str(query.get("trace") or query.get("trace_id") or "")
            found = [
                r
                for r in runs
                if (not trace or r["trace_id"] == trace)
                and (query.get("is_root") is not False or r.get("parent_run_id"))
            ]
            return Answer(json={"runs": found, "cursors": {"next": None}})
        run = by_id.get(path.rsplit("/", 1)[-1])
        return Answer(json=run) if run else Answer(status=404, json={"detail": f"no {path} here"})

    return brain


def _nested(runs: list[dict[str, Any]], top_id: str) -> Any:
    """The top run with its ``child_runs``, read back through the SDK's ``read_run``."""
    import langsmith

    with ScriptedAPI(_store(runs), pace=0) as api:
        reader = langsmith.Client(api_url=api.base_url, api_key="lsv2_scripted_no_such_key")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            run = reader.read_run(top_id, load_child_runs=True)
        queries = [r["body"] for r in api.requests if r["path"].endswith("/runs/query")]
    print(f"langsmith: read_run asked /runs/query with {queries}")
    return json.loads(run.json() if hasattr(run, "json") else run.model_dump_json())


def record(out_dir: Path, base_url: str) -> list[Path]:
    """Run the agent against the model at ``base_url``, traced by LangSmith's SDK; the files
    written."""
    import langsmith
    from langsmith.wrappers import wrap_openai

    out_dir.mkdir(parents=True, exist_ok=True)
    with ScriptedAPI(brain, pace=0) as api:
        client = langsmith.Client(api_url=api.base_url, api_key="lsv2_scripted_no_such_key")
        tracing = LangSmithTracing(client)
        model = wrap_openai(openai.OpenAI(base_url=base_url, api_key="local-model"))
        with langsmith.tracing_context(enabled=True, client=client, project_name=PROJECT):
            answer = agent_loop.run(model, tracing, flush=lambda: None)
        client.flush()
        batches = [
            r["body"] for r in api.requests if r["path"].split("?")[0].endswith("/runs/batch")
        ]
        others = sorted({r["path"] for r in api.requests} - {"/runs/batch"})
    print(f"langsmith: {len(batches)} batches (other requests: {others}); the answer: {answer!r}")
    runs = _merge(batches)
    files = {
        "runs.json": runs,
        "batches.json": batches,
        "run_tree.json": _nested(runs, str(tracing.top.id)),
    }
    for name, data in files.items():
        (out_dir / name).write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return [out_dir / name for name in files]
