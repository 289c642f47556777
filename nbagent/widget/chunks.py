"""The lazy chunks of the widget's code (``nbagent/widget/chunks.json``, the one list of them,
each ``nbagent/static/<name>.js`` in the ``CodeModel`` trait of its name) and what in a widget's
messages or state makes the browser need each: the ``mentions_*`` function its entry names
(a formula, a paused call, a widget of several runs, a step / timed call / re-runnable tool /
fork, a tool result as data, a coding agent's plan, context window, tool kinds or diffs, a tool
call, sub-agent or note, a model's thinking, a picture or a sound it made, a code block or a
table, a running run, an error or a warning, a run's end, a call with an MCP app, an app's own
call or streaming input). An
entry without one is sent by what its ``sent_by`` names (an evaluation's opened case:
``nbagent/evaluation/board.py``)."""

from __future__ import annotations

import functools
import json
import pathlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

LIST = json.loads((pathlib.Path(__file__).parent / "chunks.json").read_text(encoding="utf-8"))
"""``chunks.json``: ``{"about": ..., "chunks": [entry, ...]}``, each entry a chunk's name, its
module under ``js/src/``, whether it binds to the widget's modules, what sends it, what it
holds and the words only it holds."""

CHUNKS: tuple[str, ...] = tuple(entry["name"] for entry in LIST["chunks"])
"""The lazy chunks a ``CodeModel`` carries, each in the trait of its name, in the list's order."""

if TYPE_CHECKING:
    Chunk = str
else:
    # The names are the list's: the Literal keeps ``get_args(Chunk)`` naming them.
    Chunk = Literal[CHUNKS]
"""A lazy chunk's name (one of ``CHUNKS``)."""

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_MATH_MARKS = ("$", "\\(", "\\[")
# A code fence's (``` or ~~~) or a table's first character: a mark split between two
# messages is still seen whole in one of them. An indented code block's line start may be split
# so: it is seen in the state the run ends with (a Copy pressed before asks for the chunk).
_BLOCK_MARKS = ("`", "~", "|", "\n    ", "\n\t")
_ENDED = frozenset(("completed", "error", "cancelled"))


@functools.cache
def chunk(name: Chunk) -> str:
    """Read once (``nbagent/static/<name>.js``; empty when not built): hashed into the code
    model's version, sent when first needed."""
    path = _STATIC / f"{name}.js"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _in_text(value: Any, marks: tuple[str, ...], depth: int = 0) -> bool:
    """Whether any string value holds one of ``marks``, but a widget's own traits at a
    state's top level (``_esm``, ``_css``, ``_model_module_version``...: its code and names,
    which ipywidgets and anywidget send as state)."""
    if isinstance(value, str):
        return any(mark in value for mark in marks)
    if depth > 32:
        return False
    if isinstance(value, dict):
        # A state (depth 0) or a message's state (depth 1): its own traits are no text of a run;
        # nor is a run's MCP apps' code (its ``apps``).
        values = (
            v for k, v in value.items() if k != "apps" and (depth > 1 or not str(k).startswith("_"))
        )
        return any(_in_text(v, marks, depth + 1) for v in values)
    if isinstance(value, (list, tuple)):
        return any(_in_text(v, marks, depth + 1) for v in value)
    return False


def mentions_math(value: Any) -> bool:
    """Whether a message or state holds text that may be a formula (a ``$``, ``\\(`` or
    ``\\[`` in any string value but a widget's own code): the browser may then need the math
    chunk."""
    return _in_text(value, _MATH_MARKS)


def mentions_pause(value: Any) -> bool:
    """Whether a message or state holds a paused tool call (a block's ``pause`` detail, or an
    MCP app's call waiting for the author: a ``reruns`` record ``by`` the app): the browser
    may then need the answer chunk. Only containers are looked into (no text)."""
    return _found(
        value,
        lambda d: (
            isinstance(d.get("pause"), dict) or (d.get("by"), d.get("state")) == ("app", "paused")
        ),
    )


def mentions_lanes(value: Any) -> bool:
    """Whether a state (or a message's state) is a widget's of several runs (lanes, chat
    turns: its ``arrangement``): the browser needs the lanes chunk to show it."""
    if not isinstance(value, dict):
        return False
    state = value.get("state")
    return isinstance(value.get("arrangement"), str) or (
        isinstance(state, dict) and isinstance(state.get("arrangement"), str)
    )


def _found(value: Any, hit: Any, depth: int = 0) -> bool:
    """Whether ``hit(d)`` holds for a dict ``d`` anywhere in containers (no text looked at)."""
    if depth > 32:
        return False
    if isinstance(value, dict):
        if hit(value):
            return True
        values: Any = value.values()
    elif isinstance(value, (list, tuple)):
        values = value
    else:
        return False
    return any(isinstance(v, (dict, list, tuple)) and _found(v, hit, depth + 1) for v in values)


def _debugs(d: dict[str, Any]) -> bool:
    # The timeline draws a step or a timed call (js/src/panels/timing.js hasTiming: a
    # block with a type but text or thinking; steps are below); forks start from a step or a
    # re-runnable tool's call, and show beside their run; a replay's bar shows where a
    # recording is. A run's own start (its ``started_at``, no type) draws nothing.
    timed = d.get("started_at") is not None and d.get("type") not in (None, "text", "thinking")
    steps, forks = d.get("steps"), d.get("forks")
    return (
        timed
        or d.get("can_rerun") is True
        or (isinstance(d.get("replay"), dict) and bool(d["replay"]))
        or (isinstance(steps, list) and bool(steps))
        or (isinstance(forks, list) and bool(forks))
    )


def mentions_debug(value: Any) -> bool:
    """Whether a message or state holds what the timeline draws, what forks or a replay (a
    step, a timed call, ``can_rerun``, a fork, a ``replay``): the browser may then need the
    debug chunk."""
    return _found(value, _debugs)


def mentions_data(value: Any) -> bool:
    """Whether a message or state holds a tool result as data (a block's or a re-run's
    non-empty ``display``): the browser may then need the data chunk."""
    return _found(value, lambda d: isinstance(d.get("display"), list) and bool(d["display"]))


_DIFF_FENCE = "```diff\n"
_TOOL_META = ("kind", "status", "locations")


def _acps(d: dict[str, Any]) -> bool:
    # js/src/base/acp.js draws these: a run's plan, context window and session, a call's kind and
    # status (its ``meta``), a result holding a unified diff (an ACP edit's, or any tool's).
    # A lanes message's own ``meta`` names no kind, status or locations.
    result, meta = d.get("result"), d.get("meta")
    return (
        isinstance(d.get("plan"), dict)
        or isinstance(d.get("context"), dict)
        or isinstance(d.get("session"), dict)
        or (isinstance(meta, dict) and not meta.keys().isdisjoint(_TOOL_META))
        or (isinstance(result, str) and _DIFF_FENCE in result)
    )


def mentions_acp(value: Any) -> bool:
    """Whether a message or state holds what the acp chunk draws (a plan, a context window,
    a tool call's ``meta``, a result with a ``diff`` fence): the browser may then need it."""
    return _found(value, _acps)


_PANELS = ("tool", "agent", "activity", "interrupt", "note")


def mentions_tools(value: Any) -> bool:
    """Whether a message or state holds a tool call, a sub-agent, an activity, an interrupt or
    a note (a block of one of those types): the browser needs the tools chunk to draw it."""
    return _found(value, lambda d: d.get("type") in _PANELS)


def mentions_thinking(value: Any) -> bool:
    """Whether a message or state holds a model's thinking (a block of that type): the browser
    needs the thinking chunk to draw its panel."""
    return _found(value, lambda d: d.get("type") == "thinking")


def mentions_media(value: Any) -> bool:
    """Whether a message or state holds a picture or a sound the model made (a ``media``
    block): the browser needs the media chunk to draw it."""
    return _found(value, lambda d: d.get("type") == "media")


def mentions_blocks(value: Any) -> bool:
    """Whether a message or state holds text that may be a code block or a table (a backtick,
    a tilde, a pipe or a line indented as code in any string value but a widget's own code), or
    a result as data (its tables): the browser may then need the highlight chunk (code
    highlighted, the copy buttons of code blocks and tables)."""
    return _in_text(value, _BLOCK_MARKS) or mentions_data(value)


def mentions_end(value: Any) -> bool:
    """Whether a message or state holds a run that ended (its ``status`` other than
    ``running``): the browser may then need the output chunk, to hand the run's output to
    the frontend that saves it (nbagent's JupyterLab renderer)."""
    return _found(value, lambda d: d.get("status") in _ENDED)


def _troubles(d: dict[str, Any]) -> bool:
    # A running run, which the page must be able to end itself should its kernel go (nothing
    # can be sent then), a run's error or a warning to show.
    warnings = d.get("warnings")
    return (
        d.get("status") == "running"
        or isinstance(d.get("error"), dict)
        or (isinstance(warnings, list) and bool(warnings))
    )


def mentions_trouble(value: Any) -> bool:
    """Whether a message or state holds a running run, a run's error or a warning: the browser
    may then need the trouble chunk (a run's error and warnings, the note that the page cannot
    reach its kernel, a Stop sent again, the end the page gives a run whose kernel went)."""
    return _found(value, _troubles)


def mentions_app(value: Any) -> bool:
    """Whether a message or state holds a call with an MCP app (its ``meta.app``): the browser
    may then need the app chunk (the app's frame and its host)."""
    return _found(value, lambda d: isinstance(d.get("app"), dict))


def _app_extras(d: dict[str, Any]) -> bool:
    # An app's own call (a ``reruns`` record by it: drawn while it waits, its answer posted to
    # the app), or a call with an app whose arguments stream in (``tool-input-partial``).
    meta = d.get("meta")
    return d.get("by") == "app" or (
        d.get("state") == "args" and isinstance(meta, dict) and isinstance(meta.get("app"), dict)
    )


def mentions_app_extras(value: Any) -> bool:
    """Whether a message or state holds an MCP app's own tool call or a call with an app whose
    arguments stream in: the browser may then need the app extras chunk (an app's log and
    downloads need it too; the page, which alone sees those, asks for it)."""
    return _found(value, _app_extras)


def _mentions(name: str) -> Callable[[Any], bool]:
    """The ``mentions_*`` function of this module an entry of the list names."""
    found = globals().get(name)
    if not (name.startswith("mentions_") and callable(found)):
        raise LookupError(f"chunks.json names {name!r}, which nbagent/widget/chunks.py lacks")
    return found  # type: ignore[no-any-return]


MENTIONS: tuple[tuple[Chunk, Callable[[Any], bool]], ...] = tuple(
    (entry["name"], _mentions(entry["mentions"])) for entry in LIST["chunks"] if entry["mentions"]
)
"""Each chunk a widget's message or state may need, and what says it does (the list's
``mentions``), ``math`` first."""
