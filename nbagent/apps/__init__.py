"""The public entry points that show a run: show, watch, replay, chat, lanes, the inspector."""
