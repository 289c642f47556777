"""The session an ACP agent's run is in (its title, mode, config values and slash commands),
shown quietly on the status line: the client's ``_nbagent/session`` item at a turn's start and
the agent's own updates, through adapter → Normalizer → Transcript, with no process; the
run's ``session`` saved and read back, and said by the exports' status lines."""

from __future__ import annotations

from typing import Any

from nbagent.adapters.acp import AcpAdapter
from nbagent.transcript.export import status_line, to_html, to_text
from nbagent.transcript.transcript import Transcript
from nbagent.widget.chunks import mentions_acp
from tests.adapter_harness import transcript_of
from tests.frameworks.conftest import need

need("acp")  # the SDK's own objects: the frameworks extra (not the other Pythons' test-core)

from acp.schema import (  # noqa: E402 - after need()
    AvailableCommand,
    AvailableCommandsUpdate,
    ConfigOptionUpdate,
    CurrentModeUpdate,
    SessionConfigOptionBoolean,
    SessionConfigOptionSelect,
    SessionConfigSelectGroup,
    SessionConfigSelectOption,
    SessionInfoUpdate,
    SessionNotification,
)

SESSION = "sess-1"
END = {"stopReason": "end_turn"}


def said(update: Any) -> SessionNotification:
    return SessionNotification(session_id=SESSION, update=update)


def wire(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


MODEL = SessionConfigOptionSelect(
    id="model",
    name="Model",
    type="select",
    current_value="claude-sonnet",
    options=[
        SessionConfigSelectGroup(
            group="anthropic",
            name="Anthropic",
            options=[
                SessionConfigSelectOption(value="claude-sonnet", name="Sonnet"),
                SessionConfigSelectOption(value="claude-opus", name="Opus"),
            ],
        )
    ],
)
THINKING = SessionConfigOptionBoolean(
    id="think", name="Thinking", type="boolean", current_value=True
)
START = {
    "sessionId": SESSION,
    "update": {
        "sessionUpdate": "_nbagent/session",
        "title": None,
        "currentModeId": "code",
        "modes": [{"id": "code", "name": "Code"}, {"id": "plan", "name": "Plan"}],
        "configOptions": [wire(MODEL), wire(THINKING)],
        "availableCommands": [{"name": "review", "description": "Review the changes"}],
    },
}


def run_of(*items: Any) -> dict[str, Any]:
    t, _ = transcript_of(AcpAdapter(), [*items, END])
    return t.to_dict()


def session_of(*items: Any) -> dict[str, Any]:
    return dict(run_of(*items)["session"])


def test_a_turn_starts_with_the_session_the_client_knows() -> None:
    assert session_of(START) == {
        "title": None,
        "mode": "Code",
        "config": [{"name": "Model", "value": "Sonnet"}, {"name": "Thinking", "value": "on"}],
        "commands": ["review"],
    }


def test_the_agents_updates_change_what_they_say_and_keep_the_rest() -> None:
    opus = MODEL.model_copy(update={"current_value": "claude-opus"})
    off = THINKING.model_copy(update={"current_value": False})
    session = session_of(
        START,
        said(CurrentModeUpdate(session_update="current_mode_update", current_mode_id="plan")),
        said(SessionInfoUpdate(session_update="session_info_update", title="Parser fix")),
        said(ConfigOptionUpdate(session_update="config_option_update", config_options=[opus, off])),
        said(
            AvailableCommandsUpdate(
                session_update="available_commands_update",
                available_commands=[
                    AvailableCommand(name="init", description="Write AGENTS.md"),
                    AvailableCommand(name="review", description="Review the changes"),
                ],
            )
        ),
    )
    assert session == {
        "title": "Parser fix",
        "mode": "Plan",  # by the name the client said the id has
        "config": [{"name": "Model", "value": "Opus"}, {"name": "Thinking", "value": "off"}],
        "commands": ["init", "review"],
    }


def test_an_unknown_mode_is_its_id_and_a_title_cleared_is_none() -> None:
    session = session_of(
        said(CurrentModeUpdate(session_update="current_mode_update", current_mode_id="yolo")),
        {"update": {"sessionUpdate": "session_info_update", "title": "First"}},
        {"update": {"sessionUpdate": "session_info_update", "title": None}},
        {"update": {"sessionUpdate": "session_info_update", "updatedAt": "2026-11-27T05:00:00Z"}},
    )
    assert session == {"mode": "yolo", "title": None}


def test_the_session_is_saved_read_back_and_said_by_the_exports() -> None:
    state = run_of(START)
    again = Transcript.from_dict(state).to_dict()
    assert again["session"] == state["session"]
    assert mentions_acp(state)  # the widget loads the acp chunk that draws it
    words = "mode: Code · Model: Sonnet · Thinking: on"
    assert status_line(state).endswith(words)
    assert words in to_text(state)
    assert words in to_html(state)


def test_hostile_words_are_escaped_in_the_static_copy() -> None:
    hostile = dict(START["update"], title="<img src=x onerror=alert(1)>")
    page = to_html(run_of({"update": hostile}))
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page


def test_a_run_with_no_session_updates_has_no_session() -> None:
    assert "session" not in run_of({"update": {"sessionUpdate": "plan", "entries": []}})
