"""The server killed while it streams (a server of the test's own): the run ends ``error``,
the text that arrived is kept, the error is one line."""

from __future__ import annotations

import signal
from typing import Any

import openai

import nbagent
from tests.real_model.server import CALL_BUDGET_S, END_TOKENS, MODEL, ModelServer
from tests.wait import PATIENCE, wait_for


def test_a_server_killed_mid_stream_ends_the_run_keeping_its_text(
    spare_model: ModelServer,
) -> None:
    client = openai.OpenAI(base_url=spare_model.base_url, api_key="none", max_retries=0)
    messages: Any = [{"role": "user", "content": "Tell me a long story about a lighthouse."}]
    stream = client.chat.completions.create(
        model=MODEL,
        messages=messages,
        stream=True,
        max_tokens=3000,  # about a minute here: the kill comes long before the end
        logit_bias=END_TOKENS,  # and the model cannot end it sooner
    )
    run = nbagent.show(stream)

    def arrived() -> str:
        with run.lock:
            return run.transcript.text

    before = wait_for(arrived, CALL_BUDGET_S, "the first text from the server")
    assert run.status == "running"
    spare_model.stop(signal.SIGKILL)
    t = run.wait(PATIENCE)
    assert t.status == "error"
    assert t.end_reason == "incomplete"  # the connection broke mid-stream
    assert t.text.startswith(before)
    assert t.error is not None
    message = t.error["message"]
    assert message
    assert "\n" not in message, message
