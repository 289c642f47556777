from nbagent.adapters.anthropic.adapter import AnthropicAdapter, map_stop_reason

__all__ = ["AnthropicAdapter", "map_stop_reason"]
