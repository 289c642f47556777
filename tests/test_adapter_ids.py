"""Every id an adapter makes is made by the kit's ``Ids`` (nbagent/adapters/kit/ids.py): no
adapter builds one of its own. Read with the parser: an f-string of an id's shape (no space in
its text) is an id built by hand, unless it names something else (an event's name or type, an
error's kind, a rendered text) -- those are listed below, each with what it is."""

from __future__ import annotations

import ast
from pathlib import Path

from nbagent.adapters.a2a import A2aAdapter
from nbagent.adapters.acp.content import tool_content_text
from nbagent.adapters.chunk_sse import ChunkSseAdapter
from nbagent.adapters.kit.hook_record import HookRecord
from nbagent.adapters.litellm import LiteLLMAdapter
from nbagent.adapters.text import TextAdapter
from nbagent.core.events import MessageStart, StepEnd, StepStart, TextDelta

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
        "anthropic/blocks.py": {
            'f"{self.ids.scope}:{index}"': "a block's placeholder",
            'f"{self.ids.scope}:compaction{index}"': "a compaction note's key",
        },
        # An activity's key (the ACP plan a snapshot replaces), not a message's or call's id.
        "acp/plans.py": {'f"acp:plan:{plan_id}"': "a plan activity's key"},
        "acp/notes.py": {'f"acp:compaction:{compaction_id}"': "a note's key"},
        "ag_ui/resume.py": {'f"{where}.{name}"': "a JSON path in an error's text"},
        # The types of pictures and sounds (a format's name, a PCM sound's rate and channels).
        "kit/media.py": {'f"image/{fmt}"': "a mime type"},
        "openai_chat/audio.py": {'f"audio/{fmt}"': "a mime type"},
        "google_interactions/steps.py": {
            'f";rate={rate}"': "a mime type's parameter",
            'f";channels={channels}"': "a mime type's parameter",
        },
    },
}

FALLBACKS: dict[str, dict[str, str]] = {
    # file -> an id-named variable given a literal where the wire has none, each with what it is
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


# -- where the wire gives no id: one slot keyed by none, its ids made by Ids ------------------


def test_an_artifact_of_no_id_is_never_one_the_wire_named_artifact() -> None:
    """Chunks of an id-less artifact go to one message of ``Ids``'s, and never into the
    artifact whose wire id is ``"artifact"``."""
    adapter = A2aAdapter()
    task = {"kind": "task", "id": "t1", "status": {"state": "working"}}
    named = {"artifactId": "artifact", "parts": [{"kind": "text", "text": "A"}]}
    unnamed = {"parts": [{"kind": "text", "text": "B"}]}
    events = [
        *adapter.feed(task),
        *adapter.feed({"kind": "artifact-update", "taskId": "t1", "artifact": named}),
        *adapter.feed(
            {"kind": "artifact-update", "taskId": "t1", "artifact": unnamed, "append": True}
        ),
        *adapter.feed(
            {"kind": "artifact-update", "taskId": "t1", "artifact": unnamed, "append": True}
        ),
    ]
    deltas = [(e.message_id, e.delta) for e in events if isinstance(e, TextDelta)]
    assert deltas == [("artifact", "A"), ("t1:text1", "B"), ("t1:text1", "B")]
    assert [e.message_id for e in events if isinstance(e, MessageStart)] == ["artifact", "t1:text1"]


def test_a_terminal_of_no_id_shows_no_terminal_the_wire_named() -> None:
    output = {"unknown": "a terminal named unknown"}
    assert tool_content_text([{"type": "terminal"}], output) == "[terminal: unknown]"
    assert tool_content_text([{"type": "terminal", "terminalId": "unknown"}], output) == (
        "a terminal named unknown"
    )


def litellm(kind: str, data: dict[str, object]) -> HookRecord:
    return HookRecord("litellm", kind, {"model": "m", **data}, 1.0)


def test_a_litellm_call_of_no_id_is_a_step_of_the_run_retried_and_ended_once() -> None:
    """A call of no id (nor root) is a step ``Ids`` names; its retry a second step, and its
    success ends the retry's step only once (not again at the watch's end)."""
    adapter = LiteLLMAdapter()
    response = {"choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]}
    events = [
        *adapter.feed(litellm("pre_api_call", {})),
        *adapter.feed(litellm("pre_api_call", {})),
        *adapter.feed(litellm("success", {"response": response})),
        *adapter.end(),
    ]
    starts = [e.step_id for e in events if isinstance(e, StepStart)]
    ends = [(e.step_id, e.finish_reason) for e in events if isinstance(e, StepEnd)]
    assert starts == ["step1", "step2"]
    assert ends == [("step1", "incomplete"), ("step2", "completed")]
