"""What a page sends the kernel, typed (``PageMessage``); the kernel's messages and both
directions' lists: ``nbagent.widget.messages``, which names these too.

Each field is typed as the page sends it, but a page (or a hand-made message) may send
anything: the handlers check each field they read (``nbagent.widget.widget._Widget._dispatch``
passes on any dict). A lanes widget's run requests carry ``lane`` too (``LaneRequest``).
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict


class SyncRequest(TypedDict):
    """Send the whole state again (``SnapshotMessage``, ``EvalSnapshot``)."""

    type: Literal["sync"]


class StopRequest(TypedDict):
    """Stop the run (the evaluation)."""

    type: Literal["stop"]


class _OutputRequest(TypedDict):
    type: Literal["output"]


class OutputRequest(_OutputRequest, total=False):
    """What the cell output should carry; ``have`` is ``[[run, version], ...]``, the parts
    the page holds (none from an evaluation board)."""

    have: list[list[int]]


class _PauseAnswer(TypedDict):
    type: Literal["pause_answer"]
    id: str
    action: Literal["run", "mock", "deny", "dismiss"]


class PauseAnswer(_PauseAnswer, total=False):
    """A paused tool call's answer: ``action`` is ``run`` (``args``), ``mock`` (``result``),
    ``deny`` (``reason``) or ``dismiss``."""

    args: dict[str, Any]
    result: str
    reason: str


class ChooseRequest(TypedDict):
    """An ACP permission request's option chosen."""

    type: Literal["choose"]
    id: str
    option: str


class _ForkRequest(TypedDict):
    type: Literal["fork"]
    step: int | str | None


class ForkRequest(_ForkRequest, total=False):
    """Fork after ``step`` (a step's id; ``None``: the step of the results ``edit`` names),
    with an edit (a text, or new results by id)."""

    edit: str | dict[str | int, Any] | None


class RerunRequest(TypedDict):
    """Run a tool call again, with ``args`` (edited)."""

    type: Literal["rerun"]
    id: str
    args: dict[str, Any]


class _AppCallRequest(TypedDict):
    """An MCP app's ``tools/call``, forwarded by its frame (``nbagent.mcp_client._app_calls``):
    ``id`` the call owning the app, ``request`` the app's JSON-RPC id."""

    type: Literal["app_call"]
    id: str
    request: str | int
    name: str


class AppCallRequest(_AppCallRequest, total=False):
    arguments: dict[str, Any]


class _AppCallAnswer(TypedDict):
    """The author's answer to a paused app call: Run (``args``: edited) or Deny."""

    type: Literal["app_call_answer"]
    id: str
    request: str | int
    action: Literal["run", "deny"]


class AppCallAnswer(_AppCallAnswer, total=False):
    args: dict[str, Any]
    reason: str


class StepRequest(TypedDict):
    """A replay's position: ``to`` a step (or ``"end"``...)."""

    type: Literal["step"]
    to: Any


class ListenRequest(TypedDict):
    """The page holds a lanes widget's model and follows its lanes from the ops: a client
    that names no cell may have no page, and the kernel holds the ops back until one says so
    (``nbagent.apps.lane_saves``)."""

    type: Literal["listen"]


class ChatPrompt(TypedDict):
    """A chat's prompt."""

    type: Literal["prompt"]
    text: str


class LaneRequest(TypedDict):
    """A run's request from a lanes widget (``PauseAnswer``, ``RerunRequest``, ...), with
    the lane it is for."""

    type: str
    lane: int


class EvalCaseRequest(TypedDict):
    """An evaluation case opened (``open``) or run again (``rerun``)."""

    type: Literal["open", "rerun"]
    i: int


class EvalRate(TypedDict):
    """An evaluation case rated: ``up`` (``None``: unrated) and a comment."""

    type: Literal["rate"]
    i: int
    up: bool | None
    comment: str


class InspectorCall(TypedDict):
    """Call an MCP tool (``call``) or get a prompt (``prompt``)."""

    type: Literal["call", "prompt"]
    name: str
    args: dict[str, Any]


class InspectorRead(TypedDict):
    """Read an MCP resource."""

    type: Literal["read"]
    uri: str


class _InspectorAnswer(TypedDict):
    type: Literal["answer"]
    id: str
    action: Literal["accept", "decline", "cancel"]


class InspectorAnswer(_InspectorAnswer, total=False):
    """The answer to an MCP server's elicitation."""

    content: Any


class InspectorPlain(TypedDict):
    """The inspector's lists again (``refresh``), its whole feed (``history``)."""

    type: Literal["refresh", "history"]


class ChunkRequest(TypedDict):
    """A lazy chunk the page needs for what only it knows of (an MCP app's log or download),
    asked of the code model (``nbagent.widget.code_model.CodeModel``), which sends it once."""

    type: Literal["include"]
    chunk: str


RunRequest: TypeAlias = (
    SyncRequest
    | StopRequest
    | OutputRequest
    | PauseAnswer
    | ChooseRequest
    | ForkRequest
    | RerunRequest
    | StepRequest
    | AppCallRequest
    | AppCallAnswer
)
"""What the page of one run asks (``nbagent.runtime.run.Run.handle_message``)."""

LanesRequest: TypeAlias = RunRequest | ListenRequest | ChatPrompt | LaneRequest
"""What the page of a lanes widget or a chat asks."""

EvalRequest: TypeAlias = SyncRequest | StopRequest | OutputRequest | EvalCaseRequest | EvalRate
"""What an evaluation board's page asks."""

InspectorRequest: TypeAlias = InspectorCall | InspectorRead | InspectorAnswer | InspectorPlain
"""What an MCP inspector's page asks."""

PageMessage: TypeAlias = RunRequest | LanesRequest | EvalRequest | InspectorRequest | ChunkRequest
"""What a page sends the kernel."""
