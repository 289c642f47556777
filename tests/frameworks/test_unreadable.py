"""An object of a library nbagent reads, but not a stream item of it: the error names the
library, its version and what to pass."""

from __future__ import annotations

import importlib.metadata

import pytest

import nbagent
from nbagent.adapters import UnknownFormatError, detect_format
from tests.frameworks.conftest import need
from tests.wait import PATIENCE


def test_a_langchain_object_that_is_no_stream_item_is_named_with_its_version() -> None:
    documents = need("langchain_core.documents")
    item = documents.Document(page_content="a retrieved page")
    with pytest.raises(UnknownFormatError) as caught:
        detect_format(item)
    text = str(caught.value)
    version = importlib.metadata.version("langchain-core")
    assert f"langchain-core {version}" in text
    assert "Document" in text
    assert 'format="langgraph"' in text


def test_the_run_ends_with_that_error_when_shown() -> None:
    agents = need("agents")
    run = nbagent.show([agents.Agent(name="helper")])
    t = run.wait(PATIENCE)
    assert t.status == "error"
    version = importlib.metadata.version("openai-agents")
    assert f"openai-agents {version}" in (t.error or {}).get("message", "")
