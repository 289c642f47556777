"""Every id an adapter makes is made by the kit's ``Ids`` (nbagent/adapters/kit/ids.py): no
adapter builds one of its own. Read with the parser: an f-string of an id's shape (no space in
its text) is an id built by hand, unless it names something else (an event's name or type, an
error's kind, a rendered text) -- those are listed below, each with what it is."""

from __future__ import annotations

import ast
from pathlib import Path

from nbagent.adapters.chunk_sse import ChunkSseAdapter
from nbagent.adapters.text import TextAdapter

ADAPTERS = Path(__file__).resolve().parents[1] / "nbagent" / "adapters"

NOT_IDS = {
    # the keyword an f-string is given as, where it is never an id
    "keywords": {"name", "error_type", "text", "message", "detail"},
    # file -> f-strings (their source) that are no id, each with what it is
    "sources": {
        "openai_assistants/maps.py": {
            'f"thread.run.{s}"': "an event type",
            'f"thread.run.step.{s}"': "an event type",
            'f"thread.message.{s}"': "an event type",
        },
        "openai_agents/items.py": {
            "f\"{field(raw, 'server_label') or 'mcp'}.{field(raw, 'name') or '?'}\"": "a tool name"
        },
        "pydantic_ai/adapter.py": {'f"{_TAKES}"': "part of an error's text"},
        "acp/content.py": {
            'f"[{name}]({uri})"': "a rendered link",
            'f"[{name}]"': "a rendered name",
            'f"{path}:{line}"': "a rendered location",
        },
        "vercel_ui/adapter.py": {'f"v4.{code}"': "a part type"},
        "claude_agent/adapter.py": {"f\"task_{field(data, 'status')}\"": "a status state"},
        "langchain/graph_interrupts.py": {
            'f"allow_{kind}"': "a config key",
            'f"{other}"': "part of a code text",
        },
        # Left to the adapters' parts manager (rewritten with it): keys of parts no event names.
        "pydantic_ai/parts.py": {'f"{step.id}:{index}"': "a part's key, never sent"},
        "anthropic/blocks.py": {'f"{self.ids.scope}:{index}"': "a block's placeholder"},
        # An activity's key (the ACP plan a snapshot replaces), not a message's or call's id.
        "acp/plans.py": {'f"acp:plan:{plan_id}"': "a plan activity's key"},
        "acp/notes.py": {'f"acp:compaction:{compaction_id}"': "a note's key"},
        "ag_ui/resume.py": {'f"{where}.{name}"': "a JSON path in an error's text"},
    },
}

FALLBACKS = {
    # file -> an id-named variable given a literal where the wire has none, each with what it is
    "a2a/adapter.py": {
        "artifact_id = str_or_none(artifact.get('artifactId')) or 'artifact'": "an artifact's key",
        "artifact_id = wire_id or 'artifact'": "an artifact's key",
    },
    "acp/content.py": {
        "terminal_id = str_or_none(piece.get('terminalId')) or 'unknown'": "a rendered name",
    },
    "litellm.py": {
        "call_id = str_or_none(data.get('call_id')) or record.root or 'call'": "a hook's call key",
    },
    "openai_agents/adapter.py": {
        "call_id = agent_name(field(payload, 'agent')) or 'agent_tool'": "a nested run's key",
    },
}
"""Literal ids put where the wire gives none (``x_id = wire or "literal"``, ``x_id =
"literal"``); an empty one is no id. An id a run's events carry is made by ``Ids`` instead."""


def _literal(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and bool(value.value)
    return isinstance(value, ast.BoolOp) and _literal(value.values[-1])


def _literal_fallbacks() -> list[str]:
    found = []
    for path in sorted(ADAPTERS.rglob("*.py")):
        rel = path.relative_to(ADAPTERS).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            named = any(isinstance(t, ast.Name) and t.id.endswith("_id") for t in targets)
            if named and _literal(value) and ast.unparse(node) not in FALLBACKS.get(rel, {}):
                found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
    return found


def _hand_made_ids() -> list[str]:
    found = []
    for path in sorted(ADAPTERS.rglob("*.py")):
        rel = path.relative_to(ADAPTERS).as_posix()
        if rel == "kit/ids.py":
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        skipped = {
            id(kw.value)
            for kw in ast.walk(tree)
            if isinstance(kw, ast.keyword) and kw.arg in NOT_IDS["keywords"]
        }
        allowed = NOT_IDS["sources"].get(rel, {})
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr) or id(node) in skipped:
                continue
            text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
            if any(c.isspace() for c in text):
                continue  # prose, not an id
            segment = ast.get_source_segment(source, node) or ""
            if segment not in allowed:
                found.append(f"{rel}:{node.lineno}: {segment}")
    return found


def test_no_adapter_builds_an_id_by_hand() -> None:
    assert _hand_made_ids() == []


def test_no_adapter_puts_a_literal_id_where_the_wire_gives_none() -> None:
    assert _literal_fallbacks() == []


def test_the_one_message_of_text_and_chunk_sse_is_named_by_ids() -> None:
    assert [e.message_id for e in TextAdapter().feed("hi")] == ["run:text1"]
    assert [e.message_id for e in ChunkSseAdapter().feed({"chunk": "hi"})] == ["run:text1"]
