"""``nbagent.acp``'s session features against the scripted agents of tests/acp_agents/sessions.py
(written with the SDK, run over stdio with this Python): the session's directories, config
options, a prompt's context by the agent's prompt capabilities, MCP servers by its MCP
capabilities, listing and loading saved sessions (the history replayed as a run), the auth
methods an error lists, and the notebook's directory as the default ``cwd`` in a real kernel."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import nbagent
from nbagent.acp_client._context import MAX_EMBED_BYTES, MAX_SAMPLE_CHARS
from nbagent.core.events import Custom, State
from tests.frameworks.conftest import need
from tests.wait import PATIENCE

if TYPE_CHECKING:
    from tests.kernel import Kernel

need("acp")

from acp.helpers import embedded_text_resource, resource_block  # noqa: E402 - after need()

SCRIPT = str(Path(__file__).resolve().parents[1] / "acp_agents" / "sessions.py")
PNG = b"\x89PNG\r\n\x1a\n"


def command(behaviour: str) -> list[str]:
    return [sys.executable, SCRIPT, behaviour]


def start(started: list[nbagent.AcpAgent], behaviour: str, **kw: Any) -> nbagent.AcpAgent:
    agent = nbagent.acp(command(behaviour), startup_timeout=PATIENCE, **kw)
    started.append(agent)
    return agent


def answer(agent: nbagent.AcpAgent, text: str, context: Any = ()) -> Any:
    """What the scripted agent says it received (its answer, JSON)."""
    run = agent.prompt(text, context=context)
    transcript = run.wait(PATIENCE)
    assert run.status == "completed", transcript.error
    return json.loads(transcript.text)


def test_cwd_is_absolute_and_roots_are_the_sessions_additional_directories(
    started: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "extra").mkdir()
    monkeypatch.chdir(tmp_path)
    agent = start(started, "rich", cwd="home", roots=["extra"])
    assert agent.cwd == str(tmp_path.resolve() / "home")
    opened = answer(agent, "what did you get?")
    assert opened["method"] == "new"
    assert opened["cwd"] == str(tmp_path.resolve() / "home")
    assert opened["additionalDirectories"] == [str(tmp_path.resolve() / "extra")]
    assert opened["mcpServers"] == []
    baseline = start(started, "plain", cwd="home", roots=["extra"])
    assert answer(baseline, "what did you get?")["additionalDirectories"] is None  # unadvertised
    outside_a_notebook = start(started, "plain")  # no kernel: the current directory
    assert outside_a_notebook.cwd == str(tmp_path.resolve())
    assert answer(outside_a_notebook, "what did you get?")["additionalDirectories"] is None


def test_config_options_are_listed_set_and_follow_the_agents_updates(started: Any) -> None:
    agent = start(started, "rich")
    model, thinking = agent.config
    assert (model.id, model.name, model.type, model.value) == ("model", "Model", "select", "sonnet")
    assert model.category == "model"
    assert [(c.value, c.name, c.group) for c in model.choices] == [
        ("haiku", "Haiku", "Fast"),
        ("sonnet", "Sonnet", "Smart"),
        ("opus", "Opus", "Smart"),
    ]
    assert (thinking.type, thinking.value) == ("boolean", False)
    with pytest.raises(
        ValueError, match=r"'temperature' is not a config option.*\['model', 'thinking'\]"
    ):
        agent.set_config("temperature", "hot")
    with pytest.raises(
        ValueError, match=r"'gpt' is not a value of 'model'.*'haiku', 'sonnet', 'opus'"
    ):
        agent.set_config("model", "gpt")
    with pytest.raises(ValueError, match="'yes' is not a value of 'thinking'"):
        agent.set_config("thinking", "yes")
    agent.set_config("model", "haiku")
    agent.set_config("thinking", True)
    assert [o.value for o in agent.config] == ["haiku", True]
    run = agent.prompt("switch to opus")  # the agent's own config_option_update
    assert run.wait(PATIENCE).text == "switched"
    assert agent.config[0].value == "opus"
    # The run's status line says the session quietly: as the turn started, then as the agent
    # changed it (the values by the names the agent gives them).
    sessions = [
        e.value for e in run.events if isinstance(e, State) and e.activity_type == "session"
    ]
    model, thinking = {"name": "Model", "value": "Haiku"}, {"name": "Thinking", "value": "on"}
    assert sessions[0]["config"] == [model, thinking]
    assert run.transcript.to_dict()["session"]["config"] == [
        {"name": "Model", "value": "Opus"},
        thinking,
    ]
    assert "Model: Opus · Thinking: on" in run.transcript.to_text()
    assert start(started, "plain").config == []


def test_context_becomes_what_the_agent_takes(started: Any, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    plt = pytest.importorskip("matplotlib.pyplot")
    image = pytest.importorskip("PIL.Image")
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\nrevenue is up\n")
    blob = tmp_path / "data.bin"
    blob.write_bytes(b"\x00\x01binary")
    frame = pd.DataFrame({"month": ["jan", "feb", "mar"] * 10, "revenue": range(30)})
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    pil = image.new("RGB", (4, 3), "red")
    agent = start(started, "rich")
    items = [str(notes), blob, tmp_path, figure, pil, PNG + b"rest", frame]
    got = answer(agent, "look", context=items)
    plt.close(figure)
    assert got[0] == {"type": "text", "text": "look"}
    assert got[1]["type"] == "resource"  # embedded: the agent takes embedded context
    assert got[1]["resource"] == {
        "uri": notes.resolve().as_uri(),
        "text": "# Notes\nrevenue is up\n",
        "mimeType": "text/markdown",
    }
    got[2].pop("mimeType", None)  # the system's mime.types says, or not
    assert got[2] == {  # not text: a link even so
        "type": "resource_link",
        "name": "data.bin",
        "uri": blob.resolve().as_uri(),
        "size": 8,
    }
    assert (got[3]["type"], got[3]["uri"]) == ("resource_link", tmp_path.resolve().as_uri())
    for block in got[4:7]:
        assert (block["type"], block["mimeType"], block["head"]) == (
            "image",
            "image/png",
            PNG[:4].hex(),
        )
    assert got[4]["bytes"] > 1000  # a whole figure drawn
    assert got[6]["bytes"] == len(PNG) + 4
    sample = got[7]["text"]
    assert got[7]["type"] == "text"
    assert sample.startswith("[context: a pandas DataFrame, 30 rows, 2 columns]")
    assert "month: object" in sample or "month: str" in sample
    assert "revenue: int64" in sample
    assert "first 10 rows:" in sample
    assert "\n9   jan" in sample
    assert "\n10 " not in sample  # ten rows: 0 to 9

    big = tmp_path / "big.txt"
    big.write_text("x" * (MAX_EMBED_BYTES + 1))
    (linked,) = answer(agent, "look", context=[big])[1:]
    assert (linked["type"], linked["size"]) == ("resource_link", MAX_EMBED_BYTES + 1)

    plain = start(started, "plain")  # the baseline: text and resource links
    got = answer(plain, "look", context=notes)  # one item, not in a list
    assert got[1] == {
        "type": "resource_link",
        "name": "notes.md",
        "uri": notes.resolve().as_uri(),
        "mimeType": "text/markdown",
        "size": notes.stat().st_size,
    }
    with pytest.raises(
        ValueError, match=r"context\[1\] \(a PIL image\): this agent does not take images"
    ):
        plain.prompt("look", context=[notes, pil])
    with pytest.raises(FileNotFoundError, match=r"context\[0\]: 'no such file.csv' is no file"):
        plain.prompt("look", context=["no such file.csv"])
    with pytest.raises(TypeError, match=r"context\[0\]: nbagent cannot send a builtins.dict"):
        plain.prompt("look", context=[{"a": 1}])
    with pytest.raises(TypeError, match="bytes that are not a PNG"):
        plain.prompt("look", context=[b"plain bytes"])
    embedded = resource_block(embedded_text_resource("file:///x.txt", "x"))
    refused = r"does not take resource content \(its promptCapabilities.embeddedContext is false"
    with pytest.raises(ValueError, match=refused):
        plain.prompt("look", context=[embedded])
    # Nothing of the refused prompts was sent: the agent received one prompt before this one.
    assert answer(plain, "what did you get?")["prompts"] == 2


def test_a_wide_dataframe_is_sampled_within_its_bound(started: Any) -> None:
    pd = pytest.importorskip("pandas")
    wide = pd.DataFrame({f"column_{i}": ["x" * 200] * 50 for i in range(300)})
    got = answer(start(started, "plain"), "look", context=[wide, wide["column_0"]])
    sample, series = got[1]["text"], got[2]["text"]
    assert sample.startswith("[context: a pandas DataFrame, 50 rows, 300 columns]")
    assert "… and 250 more columns" in sample
    assert len(sample) <= MAX_SAMPLE_CHARS + 60
    assert sample.endswith(f"(the sample cut at {MAX_SAMPLE_CHARS:,} characters)")
    assert series.startswith("[context: a pandas Series 'column_0', 50 rows, dtype")


def test_mcp_servers_go_to_the_session_as_the_agent_allows(started: Any, tmp_path: Path) -> None:
    sh = shutil.which("sh")
    assert sh is not None
    configs: list[Any] = [
        {"name": "tools", "command": "sh", "args": ["-c", "exit 0"], "env": {"TOKEN": "t"}},
        {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer x"}},
    ]
    agent = start(started, "rich", mcp_servers=configs)
    got = answer(agent, "what did you get?")["mcpServers"]
    assert got == [
        {
            "name": "tools",
            "command": os.path.abspath(sh),  # a bare name sent as an absolute path
            "args": ["-c", "exit 0"],
            "env": [{"name": "TOKEN", "value": "t"}],
        },
        {
            "type": "http",
            "name": "mcp.example.com",
            "url": "https://mcp.example.com/mcp",
            "headers": [{"name": "Authorization", "value": "Bearer x"}],
        },
    ]
    by_name = start(started, "plain", mcp_servers={"echo": {"command": [sys.executable, "-V"]}})
    assert answer(by_name, "what did you get?")["mcpServers"] == [
        {"name": "echo", "command": sys.executable, "args": ["-V"], "env": []}
    ]
    with pytest.raises(nbagent.AcpError, match=r"'mcp.example.com' .* is SSE, which this agent"):
        nbagent.acp(command("rich"), mcp_servers=[{"url": "https://mcp.example.com/sse"}])
    with pytest.raises(nbagent.AcpError, match=r"is HTTP, which this agent does not take"):
        nbagent.acp(command("plain"), mcp_servers=[configs[1]])
    with pytest.raises(ValueError, match="'no-such-mcp-server' is not on the agent's PATH"):
        nbagent.acp(command("plain"), mcp_servers=[{"command": "no-such-mcp-server"}])
    with pytest.raises(ValueError, match="two servers named"):
        nbagent.acp(command("plain"), mcp_servers=[configs[0], configs[0]])


def test_an_nbagent_mcp_server_is_given_as_its_command(started: Any) -> None:
    need("mcp")
    from tests.mcp_servers import ROOT, TOOLBOX

    with nbagent.mcp(TOOLBOX, cwd=ROOT, env={"TOOLBOX_MARK": "1"}, name="toolbox") as server:
        agent = start(started, "plain", mcp_servers=[server])
        (got,) = answer(agent, "what did you get?")["mcpServers"]
    assert got == {
        "name": "toolbox",
        "command": TOOLBOX[0],
        "args": TOOLBOX[1:],
        "env": [{"name": "TOOLBOX_MARK", "value": "1"}],
    }


def test_saved_sessions_are_listed_and_one_is_loaded_with_its_history(started: Any) -> None:
    agent = start(started, "rich")
    assert agent.history is None
    here = agent.sessions()  # two pages read: this cwd's sessions
    assert [(s.id, s.title, s.cwd) for s in here] == [
        ("old-1", "Revenue plot", agent.cwd),
        ("old-2", "Cleaning", agent.cwd),
    ]
    assert here[0].updated_at == "2026-01-02"
    assert [s.id for s in agent.sessions(everywhere=True)] == ["old-1", "old-2", "elsewhere"]

    loaded = start(started, "rich", session="old-1")
    assert loaded.session_id == "old-1"
    history = loaded.history
    assert history is not None
    transcript = history.wait(PATIENCE)
    assert history.status == "completed", transcript.error
    assert transcript.text == "Reading the data. \n\nHere is the plot."
    (call,) = transcript.tool_calls
    assert (call.id, call.name, call.state) == ("call_old", "Read sales.csv", "done")
    said = [e.value for e in history.events if isinstance(e, Custom) and e.name == "user_message"]
    assert said == ["Plot revenue by month"]
    assert [o.value for o in loaded.config] == ["sonnet", False]  # from load's response
    opened = answer(loaded, "what did you get?")  # the loaded session goes on
    assert (opened["method"], opened["sessionId"]) == ("load", "old-1")

    with pytest.raises(nbagent.AcpError, match="Resource not found"):
        nbagent.acp(command("rich"), session="no-such-session", startup_timeout=PATIENCE)


def test_an_agent_that_cannot_list_or_load_says_so(started: Any) -> None:
    plain = start(started, "plain")
    with pytest.raises(nbagent.AcpError, match=r"does not advertise session/list"):
        plain.sessions()
    with pytest.raises(nbagent.AcpError, match=r"does not advertise session/load.*'old-1'"):
        nbagent.acp(command("plain"), session="old-1", startup_timeout=PATIENCE)


def test_authentication_lists_each_method_and_what_it_needs() -> None:
    with pytest.raises(nbagent.AcpError) as caught:
        nbagent.acp(command("auth"), startup_timeout=PATIENCE)
    message = str(caught.value)
    assert "the agent requires authentication" in message
    assert "agent (Agent login): the agent asks" in message
    assert (
        "key (API key), needs the environment variables SESSIONS_KEY, SESSIONS_ORG (optional) "
        "(nbagent.acp(..., env={'SESSIONS_KEY': '...'}, auth='key')), "
        "to be had at https://example.com/keys"
    ) in message
    first = f"MODE=1 {sys.executable} {SCRIPT} auth --login"
    login = f"login (Log in), needs a login in a terminal first: {first}"
    assert login in message
    assert "name one with nbagent.acp(..., auth=<id>)" in message


@pytest.mark.kernel
def test_in_a_notebook_cwd_defaults_to_the_notebooks_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_kernel: Callable[[str], Kernel]
) -> None:
    jupyter, vscode = tmp_path / "jupyter", tmp_path / "vscode"
    jupyter.mkdir()
    vscode.mkdir()
    # What Jupyter Server gives the kernel of a notebook: its absolute path.
    monkeypatch.setenv("JPY_SESSION_NAME", str(jupyter / "analysis.ipynb"))
    # The environment is the kernel's from its start: a kernel of the test's own, its working
    # directory the project's root, not the notebook's.
    kernel = new_kernel("")
    kernel.execute(f"import nbagent\nagent = nbagent.acp({command('plain')!r})")
    assert kernel.value("agent.cwd") == str(jupyter.resolve())
    assert kernel.value(f"agent.prompt('what did you get?').wait({PATIENCE}).text") == json.dumps(
        {
            "method": "new",
            "cwd": str(jupyter.resolve()),
            "additionalDirectories": None,
            "mcpServers": [],
            "prompts": 1,
        }
    )
    # VS Code names the notebook in the kernel's namespace.
    code = f"__vsc_ipynb_file__ = {str(vscode / 'x.ipynb')!r}\nagent.close()\n"
    kernel.execute(code + f"agent = nbagent.acp({command('plain')!r})")
    assert kernel.value("agent.cwd") == str(vscode.resolve())
    kernel.execute("agent.close()")
