"""``format="openai-chat"``: OpenAI Chat Completions streaming and compatible servers.

Items are ``ChatCompletionChunk`` SDK objects, plain dicts (decoded JSON), JSON strings of
one chunk (an SSE ``data:`` prefix is allowed), or ``"[DONE]"``; also what SDKs of the same
wire format yield: LiteLLM's ``ModelResponseStream`` (``reasoning_content``, ``thinking_blocks``
with signatures, ``usage.cost``) and Mistral's ``CompletionEvent`` (the chunk at ``.data``;
thinking as ``{"type": "thinking"}`` content parts; a tool call's id defaults to ``"null"``).
Mapping: design ``protocols.md`` §12.1; tricky cases: §13.

Ids (the kit's ``Ids``): a message is ``{run}:text1`` (thinking ``{run}:think1``, a refusal
``{run}:refusal1``; each kind counted over the run's choices, e.g. thinking resumed after text
is ``:think2``), where ``run`` is the first non-empty chunk id (``"run"`` when the server sends
none; the step id is then ``"chat"``). A tool call without an id gets ``{run}:call1``… and
``synthetic_id=True``; an id seen again, ``{id}#2``. Events of choices other than 0 carry
``meta={"choice_index": i}``.
A cost the source reports (``usage.cost``, USD) is the run ``Usage``'s ``cost_usd``.
An audio answer's ``delta.audio.transcript`` is its text, its base64 pieces one ``Media`` at the
choice's end (its id and expiry as ``Custom("openai.audio")`` events); a gateway's
``delta.images`` (OpenRouter) each a ``Media`` (``audio.py``).

The adapter is split over: ``adapter.py`` (``OpenAIChatAdapter``: detection, ``feed``/``end``,
the run and its step), ``choice.py`` (``Choice``: a choice's deltas, message ids, ``<think>``
parts; its tool calls through ``adapters/kit``'s ``ToolCalls``), ``audio.py`` (an audio
answer's pieces, a gateway's images) and ``maps.py`` (tables and pure readers).
"""

from nbagent.adapters.openai_chat.adapter import OpenAIChatAdapter

__all__ = ["OpenAIChatAdapter"]
