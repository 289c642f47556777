"""The real-model lane: nbagent against a real small model on a real OpenAI-compatible server
(``make test-real-model``; docs/develop/testing.md, "The real-model lane").

The server is llama-cpp-python's, serving SmolLM2-135M-Instruct, started once per session by
``../shared/real-model/serve.sh`` (``server.py``) and stopped at the end. Every test here is
marked ``real_model``: the other lanes leave them out. Without the prebuilt wheel in
``../shared/real-model/`` they skip, saying why. A failing test's report carries the tail of
each server's log. A 135M model says fluent nonsense: the tests assert structure (the text
shown is the text the wire carried; a forced tool call ran with its parsed arguments), never
what the model says.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.real_model import server
from tests.real_model.server import ModelServer

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.real_model)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and _HERE in Path(item.path).parents:
        for s in server.STARTED:
            report.sections.append((f"model server :{s.port} log (tail)", s.log_tail()))
    return report


def started() -> ModelServer:
    """A new server, or the test skipped (no wheel) or failed (it would not start)."""
    why = server.missing()
    if why is not None:
        pytest.skip(f"the real-model lane needs the prebuilt server: {why}")
    try:
        return server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def model() -> Iterator[ModelServer]:
    """The session's server: the real model on 127.0.0.1."""
    s = started()
    yield s
    s.stop()


@pytest.fixture
def spare_model() -> Iterator[ModelServer]:
    """A server of the test's own, which it may kill; stopped after it if still running."""
    s = started()
    yield s
    s.stop()
