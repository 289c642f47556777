"""An ACP agent's plans: the stable ``plan`` (the plan with no id) and the UNSTABLE
``plan_update`` (a plan by its ``planId``: items, markdown or a file's uri) and
``plan_removed``, through adapter → Normalizer → Transcript, with no process; the run's
``plan`` saved and read back, and drawn by the static copy."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.acp import AcpAdapter
from nbagent.core.events import Custom, State
from nbagent.pipeline.stream import Pipeline
from nbagent.transcript.export.plans import plan_html
from nbagent.transcript.export.static_html import to_html
from nbagent.transcript.transcript import Transcript
from nbagent.widget.chunks import mentions_acp
from tests.adapter_harness import transcript_of
from tests.frameworks.conftest import need

need("acp")  # the SDK's own objects: the frameworks extra (not the other Pythons' test-core)

from acp.schema import (  # noqa: E402 - after need()
    AgentPlanContentUpdate,
    AgentPlanRemovedUpdate,
    PlanEntry,
    PlanUpdateFile,
    PlanUpdateItems,
    PlanUpdateMarkdown,
    SessionNotification,
)

SESSION = "sess-1"
END = {"stopReason": "end_turn"}


def update(**fields: Any) -> dict[str, Any]:
    return {"sessionId": SESSION, "update": fields}


def entries(*statuses: str) -> list[dict[str, Any]]:
    return [
        {"content": f"step {n}", "priority": "medium", "status": s} for n, s in enumerate(statuses)
    ]


def items(plan_id: str, *statuses: str) -> dict[str, Any]:
    plan = {"type": "items", "planId": plan_id, "entries": entries(*statuses)}
    return update(sessionUpdate="plan_update", plan=plan)


def markdown(plan_id: str, content: str) -> dict[str, Any]:
    plan = {"type": "markdown", "planId": plan_id, "content": content}
    return update(sessionUpdate="plan_update", plan=plan)


def removed(plan_id: str) -> dict[str, Any]:
    return update(sessionUpdate="plan_removed", planId=plan_id)


def plan_of(items_: list[Any]) -> Any:
    transcript, _ = transcript_of(AcpAdapter(), items_)
    return transcript.to_dict().get("plan")


def test_the_sdks_plan_updates_are_snapshots_keyed_by_their_plan_id() -> None:
    def sent(u: Any) -> SessionNotification:
        return SessionNotification(session_id=SESSION, update=u)

    entry = PlanEntry(content="Read", priority="high", status="pending")
    wire = [
        sent(
            AgentPlanContentUpdate(
                session_update="plan_update",
                plan=PlanUpdateItems(type="items", plan_id="a", entries=[entry]),
            )
        ),
        sent(
            AgentPlanContentUpdate(
                session_update="plan_update",
                plan=PlanUpdateMarkdown(type="markdown", plan_id="b", content="# B"),
            )
        ),
        sent(
            AgentPlanContentUpdate(
                session_update="plan_update",
                plan=PlanUpdateFile(type="file", plan_id="c", uri="file:///w/PLAN.md"),
            )
        ),
        sent(AgentPlanRemovedUpdate(session_update="plan_removed", plan_id="b")),
        END,
    ]
    transcript, events = transcript_of(AcpAdapter(), wire)
    states = [e for e in events if isinstance(e, State)]
    assert [(s.op, s.activity_type, s.message_id) for s in states] == [
        ("activity_snapshot", "plan", f"acp:plan:{key}") for key in "abcb"
    ]
    assert [s.value for s in states] == [
        {
            "id": "a",
            "type": "items",
            "entries": [entry.model_dump(by_alias=True, exclude_none=True)],
        },
        {"id": "b", "type": "markdown", "content": "# B"},
        {"id": "c", "type": "file", "uri": "file:///w/PLAN.md"},
        {"id": "b", "removed": True},
    ]
    assert not [e for e in events if isinstance(e, Custom)]  # shown, no longer kept quiet
    plan = transcript.to_dict()["plan"]
    assert plan == {"entries": [], "plans": [states[0].value, states[2].value]}


def test_plans_keep_their_order_each_updated_in_place_beside_the_plan_with_no_id() -> None:
    plan = plan_of(
        [
            items("a", "pending", "pending"),
            markdown("b", "first"),
            update(sessionUpdate="plan", entries=entries("in_progress")),
            items("a", "completed", "in_progress"),  # in place: still first
            markdown("b", "second"),
            update(sessionUpdate="plan", entries=entries("completed")),
            END,  # the turn ended as the agent said: its step in progress stays so
        ]
    )
    assert plan["entries"] == entries("completed")  # the plan with no id, as before
    assert [(p["id"], p.get("content")) for p in plan["plans"]] == [("a", None), ("b", "second")]
    assert [e["status"] for e in plan["plans"][0]["entries"]] == ["completed", "in_progress"]


def test_a_removed_plan_is_gone_and_comes_back_last() -> None:
    plan = plan_of([items("a", "pending"), markdown("b", "b"), removed("a")])
    assert [p["id"] for p in plan["plans"]] == ["b"]
    plan = plan_of([items("a", "pending"), markdown("b", "b"), removed("a"), items("a", "pending")])
    assert [p["id"] for p in plan["plans"]] == ["b", "a"]
    gone = plan_of([markdown("b", "b"), removed("b")])
    assert gone == {"entries": []}  # once said, the plan stays in the state, empty
    assert plan_of([removed("ghost")]) is None  # nothing to remove: no plan at all


def test_an_update_naming_no_plan_is_kept_raw_not_shown() -> None:
    wire = [
        update(sessionUpdate="plan_update", plan={"type": "items", "entries": []}),
        update(sessionUpdate="plan_update", plan={"type": "pdf", "planId": "x", "uri": "u"}),
        update(sessionUpdate="plan_update", plan={"type": "markdown", "planId": "x"}),
        update(sessionUpdate="plan_removed"),
        END,
    ]
    transcript, events = transcript_of(AcpAdapter(), wire)
    customs = [e for e in events if isinstance(e, Custom)]
    assert [(c.name, c.is_raw) for c in customs] == [
        *[("acp.plan_update", True)] * 3,
        ("acp.plan_removed", True),
    ]
    assert "plan" not in transcript.to_dict()


def test_the_plans_are_saved_read_back_and_fold_on_after_reading() -> None:
    pipeline, transcript = Pipeline("acp"), Transcript()
    for item in [items("a", "pending"), markdown("b", "b")]:  # the run still going
        for ev in pipeline.feed(item):
            transcript.apply(ev)
    state = transcript.to_dict()
    assert mentions_acp(state)  # the browser needs the acp chunk to draw them
    restored = Transcript.from_dict(state)
    assert restored.to_dict() == state
    # A saved run's plans fold on: removing one that was saved works as before saving.
    restored.apply(
        State(
            op="activity_snapshot",
            activity_type="plan",
            message_id="acp:plan:a",
            value={"id": "a", "removed": True},
        )
    )
    assert [p["id"] for p in restored.to_dict()["plan"]["plans"]] == ["b"]


HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_the_static_copy_draws_every_plan_escaped_markdown_rendered_safe_links() -> None:
    plan = plan_of(
        [
            update(sessionUpdate="plan", entries=[{"content": "unnamed", "status": "completed"}]),
            items("a", "in_progress"),
            markdown("b", f"# Steps\n\n1. {HOSTILE}\n2. [go](javascript:alert(3))"),
            update(
                sessionUpdate="plan_update",
                plan={"type": "file", "planId": "c", "uri": 'https://x.test/p"><b>x'},
            ),
            update(
                sessionUpdate="plan_update",
                plan={"type": "file", "planId": "d", "uri": "javascript:alert(4)"},
            ),
            END,  # a turn the agent ended: its step in progress stays so
        ]
    )
    page = plan_html(plan)
    boxes = page.split('<div class="nba-plan">')[1:]
    assert len(boxes) == 5  # the one with no id first, then a, b, c, d
    assert "☑ unnamed" in boxes[0]
    assert "◐ step 0" in boxes[1]
    assert "<h1>Steps</h1>" in boxes[2]
    assert "&lt;script&gt;" in boxes[2]
    for tag in ("<script", "<img", "<b>", 'javascript:alert(3)"', 'href="javascript'):
        assert tag not in page
    link = '<a href="https://x.test/p&quot;&gt;&lt;b&gt;x" rel="noopener noreferrer nofollow"'
    assert f'{link} target="_blank">' in boxes[3]
    assert "<p>Plan file: javascript:alert(4)</p>" in boxes[4]
    assert plan_html({"entries": []}) == ""
    assert plan_html({"entries": [], "plans": [{"id": "x", "type": "items", "entries": []}]}) == ""


def test_the_static_copy_of_a_run_without_a_plan_pays_nothing_for_plans() -> None:
    transcript, _ = transcript_of(AcpAdapter(), [markdown("b", "the plan"), END])
    state = transcript.to_dict()
    with_plan = to_html(state)
    assert with_plan.count('class="nba-plan"') == 1
    del state["plan"]
    assert "nba-plan" not in to_html(state)
