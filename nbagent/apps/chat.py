"""A multi-turn chat in one widget: the transcript of every turn and an input box.

    chat = nbagent.Chat(agent)           # displays the widget; type into its input box
    run = chat.send("Weather in Oslo?")  # or send from Python; the turn's Run
    await chat                           # the current turn's transcript

Each turn is a lane of a ``layout="chat"`` widget (see ``nbagent.apps.lanes``), shown under its
prompt. With an ``nbagent.Agent`` every turn continues the conversation of the one before;
with an ACP agent (``nbagent.acp(...)``) every turn is a prompt to its session, which keeps the
conversation (the agent's own, shared with ``agent.prompt``); any other responder is a
function ``(prompt, turns) -> source`` that gets the earlier turns' Runs. Enter sends,
Shift+Enter is a newline; the box is disabled while a turn streams and the turn's Stop button
stops it. The turns are kept in the kernel (``chat.turns``) and in the widget's saved state.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from nbagent.apps.lanes import Lanes, is_agent
from nbagent.core.values import type_is
from nbagent.runtime.kernel import show_handle
from nbagent.runtime.run import Run
from nbagent.transcript.transcript import Transcript

if TYPE_CHECKING:
    # Only for annotations: nbagent.acp_client loads the ACP client, nbagent's MCP layer and its
    # agent (pydantic); an AcpAgent is recognised by its type's module (_is_acp) instead.
    from nbagent.acp_client import AcpAgent

__all__ = ["Chat", "ChatBusyError"]


def _is_acp(agent: Any) -> bool:
    """Whether ``agent`` is an ``nbagent.acp`` agent, without importing ``nbagent.acp_client``:
    one exists only once that module is loaded."""
    return type_is(agent, "nbagent.acp_client", "AcpAgent")


class ChatBusyError(RuntimeError):
    """``chat.send(prompt)`` came while the previous turn was still streaming: wait for it
    (``await chat``) or stop it first. The chat's box is disabled meanwhile."""


class Chat:
    """A conversation with ``agent`` (an ``nbagent.Agent``, an ACP agent of ``nbagent.acp``,
    or a function ``(prompt, turns) -> source``) shown in one widget with an input box."""

    def __init__(
        self,
        agent: Any,
        *,
        title: str | None = None,
        show_thinking: bool = True,
        throttle_ms: float = 50,
        display: bool | None = None,
    ) -> None:
        agent_like = is_agent(agent)
        if not agent_like and not _is_acp(agent) and not callable(agent):
            raise TypeError(
                "Chat takes an nbagent.Agent, an nbagent.acp agent or a function "
                f"(prompt, turns) -> source, got {type(agent).__name__}"
            )
        self.agent = agent
        self._is_agent = agent_like
        self.lanes = Lanes(
            layout="chat",
            title=title,
            show_thinking=show_thinking,
            throttle_ms=throttle_ms,
            display=display,
        )
        self.lanes.on_prompt = self._on_prompt
        self.lanes.display()

    @property
    def turns(self) -> list[Run]:
        """Every turn's Run, oldest first."""
        return list(self.lanes.runs)

    @property
    def widget(self) -> Any:
        """The chat's ``LanesWidget`` (None outside a notebook)."""
        return self.lanes.widget

    @property
    def messages(self) -> list[dict[str, Any]]:
        """An agent chat's conversation so far (Chat Completions messages); [] otherwise."""
        return self.lanes.runs[-1].messages if self.lanes.runs else []

    def send(self, prompt: str) -> Run:
        """Start a turn with ``prompt``; its :class:`Run`. Raises :class:`ChatBusyError`
        while the previous turn still streams."""
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError("the prompt is empty")
        with self.lanes.lock:
            turns = self.lanes.runs
            if turns and not turns[-1].done:
                raise ChatBusyError("the previous turn is still streaming: wait for it or stop it")
            if self._is_agent:
                history = turns[-1] if turns else None
                return self.lanes.add_agent(self.agent, prompt, history=history)
            if _is_acp(self.agent):
                return self._prompt_acp(self.agent, prompt)
            return self.lanes.add(self.agent(prompt, list(turns)), prompt=prompt)

    def _prompt_acp(self, agent: AcpAgent, prompt: str) -> Run:
        """A turn of an ACP agent's session in a new lane (the agent refuses it while a
        prompt of its own runs: ``RuntimeError``). The lane has no prompt above it: the run
        begins with the user's turn, a block of its own (the saved state has it too)."""

        def lane(turn: Any) -> Run:
            return self.lanes.add(turn, format="acp", start=False)

        run = agent.prepare(prompt, lane)
        run.start()
        return run

    def _on_prompt(self, text: str) -> None:
        """Text typed into the input box: a new turn, or a notice saying why not."""
        try:
            self.send(text)
        except Exception as exc:  # noqa: BLE001 - the widget says what went wrong; the kernel lives
            self.lanes.notice(f"{type(exc).__name__}: {exc}")

    def cancel(self) -> None:
        """Stop the turn that is streaming, if any."""
        self.lanes.cancel()

    def wait(self, timeout: float | None = None) -> Transcript | None:
        """Block until the current turn ends; its transcript (None before the first turn)."""
        turns = self.lanes.runs
        return turns[-1].wait(timeout) if turns else None

    def __await__(self) -> Generator[Any, None, Transcript | None]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> Transcript | None:
        turns = self.lanes.runs
        return await turns[-1] if turns else None

    def _display_(self) -> Any:
        """What marimo shows for a Chat that is a cell's last expression: its widget."""
        return self.widget if self.widget is not None else repr(self)

    def _ipython_display_(self) -> None:
        """What IPython shows for a Chat that is a cell's last expression."""
        show_handle(self.lanes.shown_at, repr(self))

    def __repr__(self) -> str:
        turns = self.lanes.runs
        state = f", {turns[-1].status}" if turns else ""
        return f"<nbagent.Chat {len(turns)} turn{'s' if len(turns) != 1 else ''}{state}>"
