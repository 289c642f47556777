"""MkDocs hook: the API reference, ``api/*.md``, from the docstrings of ``nbagent.__all__``.

``GROUPS`` places every public name on one page (rendered by mkdocstrings); ``api/index.md``
lists them all with the first line of each docstring. A public name placed nowhere, or placed
but not public, fails the build, so the reference cannot fall behind ``nbagent.__all__``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # mkdocs only at build time: tests/test_docstrings.py reads GROUPS without it
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "run": (
        "Show and run",
        "Show a source live below the cell, and the `Run` you get back.",
        (
            "show",
            "compare",
            "Run",
            "Lanes",
            "stop_all",
            "iter_events",
            "aiter_events",
            "prices",
            "page_role",
            "__version__",
        ),
    ),
    "sources": (
        "Sources",
        "Transports that turn an endpoint or a capture into a source, and what they raise.",
        (
            "sse",
            "websocket",
            "sse_file",
            "SourceTypeError",
            "UnknownFormatError",
            "HTTPStatusError",
        ),
    ),
    "agent": (
        "Agent, tools and chat",
        "nbagent's own tool-calling agent on any OpenAI-compatible endpoint, and a chat in a cell.",
        (
            "Agent",
            "AgentRun",
            "AgentSession",
            "Tool",
            "ToolArgumentsError",
            "ToolCallError",
            "Chat",
            "ChatBusyError",
        ),
    ),
    "pauses": (
        "Pauses and approvals",
        "Tool calls that wait for an answer before they run.",
        ("Pauses", "PauseRequest", "Answer", "with_approvals"),
    ),
    "watch": (
        "Watch",
        "Calls that do not stream, shown from the hooks their libraries already have.",
        ("watch", "Watch", "WatchRun"),
    ),
    "recordings": (
        "Recordings",
        "Record a run to JSONL, load it, replay it; open a run recorded elsewhere.",
        (
            "record",
            "replay",
            "load",
            "load_trace",
            "RecordingRun",
            "ReplayRun",
            "TraceRun",
            "RecordingError",
            "JSONLError",
        ),
    ),
    "transcript": (
        "Transcript",
        "The folded, plain-data state of one run.",
        ("Transcript", "ToolCall", "TokenUsage"),
    ),
    "events": (
        "Events",
        "The one vocabulary every source is normalized to.",
        (
            "Event",
            "RunStart",
            "RunEnd",
            "StepStart",
            "StepEnd",
            "MessageStart",
            "MessageEnd",
            "TextDelta",
            "ThinkingDelta",
            "ToolCallStart",
            "ToolCallArgsDelta",
            "ToolCallEnd",
            "ToolResult",
            "Media",
            "Usage",
            "Status",
            "State",
            "Custom",
            "ErrorEvent",
            "event_from_dict",
            "event_from_json",
            "EventDecodeError",
            "NbagentError",
        ),
    ),
    "mcp": (
        "MCP",
        "An MCP server in the notebook: its tools, resources, prompts and inspector.",
        ("mcp", "McpServer", "McpTool", "McpResult", "McpRequest", "McpError", "McpToolError"),
    ),
    "acp": (
        "ACP agents",
        "A coding agent (Agent Client Protocol) in a cell, each prompt a live run.",
        ("acp", "AcpAgent", "AcpError"),
    ),
    "evaluate": (
        "Evaluate",
        "Many runs over a dataset, scored, in one live table.",
        ("evaluate", "Evaluation", "EvalCase"),
    ),
}

ROLE = re.compile(r":(?:class|func|meth|attr|exc|data|mod|obj):(?=<code>|`)")


def public_names() -> list[str]:
    return list(importlib.import_module("nbagent").__all__)


def check_groups() -> None:
    """Every public name on exactly one page, and nothing else."""
    placed = [name for _, _, names in GROUPS.values() for name in names]
    public = set(public_names())
    twice = sorted({n for n in placed if placed.count(n) > 1})
    missing = sorted(public - set(placed))
    extra = sorted(set(placed) - public)
    if twice or missing or extra:
        raise ValueError(
            f"docs_hooks/api.py GROUPS: not placed {missing}, not public {extra}, twice {twice}"
        )


def summary(name: str) -> str:
    """The first sentence-line of the name's docstring, for the index."""
    if name == "__version__":
        return "The installed version of nbagent."
    doc = inspect.getdoc(getattr(importlib.import_module("nbagent"), name)) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    return ROLE.sub("", first).replace("|", "\\|")


WITH_PARTS = frozenset({"Run", "Lanes", "Transcript", "McpServer"})
"""Classes whose public methods are partly their private bases' (``Run``: ``PausedCalls``,
``ToolReruns``, ``Lanes``: ``LaneSaves``, ``Transcript``: the reducer's, ``McpServer``:
``ServerTraffic``): their page lists those too."""


def directive(name: str) -> str:
    """The mkdocstrings block of one public name."""
    if name in WITH_PARTS:
        return f"::: nbagent.{name}\n    options:\n      inherited_members: true"
    return f"::: nbagent.{name}"


def page_markdown(key: str) -> str:
    title, intro, names = GROUPS[key]
    body = "\n\n".join(directive(name) for name in names)
    return f"# {title}\n\n{intro}\n\n{body}\n"


def index_markdown() -> str:
    lines = [
        "# API reference",
        "",
        "Every public name is `nbagent.<Name>`; the modules behind them (`nbagent._*`, "
        "`nbagent.adapters`, `nbagent.sources`, `nbagent.runtime`) are private and may change. "
        "This reference is made from the docstrings, the single source.",
        "",
    ]
    for key, (title, intro, names) in GROUPS.items():
        lines += [f"## [{title}]({key}.md)", "", intro, "", "| name | what it is |", "|---|---|"]
        lines += [f"| [`nbagent.{n}`][nbagent.{n}] | {summary(n)} |" for n in names]
        lines.append("")
    return "\n".join(lines)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from mkdocs.structure.files import File

    check_groups()
    files.append(File.generated(config, "api/index.md", content=index_markdown()))
    for key in GROUPS:
        files.append(File.generated(config, f"api/{key}.md", content=page_markdown(key)))
    return files


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.startswith("api/"):
        return html_text
    return ROLE.sub("", html_text)
