"""``format="a2a"``: A2A streaming (``message/stream``, ``SendStreamingMessage``), v0.3 and v1.0.

Items are JSON-RPC responses ``{"jsonrpc": "2.0", "id": …, "result": {…}}`` (or with an
``error`` member), the bare result objects, JSON strings of either, or ``ServerSentEvent``
frames carrying them; or the ``a2a-sdk``'s own objects: 1.x protobuf messages (the client's
``StreamResponse``, a bare ``Task``, ``Message``, ``TaskStatusUpdateEvent``,
``TaskArtifactUpdateEvent``), read through protobuf's ``MessageToDict``, and the v0.3 pydantic
models (``a2a.compat.v0_3.types``, ``SendStreamingMessageResponse`` included), read through
``model_dump(by_alias=True)``; the SDK is never imported. A result is switched on its v0.3
``kind`` (``task``, ``message``, ``status-update``, ``artifact-update``) or on its v1.0 wrapper
key (``task``, ``message``, ``statusUpdate``, ``artifactUpdate``). v1.0 states
(``TASK_STATE_INPUT_REQUIRED``) and roles (``ROLE_AGENT``) are read as their v0.3 names.
Mapping: ``protocols.md`` §12.8.

Ids: the run id is the task id (or the first message's ``taskId``/``messageId``), the
thread id its ``contextId``. An artifact's text is the message ``{artifactId}``; an agent
message's text is ``{messageId}``; one with no id is ``{task}:text{n}`` (the kit's ``Ids``).

Decisions:

- A terminal or interrupted state ends the run at once, in both generations (v1.0 has no
  ``final`` flag but the server closes the stream there; a Task snapshot it may resend is
  dropped): ``completed`` → completed, ``canceled`` → cancelled, ``failed``/``rejected`` →
  ``error`` (the status message text) + ``RunEnd("error")``, ``input-required``/
  ``auth-required`` → the agent's question (its status message: text, else its other parts
  as JSON) as a ``note`` block (``Custom("note")``, kind ``question``: ``read.question``),
  then ``RunEnd("interrupted")``. A v0.3 ``final: true`` with another state
  → ``RunEnd("unknown")``.
- ``end()`` (the stream closed) without such a state → ``RunEnd("incomplete")``, except
  for a stream that was a single agent ``Message`` (no task): ``completed``.
- Status message text is activity (``Status.text``), never answer text, so it cannot
  duplicate a later artifact. Artifact text is the answer.
- ``append: true`` appends to the artifact; ``append`` false/absent on a known artifact
  replaces it: when the new text extends what was shown only the rest is appended (and
  when it is a prefix of it nothing is), else the old block stays and the new text goes
  into a new message ``{artifactId}#2`` (the transcript has no "replace"). ``lastChunk``
  closes the message. A later Task snapshot reconciles only artifacts never streamed.
- data / file parts → ``Custom("a2a.data")`` / ``Custom("a2a.file")``; user messages and
  unknown results → ``Custom(is_raw=True)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from nbagent.adapters.a2a.read import (
    ENDS,
    KINDS,
    QUESTIONS,
    is_a2a_proto,
    message_parts,
    normalize_state,
    payload_of,
    question,
    result_kind,
    text_and_parts,
    unreadable,
)
from nbagent.adapters.base import (
    ServerSentEvent,
    is_library_object,
    plain,
    str_or_none,
    type_is,
)
from nbagent.adapters.kit.dispatch import handler, never_raises
from nbagent.adapters.kit.ids import Ids
from nbagent.adapters.kit.lifecycle import Lifecycle
from nbagent.adapters.kit.messages import whole_message
from nbagent.core.events import (
    Custom,
    EndReason,
    ErrorEvent,
    Event,
    MessageEnd,
    MessageStart,
    RunEnd,
    Status,
    TextDelta,
)

__all__ = ["A2aAdapter"]


class _Artifact:
    __slots__ = ("message_id", "open", "text")

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.text = ""
        self.open = False

    def close(self, out: list[Event]) -> None:
        """The ``MessageEnd`` of its message, when one is open."""
        if self.open:
            self.open = False
            out.append(MessageEnd(message_id=self.message_id))


class A2aAdapter:
    """A2A stream results → events (see the module docstring); a result goes to the
    ``on_<kind>`` method of its kind (``kit.dispatch``)."""

    name: ClassVar[str] = "a2a"

    def __init__(self) -> None:
        self._life = Lifecycle("a2a")
        self._task = False
        self._message_only = False
        # by the wire's artifact id; None keys the one artifact of no id (all its chunks)
        self._artifacts: dict[str | None, _Artifact] = {}
        self._ids = Ids()  # the run's: in the task's scope once it is known

    # -- detection -------------------------------------------------------------------------

    @staticmethod
    @never_raises
    def detect(item: Any) -> bool:
        """JSON-RPC with a result of a known kind / wrapper key or an error; a bare result
        whose ``kind`` is task/message/status-update/artifact-update; a v1.0 wrapper."""
        if is_library_object(item) and not is_a2a_proto(item) and not type_is(item, "a2a"):
            return False  # another library's object: never serialize it here
        payload, _ = payload_of(item)
        if not isinstance(payload, Mapping):
            return False
        if payload.get("jsonrpc") == "2.0":
            if "result" in payload:
                return result_kind(payload.get("result")) is not None
            error = payload.get("error")
            return isinstance(error, Mapping) and "code" in error
        kind = payload.get("kind")
        if isinstance(kind, str):
            return kind in KINDS
        found = result_kind(payload)
        if found is None or len(payload) != 1:  # a StreamResponse has exactly one key
            return False
        body = found[1]
        return any(k in body for k in ("taskId", "id", "messageId", "status", "artifact"))

    # -- the adapter interface ---------------------------------------------------------------

    def feed(self, item: Any) -> list[Event]:
        if self._life.done:
            return []
        if isinstance(item, ServerSentEvent) and not item.data.strip():
            return []
        payload, from_object = payload_of(item)
        if not isinstance(payload, Mapping):
            if from_object:
                raise self._life.bad(unreadable(item), item)
            raise self._life.bad("an item must be a JSON object", item)
        out: list[Event] = []
        result: Any = payload
        if "jsonrpc" in payload:
            error = payload.get("error")
            if error is not None:
                self._rpc_error(error, out)
                return out
            result = payload.get("result")
        found = result_kind(result)
        if found is None and from_object and "jsonrpc" not in payload:
            raise self._life.bad(
                unreadable(item), item
            )  # an SDK object that is no stream item (an AgentCard…)
        if found is None:
            self._life.begin(out)
            out.append(Custom(name="a2a.unknown", value=plain(result), is_raw=True))
            return out
        kind, body = found
        on_kind = handler(kind, KINDS, self)
        if on_kind is not None:
            on_kind(body, out)
        return out

    def end(self) -> list[Event]:
        if self._life.done:
            return []
        out: list[Event] = []
        if self._message_only and not self._task:
            self._finish(out, "completed", None, None)
        else:
            self._finish(out, "incomplete", None, "the stream closed before a final task state")
        return out

    # -- lifecycle -------------------------------------------------------------------------

    def _begin(self, out: list[Event], run_id: Any, context_id: Any) -> None:
        """``Lifecycle.begin`` with the wire's task (the scope of the ids) and context ids."""
        run, thread = str_or_none(run_id) or "", str_or_none(context_id)
        self._life.begin(out, self._ids, run_id=run, thread_id=thread)

    def _close_artifacts(self, out: list[Event]) -> None:
        for artifact in self._artifacts.values():
            artifact.close(out)

    def _finish(
        self, out: list[Event], reason: EndReason, raw: str | None, message: str | None
    ) -> None:
        self._life.end()
        self._life.begin(out)
        self._close_artifacts(out)
        out.append(RunEnd(reason=reason, raw_reason=raw, message=message))

    def _rpc_error(self, error: Any, out: list[Event]) -> None:
        body: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
        message = str_or_none(body.get("message")) or "the agent returned a JSON-RPC error"
        code = body.get("code")
        code = code if isinstance(code, (str, int)) and not isinstance(code, bool) else None
        self._life.begin(out)
        self._close_artifacts(out)
        out.append(
            ErrorEvent(message=message, code=code, error_type="jsonrpc", details=plain(error))
        )
        self._finish(out, "error", "jsonrpc-error", message)

    def _state(self, status: Any, final: Any, out: list[Event]) -> None:
        """A task status: a ``Status``, and the run's end when the state is terminal."""
        if not isinstance(status, Mapping):
            status = {}
        state = normalize_state(status.get("state"))
        text, others = text_and_parts(message_parts(status.get("message")))
        out.append(Status(state=state, text=text or None, detail=plain(dict(status))))
        reason = ENDS.get(state)
        if state in QUESTIONS:
            out.append(question(state, text, others))
        if reason == "error":
            message = text or f"the task {state}"
            self._close_artifacts(out)
            out.append(ErrorEvent(message=message, error_type=f"a2a.{state}", recoverable=False))
            self._finish(out, "error", state, message)
        elif reason is not None:
            self._finish(out, reason, state, text or None)
        elif final is True:
            self._finish(out, "unknown", state, text or None)

    # -- results ---------------------------------------------------------------------------

    def on_task(self, task: Mapping[str, Any], out: list[Event]) -> None:
        self._task = True
        self._begin(out, task.get("id"), task.get("contextId"))
        artifacts = task.get("artifacts")
        for artifact in artifacts if isinstance(artifacts, list) else ():
            if not isinstance(artifact, Mapping):
                continue
            if str_or_none(artifact.get("artifactId")) in self._artifacts:
                continue  # streamed already: the snapshot only reconciles
            self.on_artifact_update(
                {"artifact": artifact, "append": False, "lastChunk": True}, out, started=True
            )
        self._state(task.get("status"), None, out)

    def on_message(self, message: Mapping[str, Any], out: list[Event]) -> None:
        role = message.get("role")
        run_id = message.get("taskId") or message.get("messageId")
        self._begin(out, run_id, message.get("contextId"))
        if isinstance(role, str) and role.lower() in ("user", "role_user"):
            out.append(Custom(name="a2a.message", value=plain(dict(message)), is_raw=True))
            return
        if not self._task:
            self._message_only = True
        message_id = str_or_none(message.get("messageId")) or self._ids.new("text")
        text, others = text_and_parts(message.get("parts"))
        if text:
            whole_message(out, "text", message_id, text, {"role": "agent"})
        out.extend(Custom(name=name, value=plain(value)) for name, value in others)

    def on_status_update(self, update: Mapping[str, Any], out: list[Event]) -> None:
        self._task = True
        self._begin(out, update.get("taskId"), update.get("contextId"))
        self._state(update.get("status"), update.get("final"), out)

    def on_artifact_update(
        self, update: Mapping[str, Any], out: list[Event], *, started: bool = False
    ) -> None:
        if not started:
            self._task = True
            self._begin(out, update.get("taskId"), update.get("contextId"))
        artifact = update.get("artifact")
        if not isinstance(artifact, Mapping):
            artifact = {}
        wire_id = str_or_none(artifact.get("artifactId"))
        text, others = text_and_parts(artifact.get("parts"))
        state = self._artifacts.get(wire_id)
        if state is None:
            state = self._artifacts[wire_id] = _Artifact(self._ids.of(wire_id, "text"))
            if text:
                out.append(
                    MessageStart(
                        message_id=state.message_id,
                        channel="text",
                        title=str_or_none(artifact.get("name")),
                    )
                )
                state.open = True
        elif update.get("append") is not True:  # replace
            if text.startswith(state.text):
                text = text[len(state.text) :]
            elif state.text.startswith(text):
                text = ""
            else:
                state.close(out)
                state.message_id = self._ids.of(wire_id, "text")  # {id}#2…
                state.text = ""
        if text:
            state.text += text
            state.open = True
            out.append(TextDelta(message_id=state.message_id, delta=text))
        out.extend(Custom(name=name, value=plain(value)) for name, value in others)
        if update.get("lastChunk") is True:
            state.close(out)
