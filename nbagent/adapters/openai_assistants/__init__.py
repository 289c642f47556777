from nbagent.adapters.openai_assistants.adapter import OpenAIAssistantsAdapter

__all__ = ["OpenAIAssistantsAdapter"]
