"""``format="openai-chat"``: OpenAI Chat Completions streaming and compatible servers.

Items are ``ChatCompletionChunk`` SDK objects, plain dicts (decoded JSON), JSON strings of
one chunk (an SSE ``data:`` prefix is allowed), or ``"[DONE]"``; also what SDKs of the same
wire format yield: LiteLLM's ``ModelResponseStream`` (``reasoning_content``, ``thinking_blocks``
with signatures, ``usage.cost``) and Mistral's ``CompletionEvent`` (the chunk at ``.data``;
thinking as ``{"type": "thinking"}`` content parts; a tool call's id defaults to ``"null"``).
Mapping: design ``protocols.md`` §12.1; tricky cases: §13.

Ids: a message is ``f"{base}:{choice}"`` (thinking ``…:think``, a refusal ``…:refusal``;
a second message of a kind in one choice, e.g. thinking resumed after text, gets ``#2``),
where ``base`` is the first non-empty chunk id (``"chat"`` when the server sends none).
The step id is ``base``. A tool call without an id gets ``call_{choice}_{index}`` and
``synthetic_id=True``. Events of choices other than 0 carry ``meta={"choice_index": i}``.
A cost the source reports (``usage.cost``, USD) is the run ``Usage``'s ``cost_usd``.

The adapter is split over: ``adapter.py`` (``OpenAIChatAdapter``: detection, ``feed``/``end``,
the run and its step), ``choice.py`` (``Choice``: a choice's deltas, message ids, ``<think>``
parts; its tool calls through ``adapters/kit``'s ``ToolCalls``) and ``maps.py`` (tables and
pure readers).
"""

from nbagent.adapters.openai_chat.adapter import OpenAIChatAdapter

__all__ = ["OpenAIChatAdapter"]
