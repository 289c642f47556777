"""``format="vercel-ui"``: the Vercel AI SDK UI message stream (ai v5+).

Items are the stream's parts: dicts, JSON strings (an SSE ``data:`` prefix is allowed),
``ServerSentEvent`` objects, or ``"[DONE]"``; or a library's chunk objects (pydantic-ai's
``pydantic_ai.ui.vercel_ai`` ``BaseChunk``s, from ``VercelAIAdapter.run_stream()``), read
through their own ``model_dump(by_alias=True)`` (its ``DoneChunk`` is the ``[DONE]``).
Mapping: design ``protocols.md`` §12.6.

Ids: messages keep the part's ``id`` (a text and a reasoning part may share one: the
channels are separate), tool calls keep ``toolCallId``; a step is ``step{n}``. The run id
is ``start.messageId`` (empty when absent: the normalizer makes one up).

End: ``finish`` → ``RunEnd`` from ``finishReason``; ``abort`` → ``cancelled``; ``error``
is recoverable (``finish`` usually follows). ``[DONE]`` is only the transport's end;
``end()`` without ``finish``/``abort`` gives ``RunEnd("incomplete")``. Parts after the
run ended are dropped. Unknown part types → ``Custom(is_raw=True)``.

The legacy v4 data stream (``x-vercel-ai-data-stream: v1``) is read too: its items are
``CODE:JSON`` lines (``0:"Hello"``), translated to the v5 parts above (text id ``text``,
reasoning id ``reasoning``); ``f``/``e`` are steps, ``e``/``d`` carry usage
(``cumulative=True``, per step / for the run), ``d`` ends the run, ``3`` is a recoverable
error, ``2``/``8``/``h``/``i``/``j``/``k`` → ``Custom("v4.<name>")``.

Modules: ``parts`` (the part types, finish reasons, decoding an item), ``v4`` (the legacy
data stream's lines), ``tools`` (the tool parts), ``adapter`` (``VercelUiAdapter``).
"""

from __future__ import annotations

from nbagent.adapters.vercel_ui.adapter import VercelUiAdapter
from nbagent.adapters.vercel_ui.parts import FINISH_REASONS, PART_TYPES

__all__ = ["FINISH_REASONS", "PART_TYPES", "VercelUiAdapter"]
