from nbagent.adapters.openai_chat.adapter import OpenAIChatAdapter

__all__ = ["OpenAIChatAdapter"]
