"""A scripted ACP agent for the session features of ``nbagent.acp``, written with the SDK
(``acp.run_agent``), run over stdio by tests/frameworks/test_acp_sessions.py:
``python sessions.py <behaviour>``.

Behaviours: ``rich`` (takes images, embedded context and HTTP MCP servers; has config options;
lists its saved sessions a page at a time; loads one, replaying its history), ``plain`` (the
protocol's baseline: text and resource links only, stdio MCP servers, no config, no listing or
loading), ``auth`` (requires authentication, offering an agent, an env-var and a terminal
method). A prompt's answer is what the agent received, as JSON: the prompt's blocks, or, for
"what did you get?", the session/new or session/load request and the prompts received.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from typing import Any

import acp
from acp import RequestError, text_block
from acp.helpers import (
    start_tool_call,
    tool_content,
    update_agent_message_text,
    update_tool_call,
    update_user_message_text,
)
from acp.schema import (
    AgentCapabilities,
    AuthEnvVar,
    AuthMethodAgent,
    ConfigOptionUpdate,
    EnvVarAuthMethod,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    SessionAdditionalDirectoriesCapabilities,
    SessionCapabilities,
    SessionConfigOptionBoolean,
    SessionConfigOptionSelect,
    SessionConfigSelectGroup,
    SessionConfigSelectOption,
    SessionInfo,
    SessionListCapabilities,
    SetSessionConfigOptionResponse,
    TerminalAuthMethod,
)
from agent_base import ScriptedAgent

BEHAVIOUR = sys.argv[1] if len(sys.argv) > 1 else "rich"
PAGE = 2
"""Sessions per session/list page: three saved sessions take two pages."""


class Sessions(ScriptedAgent):
    def __init__(self) -> None:
        super().__init__(BEHAVIOUR)
        self.opened: dict[str, Any] = {}
        self.model = "sonnet"
        self.thinking = False
        self.prompts = 0

    def capabilities(self) -> AgentCapabilities:
        if BEHAVIOUR != "rich":
            return AgentCapabilities()
        return AgentCapabilities(
            load_session=True,
            prompt_capabilities=PromptCapabilities(image=True, embedded_context=True),
            mcp_capabilities=McpCapabilities(http=True),
            session_capabilities=SessionCapabilities(
                list=SessionListCapabilities(),
                additional_directories=SessionAdditionalDirectoriesCapabilities(),
            ),
        )

    def auth_methods(self) -> list[Any]:
        if BEHAVIOUR != "auth":
            return []
        key = AuthEnvVar(name="SESSIONS_KEY", label="API key")
        org = AuthEnvVar(name="SESSIONS_ORG", optional=True)
        return [
            AuthMethodAgent(id="agent", name="Agent login", description="the agent asks"),
            EnvVarAuthMethod(
                type="env_var",
                id="key",
                name="API key",
                vars=[key, org],
                link="https://example.com/keys",
            ),
            TerminalAuthMethod(
                type="terminal", id="login", name="Log in", args=["--login"], env={"MODE": "1"}
            ),
        ]

    def config(self) -> list[Any]:
        if BEHAVIOUR != "rich":
            return []
        fast = [SessionConfigSelectOption(value="haiku", name="Haiku")]
        smart = [
            SessionConfigSelectOption(value="sonnet", name="Sonnet", description="balanced"),
            SessionConfigSelectOption(value="opus", name="Opus"),
        ]
        return [
            SessionConfigOptionSelect(
                type="select",
                id="model",
                name="Model",
                category="model",
                current_value=self.model,
                options=[
                    SessionConfigSelectGroup(group="fast", name="Fast", options=fast),
                    SessionConfigSelectGroup(group="smart", name="Smart", options=smart),
                ],
            ),
            SessionConfigOptionBoolean(
                type="boolean", id="thinking", name="Thinking", current_value=self.thinking
            ),
        ]

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        if BEHAVIOUR == "auth":
            raise RequestError.auth_required()
        self.opened = self.request("new", cwd, kwargs)
        return NewSessionResponse(session_id=f"sess-{BEHAVIOUR}", config_options=self.config())

    def request(self, method: str, cwd: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        servers = kwargs.get("mcp_servers") or []
        return {
            "method": method,
            "cwd": cwd,
            "additionalDirectories": kwargs.get("additional_directories"),
            "mcpServers": [s.model_dump(by_alias=True, exclude_none=True) for s in servers],
        }

    def saved(self) -> list[SessionInfo]:
        here = self.opened.get("cwd", "/")
        return [
            SessionInfo(
                session_id="old-1", cwd=here, title="Revenue plot", updated_at="2026-01-02"
            ),
            SessionInfo(session_id="old-2", cwd=here, title="Cleaning"),
            SessionInfo(session_id="elsewhere", cwd="/elsewhere", title="Another project"),
        ]

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **kwargs: Any
    ) -> ListSessionsResponse:
        sessions = [s for s in self.saved() if cwd is None or s.cwd == cwd]
        start = int(cursor or 0)
        more = start + PAGE < len(sessions)
        return ListSessionsResponse(
            sessions=sessions[start : start + PAGE], next_cursor=str(start + PAGE) if more else None
        )

    async def load_session(self, cwd: str, session_id: str, **kwargs: Any) -> LoadSessionResponse:
        if session_id not in [s.session_id for s in self.saved()]:
            raise RequestError.resource_not_found(session_id)
        self.opened = self.request("load", cwd, kwargs) | {"sessionId": session_id}
        replay = [
            update_user_message_text("Plot revenue by month"),
            update_agent_message_text("Reading the data. "),
            start_tool_call("call_old", "Read sales.csv", kind="read", status="pending"),
            update_tool_call(
                "call_old", status="completed", content=[tool_content(text_block("month,revenue"))]
            ),
            update_agent_message_text("Here is the plot."),
        ]
        for update in replay:
            await self.conn.session_update(session_id, update)
        return LoadSessionResponse(config_options=self.config())

    async def set_config_option(
        self, config_id: str, session_id: str, value: str | bool, **kwargs: Any
    ) -> SetSessionConfigOptionResponse:
        if config_id == "model":
            self.model = str(value)
        elif config_id == "thinking":
            self.thinking = bool(value)
        return SetSessionConfigOptionResponse(config_options=self.config())

    async def prompt(self, session_id: str, prompt: list[Any], **kwargs: Any) -> PromptResponse:
        self.prompts += 1
        first = getattr(prompt[0], "text", "")
        if first == "what did you get?":
            answer = json.dumps(self.opened | {"prompts": self.prompts})
        elif first == "switch to opus":  # the agent changes its own config mid-turn
            self.model = "opus"
            update = ConfigOptionUpdate(
                session_update="config_option_update", config_options=self.config()
            )
            await self.conn.session_update(session_id, update)
            answer = "switched"
        else:
            answer = json.dumps([describe(block) for block in prompt])
        await self.say(session_id, answer)
        return PromptResponse(stop_reason="end_turn")


def describe(block: Any) -> dict[str, Any]:
    """A prompt block as the agent got it; an image by its size and first bytes."""
    got: dict[str, Any] = block.model_dump(by_alias=True, exclude_none=True)
    if got.get("type") == "image":
        raw = base64.b64decode(got.pop("data"))
        got |= {"bytes": len(raw), "head": raw[:4].hex()}
    return got


if __name__ == "__main__":
    asyncio.run(acp.run_agent(Sessions()))
