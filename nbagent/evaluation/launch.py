"""``nbagent.evaluate()``: an evaluation made from a task, a dataset and scorers, started,
and returned at once (``nbagent.evaluation.evaluation``)."""

from __future__ import annotations

import weakref
from typing import Any

from nbagent.core import threads
from nbagent.evaluation.acp_task import acp_performer, is_acp_agent
from nbagent.evaluation.cases import cases_from, is_pydantic_dataset
from nbagent.evaluation.evaluation import Evaluation
from nbagent.evaluation.progress import Progress
from nbagent.evaluation.schedule import Engine
from nbagent.evaluation.scoring import scorers_of
from nbagent.evaluation.tasks import Performer, performer
from nbagent.runtime.kernel import in_notebook

__all__ = ["evaluate"]


def evaluate(
    task: Any,
    dataset: Any,
    scorers: Any = (),
    *,
    concurrency: int = 8,
    max_cost_usd: float | None = None,
    repeat: int = 1,
    title: str | None = None,
    baseline: Evaluation | None = None,
    progress: bool | None = None,
    display: bool | None = None,
    executor: str | None = None,
    ray_options: dict[str, Any] | None = None,
) -> Evaluation:
    """Run ``task`` on every case of ``dataset``, score each, and return the
    :class:`Evaluation` at once (``await ev`` or ``ev.wait()`` for the end)::

        ev = nbagent.evaluate(agent, dataset, scorers=[exact, judge], concurrency=8)
        await ev
        df = ev.to_pandas()              # one row per case

    ``task``: an ``nbagent.Agent``; an ACP agent (``nbagent.acp(...)``: each case in a new
    session of its own, closed after it where the agent can, up to ``concurrency`` at once;
    its permission requests rejected once since nobody is there to answer them); a
    pydantic-ai or Agents SDK ``Agent``, a LangGraph graph or a LlamaIndex agent (run as
    ``show()`` reads them); or a function ``fn(input)`` (sync: on a thread; async) returning
    a source nbagent shows, a ``Run``, or a plain value: it runs inside ``watch()``, so the
    calls it makes are its case's run.
    Each case's run is an ordinary run (``ev.cases[i].run``), displayed on its own nowhere.

    ``dataset``: a list of inputs (str or dict), of case dicts ``{"input", "expected",
    "metadata", "name"}``, a pandas DataFrame with those columns, a JSONL file's path, or a
    ``pydantic_evals.Dataset`` (run by pydantic-evals itself, its evaluators included:
    ``ev.report`` is its ``EvaluationReport``; the ``evals`` extra).

    ``scorers``: functions ``(case, transcript) -> bool | float | str | dict`` (``case`` as
    the dataset gave it; a dict for a bare input; a third parameter gets the output), sync
    or async, and pydantic-evals evaluators. A column per scorer (its name), per key of a
    dict result; a scorer that raises leaves its score None (``score_errors`` says why).

    ``concurrency``: cases running at once. ``max_cost_usd``: no case starts once the
    cases cost that much (the running ones finish). ``repeat``: each case so many times.
    ``baseline``: an earlier evaluation to compare with (``ev.deltas``, ``ev.changes``).
    ``progress``: print a progress line and a summary (default: outside a notebook).
    ``display``: show the evaluation's widget below the cell (default: in a notebook); a
    row opens its case's run, live while it runs.

    ``executor``: None runs the cases in this kernel; ``"ray"`` runs each as a Ray task (the
    Ray initialised in this process, else ``ray.init()``), or a Ray address (``"auto"``,
    ``"ray://head:10001"``) for ``ray.init(address)``: the tools and model calls run on the
    workers, the events come back in batches and fold here, the table the same
    (``nbagent.evaluation.ray_cases``; the ``ray`` extra). Not for ACP agents or a
    pydantic-evals dataset. A task that cannot be pickled raises ``TypeError`` here.
    ``ray_options``: each case's Ray task options (``.options()``: ``num_cpus``, ``num_gpus``,
    ``resources``, ``memory``, ``runtime_env``); default ``{"num_cpus": 0}``: a case mostly
    waits on its model, so ``concurrency`` cases are in flight however few CPUs the cluster
    has; ``{"num_cpus": 1}`` for tools that use a CPU each (then at most one case per CPU).
    """
    scorer_list = scorers_of(scorers)
    pydantic = is_pydantic_dataset(dataset)
    if pydantic:
        from nbagent.evaluation.pydantic_evals import cases_of_dataset, run_dataset

        cases = cases_of_dataset(dataset, repeat)
    else:
        cases = cases_from(dataset, repeat)
    name = title or (str(getattr(dataset, "name", None) or "") if pydantic else "") or "evaluation"
    acp = is_acp_agent(task)
    if executor is None and ray_options is not None:
        raise ValueError("ray_options= goes with executor='ray' (or a Ray address)")
    pool = threads.executor(concurrency, "nbagent-eval")  # in place without threads
    if executor is not None:
        if acp:
            raise ValueError(
                "executor= takes no ACP agent: its sessions are subprocesses of this kernel "
                "(run it without executor=)"
            )
        if pydantic:
            raise ValueError(
                "executor= takes no pydantic_evals.Dataset (pydantic-evals runs its own cases); "
                "for Ray, give its cases as dicts and its evaluators as scorers: "
                "[{'input': c.inputs, 'expected': c.expected_output, 'name': c.name} for c in "
                "ds.cases], scorers=ds.evaluators"
            )
        from nbagent.evaluation.ray_cases import RayPerformer

        perform: Performer = RayPerformer(task, executor, ray_options)
    else:
        perform = acp_performer(task, pool) if acp else performer(task, pool)
    engine = Engine(
        cases,
        perform,
        scorer_list,
        executor=pool,
        concurrency=concurrency,
        max_cost_usd=max_cost_usd,
        title=name,
    )
    ev = Evaluation(cases, title=name, engine=engine, baseline=baseline)
    if progress if progress is not None else not in_notebook():
        printer = Progress(name, cases, engine.cost_usd)
        ev.on_change(printer.update)
        ev.on_done(lambda: printer.finish(ev.summary()))
    # Not at the end: Re-run case may need the threads again.
    weakref.finalize(ev, pool.shutdown, wait=False, cancel_futures=True)
    if display if display is not None else in_notebook():
        ev.show()

    async def main() -> Any:
        if pydantic:
            return await run_dataset(dataset, engine, name, repeat)
        await engine.run()
        return None

    ev._start(main)
    return ev
