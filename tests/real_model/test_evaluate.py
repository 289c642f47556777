"""``nbagent.evaluate`` of an Agent over a dataset, four cases at once, against the real
server (which queues them: ``serve.sh`` passes ``--interrupt_requests False``)."""

from __future__ import annotations

from collections import Counter

import openai

import nbagent
from tests.real_model.server import CALL_BUDGET_S, MODEL, ModelServer

TOPICS = ["rain", "bread", "trains", "cats", "music", "rivers", "chess", "honey"]
TOO_LONG = "word " * 5000
"""A prompt past the server's context (``--n_ctx 4096``): refused with HTTP 400 at once."""


def test_every_case_ends_and_the_counts_by_status_are_right(model: ModelServer) -> None:
    client = openai.AsyncOpenAI(base_url=model.base_url, api_key="none", max_retries=0)
    agent = nbagent.Agent(MODEL, client=client, max_tokens=16)
    dataset = [{"name": t, "input": f"One sentence about {t}."} for t in TOPICS]
    dataset.append({"name": "too long", "input": TOO_LONG})
    ev = nbagent.evaluate(agent, dataset, concurrency=4, progress=False, display=False)
    ev.wait(9 * CALL_BUDGET_S)  # nine model calls, one at a time on the server
    assert ev.status == "ended"  # every case ended, not all completed
    by_name = {c.name: c for c in ev.cases}
    assert set(by_name) == {*TOPICS, "too long"}
    for topic in TOPICS:
        case = by_name[topic]
        assert case.status == "completed", case.error
        assert case.run is not None
        assert case.run.transcript.status == "completed"
        assert case.output == case.run.transcript.text
    refused = by_name["too long"]
    assert refused.status == "error"
    assert refused.run is not None
    assert refused.run.transcript.error is not None
    assert Counter(c.status for c in ev.cases) == {"completed": 8, "error": 1}
    assert ev.summary().startswith("9 cases (8 completed, 1 error)")
    assert len({id(c.run) for c in ev.cases}) == 9  # a run of its own per case
