"""The page's answers of a paused call (the answer chunk) are sent for an MCP app's call
waiting for the author (its record under the owning call, ``by: "app"``), which the app
chunk draws with the tool panel's own PauseBox, as for a paused call of the model."""

from __future__ import annotations

from nbagent.widget.chunks import mentions_pause


def test_an_app_call_waiting_for_the_author_needs_the_answer_chunk() -> None:
    record = {"by": "app", "request": "k:0", "name": "bump", "args": {}, "state": "paused"}
    block = {"id": "c1", "type": "tool", "meta": {"app": {"uri": "ui://a"}}, "reruns": [record]}
    assert mentions_pause({"blocks": [block]})
    # Answered, or a Re-run of the author's: nothing to answer.
    for done in ({**record, "state": "running"}, {**record, "by": None}):
        assert not mentions_pause({"blocks": [{**block, "reruns": [done]}]})
