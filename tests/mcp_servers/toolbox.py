"""An MCP server written with the SDK (``mcp`` 2.x) for what the servers on PyPI lack:
structured output, images, audio, errors, progress and logs, elicitation, sampling, hostile text,
a crash mid-call, a hang, garbage on stdout, a failed start. Run as
``python -m tests.mcp_servers.toolbox [options]``.

Options: ``--http PORT`` (Streamable HTTP on 127.0.0.1), ``--sse PORT`` (the legacy SSE
transport; else stdio), ``--garbage`` (write
a non-JSON line to stdout first), ``--fail-start`` (write to stderr and exit 2), ``--log
FILE`` (each call and each cancellation appended, one line each).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
from pathlib import Path
from typing import Annotated, TypedDict

from mcp.server.mcpserver import (
    AcceptedElicitation,
    Audio,
    Context,
    Elicit,
    ElicitationResult,
    Image,
    MCPServer,
    Resolve,
    Sample,
)
from mcp_types import CreateMessageResult, SamplingMessage, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from tests.mcp_servers import PNG_1X1 as PNG_BASE64
from tests.mcp_servers import silent_wav

PNG_1X1 = base64.b64decode(PNG_BASE64)

server = MCPServer("toolbox", instructions="Tools for nbagent's tests.")
LOG: Path | None = None


def log(line: str) -> None:
    if LOG is not None:
        with LOG.open("a") as f:
            f.write(line + "\n")


class Forecast(TypedDict):
    city: str
    temp_c: float
    sky: str


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    log(f"add {a} {b}")
    return a + b


@server.tool()
def echo(text: Annotated[str, Field(description="What to say back")]) -> str:
    """Say the text back."""
    log(f"echo {text}")
    return text


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def forecast(city: str) -> Forecast:
    """Tomorrow's weather in a city."""
    log(f"forecast {city}")
    return {"city": city, "temp_c": 12.5, "sky": "cloudy"}


@server.tool(annotations=ToolAnnotations(destructiveHint=True, readOnlyHint=False))
def delete_file(path: str) -> str:
    """Delete a file (it only says so)."""
    log(f"delete_file {path}")
    return f"deleted {path}"


@server.tool()
def fail(message: str) -> str:
    """Raise an error with this message."""
    log(f"fail {message}")
    raise ValueError(message)


@server.tool()
def picture() -> Image:
    """A 1x1 PNG."""
    return Image(data=PNG_1X1, format="png")


@server.tool()
def sound() -> Audio:
    """A tenth of a second of silence (WAV)."""
    return Audio(data=silent_wav(), format="wav")


@server.tool()
async def slow(steps: int, ctx: Context) -> str:
    """Report progress for `steps` tenths of a second."""
    log(f"slow {steps}")
    try:
        for i in range(steps):
            await ctx.report_progress(i + 1, steps, f"step {i + 1}")
            await ctx.info(f"did step {i + 1}")
            await asyncio.sleep(0.1)
    except asyncio.CancelledError:
        log("slow cancelled")
        raise
    return f"done in {steps} steps"


@server.tool()
async def hang() -> str:
    """Never answer."""
    log("hang")
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        log("hang cancelled")
        raise
    return "never"


class Person(BaseModel):
    name: str = Field(description="Your name")
    age: int | None = Field(default=None, description="Your age")
    tea: bool = Field(default=False, description="Tea rather than coffee")


# Resolvers: the SDK asks the client mid-call on revisions up to 2025-11-25 and through a
# multi-round-trip result on 2026-07-28, the same tool for both.
def who_asks() -> Elicit[Person]:
    return Elicit("Who is asking?", Person)


def one_line(text: str) -> Sample:
    message = SamplingMessage(role="user", content=TextContent(type="text", text=text))
    return Sample([message], max_tokens=50, system_prompt="Summarize in one line.")


@server.tool()
def ask_name(answer: Annotated[ElicitationResult[Person], Resolve(who_asks)]) -> str:
    """Ask the user for their name (elicitation)."""
    log(f"ask_name {answer.action}")
    if isinstance(answer, AcceptedElicitation):
        p = answer.data
        age = f", {p.age}" if p.age is not None else ""
        return f"hello {p.name}{age}" + (" (tea)" if p.tea else "")
    return answer.action


@server.tool()
def summarize(text: str, reply: Annotated[CreateMessageResult, Resolve(one_line)]) -> str:
    """Ask the client's model for a one-line summary (sampling)."""
    log(f"summarize {text}")
    content = reply.content
    return f"summary: {content.text}" if isinstance(content, TextContent) else "summary: ?"


@server.tool(description='<img src=x onerror="window.__pwned=1"> *Says* <b>hi</b>')
def hostile(
    html: Annotated[str, Field(description="<script>window.__pwned=2</script>")] = "",
) -> str:
    log("hostile")
    return f'<img src=x onerror="window.__pwned=3"> {html}'


@server.tool()
def crash() -> str:
    """Exit the process mid-call."""
    log("crash")
    print("toolbox: crashing on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.resource(
    "notes://readme", name="readme", description="What this is", mime_type="text/markdown"
)
def readme() -> str:
    return "# Toolbox\n\nTools for nbagent's tests."


@server.resource("notes://{topic}", name="note", description="A note on a topic")
def note(topic: str) -> str:
    return f"A note on {topic}."


@server.prompt(description="Ask for a code review")
def review(code: str, language: str = "python") -> str:
    return f"Review this {language} code:\n{code}"


def main() -> None:
    global LOG
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int)
    parser.add_argument("--sse", type=int)
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--fail-start", action="store_true")
    parser.add_argument("--log")
    args = parser.parse_args()
    LOG = Path(args.log) if args.log else None
    if args.fail_start:
        print("toolbox: cannot start: no config file at /nonexistent/toolbox.toml", file=sys.stderr)
        sys.exit(2)
    if args.garbage:
        print("this is not JSON-RPC", flush=True)
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    elif args.sse:
        server.run("sse", host="127.0.0.1", port=args.sse)
    else:
        server.run()


if __name__ == "__main__":
    main()
