"""An AG-UI agent's interrupt answered in a real kernel the way the page answers it: the run
shown in a cell (``nbagent.show(nbagent.sse(url, json=run_agent_input))``), its question
paused with its schema's form, the page's ``pause_answer`` messages (JSON data, never code)
sent over the widget's comm: a wrong answer refused on the question's panel, nothing posted;
the right one posts the next ``RunAgentInput`` and the answer streams into the same cell.
The agent is a real AG-UI server (``tests/ag_ui_servers/booking.py``)."""

from __future__ import annotations

import pytest

from tests.frameworks.conftest import need

need("ag_ui")

from tests.ag_ui_servers.booking import SCHEMA, BookingAgent  # noqa: E402
from tests.kernel import Kernel, final_state  # noqa: E402

pytestmark = pytest.mark.kernel

QUESTION = "[b for b in run.transcript.to_dict()['blocks'] if b['id'] == 'i-details'][0]"


def test_the_pages_answer_resumes_the_agent_in_the_same_cell(kernel: Kernel) -> None:
    with BookingAgent() as agent:
        since = len(kernel.messages())
        body = agent.first_input()
        kernel.execute(
            f"import nbagent\nrun = nbagent.show(nbagent.sse({agent.url!r}, json={body!r}))"
        )
        kernel.wait_value("[p.tool_call_id for p in run.pending]", ["i-details"])
        pause = kernel.value(f"{QUESTION}['pause']")
        assert (pause["schema"], pause["fill"]) == (SCHEMA, {"city": None, "nights": None})
        assert pause["actions"] == ["run", "deny", "dismiss"]
        comm = kernel.value("run.widget.model_id")
        answer = {"type": "pause_answer", "id": "i-details", "action": "run"}
        # the form's Accept with a field of the wrong type: refused on its panel
        kernel.send_custom(comm, answer | {"args": {"city": "Lisbon", "nights": "two"}})
        kernel.wait_value(
            f"{QUESTION}['pause'].get('error')",
            "arguments of input_required: the answer.nights must be integer, not str",
        )
        assert len(agent.inputs) == 1  # nothing posted
        kernel.send_custom(comm, answer | {"args": {"city": "Lisbon", "nights": 2}})
        kernel.wait_value("run.done", True)
        assert kernel.value("run.status") == "completed"
        assert kernel.value("run.transcript.text").endswith("Booked Lisbon for 2 nights.")
    first, resumed = agent.inputs
    assert resumed.thread_id == first.thread_id
    assert resumed.run_id != first.run_id
    assert resumed.resume is not None
    assert [(e.interrupt_id, e.status, e.payload) for e in resumed.resume] == [
        ("i-details", "resolved", {"city": "Lisbon", "nights": 2})
    ]
    # the cell's saved state: the question as answered, and the answer's text after it
    state = final_state(kernel, since)
    (question,) = [b for b in state["blocks"] if b.get("id") == "i-details"]
    assert question["answer"]["action"] == "run"
    assert question["result"] == '{"city": "Lisbon", "nights": 2}'
