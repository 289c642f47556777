"""What the framework Re-run tests check of a run (``tests/frameworks/test_rerun_*.py``): a re-run
with edited arguments recorded under its call, a refused one recorded with the framework's
error, a re-run asked by the widget's message, Copy as code run as a notebook cell would run
it, and a run whose tools nbagent cannot reach."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

import nbagent
from nbagent.frameworks.rerun import ToolCallError
from tests import aio
from tests.wait import wait_for


def rerun_ok(run: nbagent.Run, i: int, **edits: Any) -> dict[str, Any]:
    """Re-run call ``i`` with ``edits``: its result, recorded under the call."""
    call = run.transcript.tool_calls[i]
    before = len(call.reruns)
    result = run.rerun_tool(i, **edits)
    assert len(call.reruns) == before + 1
    record = call.reruns[-1]
    assert (record["state"], record["is_error"]) == ("done", False), record
    assert record["args"] == {**call.args, **edits}
    assert record["result"] == result
    return record


def rerun_refused(run: nbagent.Run, i: int, error_type: str, **edits: Any) -> dict[str, Any]:
    """Re-run call ``i`` with arguments the framework refuses: its error, recorded under the
    call (the run itself is as it was)."""
    call = run.transcript.tool_calls[i]
    status = run.status
    with pytest.raises(ToolCallError) as failed:
        run.rerun_tool(i, **edits)
    record = call.reruns[-1]
    assert (record["state"], record["is_error"]) == ("error", True), record
    assert failed.value.outcome.error_type == error_type
    assert record["result"].startswith(f"{error_type}: "), record["result"]
    assert run.status == status
    return record


def rerun_from_view(run: nbagent.Run, i: int, args: dict[str, Any]) -> dict[str, Any]:
    """The Re-run button's message (``{"type": "rerun", "id", "args"}``), as the widget sends
    it: the re-run once it has finished."""
    call = run.transcript.tool_calls[i]
    before = len(call.reruns)
    run.handle_message({"type": "rerun", "id": call.id, "args": args})

    def finished() -> bool:
        return len(call.reruns) > before and call.reruns[-1]["state"] != "running"

    wait_for(finished, what="the widget's re-run to finish")
    return call.reruns[-1]


def copied(call: nbagent.ToolCall, args: dict[str, Any]) -> str:
    """Copy as code of ``call`` with ``args``, filled as js/src/panels/rerun.js ``pyCall`` does (for
    names that are identifiers and values whose ``repr`` is their Python literal)."""
    template = call.call_as or f"{call.name}({{args}})"
    return template.replace("{args}", ", ".join(f"{k}={v!r}" for k, v in args.items()), 1)


def run_copied(code: str, scope: dict[str, Any]) -> Any:
    """Run copied code as a notebook cell runs it (top-level ``await`` allowed) with the
    user's objects in ``scope``: the value of its last statement."""
    *before, last = code.split("; ")
    source = "; ".join([*before, f"_copied = {last}"])
    compiled = compile(source, "<copied>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    pending = eval(compiled, scope)  # the code under test: what the kernel wrote
    if inspect.iscoroutine(pending):
        aio.run(pending)
    return scope["_copied"]


def unreachable(run: nbagent.Run, why: str) -> None:
    """Every call of ``run`` says ``why`` nbagent cannot reach its tool: no Re-run, and
    ``rerun_tool`` says so."""
    assert run.reruns is None
    assert run.no_rerun == why
    assert run.transcript.tool_calls
    for i, _ in enumerate(run.transcript.tool_calls):
        with pytest.raises(RuntimeError, match=r"cannot reach this tool \(") as refused:
            run.rerun_tool(i)
        assert str(refused.value) == f"Re-run: nbagent cannot reach this tool ({why})"
