"""Every custom comm message between the kernel and the page, typed; paired with the
``@typedef``\\ s of ``js/src/base/wire.js`` (``tests/test_wire_messages.py`` and
``js/test/wire_messages.test.js`` fail when the two drift apart).

Kernel -> page (``KernelMessage``): a run's ops (``OpsMessage``, ``LanesMessage``: the compact
ops of ``nbagent.widget.wire``), its whole state (``SnapshotMessage``), what its cell output
should carry (``OutputMessage``), ``KernelEnd``, a chat's ``Notice``; an evaluation board's
``EvalRows``, ``EvalSnapshot``, ``EvalOutput``; an MCP inspector's ``InspectorFeed``.

Page -> kernel (``PageMessage``): what the page asks, typed in
``nbagent.widget.page_messages`` and named here too: one module to import either direction
from, and ``KERNEL_MESSAGES`` / ``PAGE_MESSAGES`` list both for the tests.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, TypedDict

from nbagent.widget.page_messages import (
    AppCallAnswer,
    AppCallRequest,
    ChatPrompt,
    ChooseRequest,
    ChunkRequest,
    EvalCaseRequest,
    EvalRate,
    EvalRequest,
    ForkRequest,
    InspectorAnswer,
    InspectorCall,
    InspectorPlain,
    InspectorRead,
    InspectorRequest,
    LaneRequest,
    LanesRequest,
    ListenRequest,
    OutputRequest,
    PageMessage,
    PauseAnswer,
    RerunRequest,
    RunRequest,
    StepRequest,
    StopRequest,
    SyncRequest,
)

__all__ = [
    "KERNEL_MESSAGES",
    "PAGE_MESSAGES",
    "AppCallAnswer",
    "AppCallRequest",
    "ChatPrompt",
    "ChooseRequest",
    "ChunkRequest",
    "EvalCaseRequest",
    "EvalMessage",
    "EvalOutput",
    "EvalRate",
    "EvalRequest",
    "EvalRows",
    "EvalSnapshot",
    "EvalTable",
    "ForkRequest",
    "InspectorAnswer",
    "InspectorCall",
    "InspectorFeed",
    "InspectorPlain",
    "InspectorRead",
    "InspectorRequest",
    "KernelEnd",
    "KernelMessage",
    "LaneRequest",
    "LanesMessage",
    "LanesRequest",
    "ListenRequest",
    "Notice",
    "OpsMessage",
    "OutputMessage",
    "OutputRequest",
    "PageMessage",
    "PauseAnswer",
    "RerunRequest",
    "RunMessage",
    "RunRequest",
    "SnapshotMessage",
    "SnapshotPayload",
    "StepRequest",
    "StopRequest",
    "SyncRequest",
    "WireOp",
]

WireOp = list[Any]
"""One compact op: ``["t", i, text]``, ``["+", block]``... (``nbagent.widget.wire``)."""

# -- kernel -> page ------------------------------------------------------------------------


class _OpsMessage(TypedDict):
    seq: int
    ops: list[WireOp]


class OpsMessage(_OpsMessage, total=False):
    """A run's ops since the last message: ``{seq, ops, d?, now?}`` (no ``type``)."""

    d: Any
    """The delta counter, lifted out of the run set."""
    now: float
    """The kernel's clock, sent now and then."""


class _LanesMessage(TypedDict):
    seq: int
    lanes: list[list[Any]]


class LanesMessage(_LanesMessage, total=False):
    """The ops of a widget of several runs: ``lanes`` is ``[[lane, [...ops], d?], ...]``,
    ``meta`` is ``[[lane, {...}], ...]``, ``clocks`` ``[[lane, now], ...]`` (no ``type``)."""

    meta: list[list[Any]]
    now: float
    clocks: list[list[Any]]


class SnapshotPayload(TypedDict, total=False):
    """What a snapshot carries: ``state`` (one run) or ``lanes`` (``[{"meta", "state"},
    ...]``)."""

    state: dict[str, Any]
    lanes: list[dict[str, Any]]


class SnapshotMessage(SnapshotPayload):
    """The whole state, the reply to ``sync``."""

    type: Literal["snapshot"]
    seq: int
    now: float


class OutputMessage(TypedDict):
    """The reply to ``output``: the head and the static parts the page lacks, each
    ``[run, version, {"title", "prompt", "html", "text"}]``."""

    type: Literal["output"]
    seq: int
    head: dict[str, Any]
    parts: list[list[Any]]


class KernelEnd(TypedDict):
    """The kernel is going away: the page stops waiting for the runs it shows."""

    type: Literal["kernel_end"]
    reason: str


class Notice(TypedDict):
    """A one-off line for a lanes widget (a chat prompt that could not start)."""

    type: Literal["notice"]
    text: str


class EvalRows(TypedDict):
    """An evaluation board's changed rows, the header's changed fields and text appended."""

    type: Literal["rows"]
    seq: int
    header: dict[str, Any]
    rows: list[dict[str, Any]]
    append: list[list[Any]]


class EvalTable(TypedDict):
    """An evaluation board's whole table (its saved state too)."""

    seq: int
    header: dict[str, Any]
    rows: list[dict[str, Any]]


class EvalSnapshot(EvalTable):
    """An evaluation board's whole table, the reply to ``sync``."""

    type: Literal["snapshot"]


class EvalOutput(TypedDict):
    """An evaluation board's output data, the reply to ``output``."""

    type: Literal["output"]
    data: dict[str, Any]


class _InspectorFeed(TypedDict):
    type: Literal["feed"]


class InspectorFeed(_InspectorFeed, total=False):
    """An MCP inspector's log lines and JSON-RPC messages the page has not had."""

    log: list[dict[str, Any]]
    rpc: list[dict[str, Any]]


RunMessage: TypeAlias = (
    OpsMessage | LanesMessage | SnapshotMessage | OutputMessage | KernelEnd | Notice
)
"""What the kernel sends the page of a run, of lanes or of a chat."""

EvalMessage: TypeAlias = EvalRows | EvalSnapshot | EvalOutput
"""What an evaluation board's page gets."""

KernelMessage: TypeAlias = RunMessage | EvalMessage | InspectorFeed
"""What the kernel sends a page."""

KERNEL_MESSAGES: tuple[type, ...] = (
    OpsMessage,
    LanesMessage,
    SnapshotMessage,
    OutputMessage,
    KernelEnd,
    Notice,
    EvalRows,
    EvalSnapshot,
    EvalOutput,
    InspectorFeed,
)
PAGE_MESSAGES: tuple[type, ...] = (
    SyncRequest,
    StopRequest,
    OutputRequest,
    PauseAnswer,
    ChooseRequest,
    ForkRequest,
    RerunRequest,
    StepRequest,
    AppCallRequest,
    AppCallAnswer,
    ListenRequest,
    ChatPrompt,
    LaneRequest,
    EvalCaseRequest,
    EvalRate,
    InspectorCall,
    InspectorRead,
    InspectorAnswer,
    InspectorPlain,
    ChunkRequest,
)
"""Each direction's TypedDicts, for the tests that hold the two sides together."""
