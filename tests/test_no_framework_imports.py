"""nbagent imports no framework: detection reads a library's objects by their type's module and
name, so that importing nbagent (and reading any stream) costs nothing a user did not import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = (
    "agents",
    "pydantic_ai",
    "langgraph",
    "langchain_core",
    "litellm",
    "google.genai",
    "ollama",
    "claude_agent_sdk",
    "anthropic",
    "llama_index",
    "workflows",
    "smolagents",
    "mistralai",
    "botocore",
    "ag_ui",
    "a2a",
    "openai",
    "google.protobuf",
    "opentelemetry",
)

SCRIPT = """
import json, sys
import nbagent
from nbagent.adapters import DETECTION_ORDER, detect_format
# every adapter asked about items of other formats, then a whole run of each kind of item
items = [{"choices": [{"delta": {"content": "hi"}}]}, {"type": "message_start"}, "data: {}",
         {"event_kind": "part_start"}, ("messages", {}), {"messageStart": {}}, object(), 3]
for item in items:
    for cls in DETECTION_ORDER:
        try:
            cls.detect(item)
        except Exception:
            pass
list(nbagent.iter_events(["a", "b"]))
list(nbagent.iter_events([{"choices": [{"delta": {"content": "hi"}, "index": 0}]}]))
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_and_detecting_imports_no_framework() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert sorted(m for m in FRAMEWORKS if m in loaded) == []
