"""``format="google-genai"``: Gemini ``generateContent`` streaming.

Items are what ``client.models.generate_content_stream(...)`` (and the awaited
``client.aio.models.generate_content_stream(...)``, ``chat.send_message_stream(...)``) yield,
``google.genai.types.GenerateContentResponse`` objects, or the same responses as the REST API
sends them (camelCase dicts, JSON strings or ``ServerSentEvent``s of
``:streamGenerateContent?alt=sse``), as ``nbagent.sse(url)`` gives them.

Mapping: each response's ``candidates[0].content.parts[]``: ``text`` → a text message
(``thought: true`` → a thinking message whose ``thought_signature`` is kept on its end);
``function_call`` → a client tool call (``partial_args`` / ``will_continue`` pieces are
gathered into the one call); ``function_response`` → its result; ``executable_code`` /
``code_execution_result`` and ``tool_call`` / ``tool_response`` → server tool calls and their
results; ``inline_data`` / ``file_data`` → a ``Media`` (an image where it came, a ``thought``
image a draft the next one replaces, audio pieces in a row one sound, Gemini's ``audio/L16``
raw PCM). ``usage_metadata`` (cumulative within
a model call) → the step's ``Usage``; ``candidates[0].finish_reason`` ends the step (and,
when nothing follows, the run); ``prompt_feedback.block_reason`` ends it as
``content_filter``. ``CONTINUATION`` (the per-request token limit reached mid-answer) ends
nothing while the SDK's automatic continuation goes on in the same stream; a stream that
ends there (continuation off, or the REST API's one request) is a pause: the run ends
``interrupted`` (as Anthropic's ``pause_turn``), with a note saying how to go on.

Steps: one per model call. Automatic function calling runs several model calls in one
stream: a response after a finished one opens the next step, and the function responses the
SDK adds to ``automatic_function_calling_history`` become the results of the calls (matched
by id, else by name in order: the SDK's responses carry no id).

Ids: the run id is the first ``response_id``; a step is its ``response_id`` (``{id}#<n>``
repeated, ``step<n>`` when absent); a message is ``{step}:text<k>`` (``{step}:think<k>``); a
call keeps its ``id``, else ``{step}:call<k>`` with ``synthetic_id=True`` (the kit's ``Ids``).
"""

from nbagent.adapters.google_genai.adapter import GoogleGenaiAdapter
from nbagent.adapters.google_genai.maps import map_finish_reason

__all__ = ["GoogleGenaiAdapter", "map_finish_reason"]
