"""``format="acp"``: the Agent Client Protocol's ``session/update`` notifications of one prompt
turn (coding agents: Claude Code, Codex, Gemini CLI, ... through the ``agent-client-protocol``
SDK), then the turn's end.

Items are the SDK's ``SessionNotification`` objects (read through ``as_payload``, camelCase as
on the wire) or their wire dicts ``{"sessionId": ..., "update": {"sessionUpdate":
"agent_message_chunk", ...}}``, JSON text or SSE data of them, the JSON-RPC ``session/update``
notification itself, or a bare ``update``. The turn ends with the ``session/prompt`` response,
fed as the last item: ``{"stopReason": "end_turn", "usage": {...}}`` (the SDK's
``PromptResponse``, or the JSON-RPC response carrying it), or a JSON-RPC ``{"error": {...}}``.

Mapping:

- ``agent_message_chunk`` → answer text (``role="assistant"``); ``agent_thought_chunk`` →
  thinking. A chunk's content that is not text (an image, audio, a resource) is a bracketed
  mention in the text (``[image: image/png]``). A new ``messageId``, a tool call or the other
  channel starts a new message.
- ``user_message_chunk`` → ``Custom("user_message")`` with its text (as the claude-agent
  adapter), which the transcript folds into a ``user`` block: the user's turn.
- ``tool_call`` / ``tool_call_update`` → one tool panel per ``toolCallId`` (``tools.py``); a
  call's ``name`` (unstable) → its ``meta["tool"]``.
- ``notice``, ``compaction_update``, ``compaction_summary_chunk`` (unstable; the SDK 0.12.1
  does not model them: read from the wire dicts) → ``note`` blocks (``notes.py``).
- ``$/cancel_request`` naming a permission request fed as a JSON-RPC request with its ``id``
  → that call's ``approval_answered`` ``cancel`` (another → a raw ``Custom``).
- ``usage_update`` → a run-scope ``Usage`` whose ``meta`` has ``context_used`` /
  ``context_size``; its ``cost`` (the session's so far) → ``cost_usd`` when in USD, else the
  run's ``session["cost"]`` (``{"amount", "currency"}``, shown with its currency, never added
  to a USD cost).
- ``session/request_permission`` (fed by the client that answers it) and its answer →
  the call's ``awaiting_approval`` / ``approval_answered`` statuses, the agent's options in
  the pause's ``detail`` (``permission.py``).
- ``plan`` → ``State(op="activity_snapshot", activity_type="plan", message_id="acp:plan")``
  with the entries (each snapshot replaces the plan); the UNSTABLE ``plan_update`` (a plan
  by its ``planId``: items, markdown or a file's uri) and ``plan_removed`` → the same kind of
  snapshot, ``message_id=f"acp:plan:{planId}"``, its value carrying the ``id`` (``plans.py``).
- ``current_mode_update``, ``available_commands_update``, ``config_option_update``,
  ``session_info_update`` → ``State(op="activity_snapshot", activity_type="session",
  message_id="acp:session")`` with what each changes (the run's ``session``: title, mode,
  config values, commands, shown quietly on the status line; ``session.py``), and
  ``Custom("acp.<sessionUpdate>")`` with the update's fields; any other update (and a
  ``plan_update`` / ``plan_removed`` naming no plan) → that ``Custom`` with ``is_raw=True``,
  and for a kind nbagent does not read (the v2 draft's ``state_update``,
  ``terminal_output_chunk``…) one warning per kind in a run (``error_type="acp.unread"``).
- nbagent's own items (``nbagent.acp``'s client puts them in the turn, as updates whose
  ``sessionUpdate`` begins with ``_``, ACP's prefix for extensions):
  ``{"sessionUpdate": "_nbagent/terminal", "terminalId", "output", "truncated",
  "exitStatus": {"exitCode", "signal"} | null}``, the end of a terminal's output so far (each
  replaces the one before) → the text of every tool call whose content shows that terminal
  (``{"type": "terminal", "terminalId": ...}``): a preliminary ``ToolResult`` while the call
  runs, the final one again once it ended; ``{"sessionUpdate": "_nbagent/warning",
  "message", "errorType"?}`` (a line on the agent's stdout that is not JSON-RPC, a failed
  ``session/close``, a question nbagent could not tell whose it was) → a warning,
  ``ErrorEvent(error_type=errorType or "stray_output", recoverable=True)``; ``{"sessionUpdate":
  "_nbagent/status", "toolCallId", "state", "detail"}`` → ``Status`` on that call (an agent's
  question pausing it: ``awaiting_approval``, then ``approval_answered``), the call started
  first if it was never announced; ``{"sessionUpdate": "_nbagent/session", "title",
  "currentModeId", "modes", "configOptions", "availableCommands"}`` (the session as a turn
  starts) → the whole ``session`` snapshot.
- The response's ``stopReason``: ``end_turn`` → completed, ``max_tokens`` → ``max_tokens``,
  ``max_turn_requests`` → ``max_steps``, ``refusal`` → ``refusal`` (the run's status stays
  ``completed`` for these), ``cancelled`` → cancelled; its ``usage`` → the run's tokens
  (thought tokens as reasoning, cache reads as cached input; a negative or fractional count
  is unknown).
  ``end()`` before it → ``incomplete``.

Ids: messages ``run:text1``, ``run:text2``… (``run:think1`` for thinking); tool calls keep the
agent's ``toolCallId``; the run's ``thread_id`` is the ``sessionId``.
"""

from nbagent.adapters.acp.adapter import STOP_REASONS, AcpAdapter

__all__ = ["STOP_REASONS", "AcpAdapter"]
