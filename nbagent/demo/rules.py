"""What the scripted model answers: a few fixed rules, no language model.

1. **Tools.** A tool is called when a word of its name (``get_weather``: "weather"; common
   verbs like get, list, find are skipped) begins a word of the last user message. Its
   required arguments come from that message: a path or file argument takes a file name
   (``sales.csv``), a number a number, an enum one of its values named there (else the
   first), any other string a "quoted" text or a capitalised name that does not begin a
   sentence. With several values for an argument the tool is called once per value, all at
   once (at most four calls). A tool whose required arguments are not all found is not called.
2. **Tool results.** When the results come back it answers from them: the objects one tool
   returned as a table, a list as a list, a failure with its error.
3. **Anything else.** It says what it was sent and how it answers, in a short markdown
   answer; in one sentence when the system message asks for it ("brief", "short",
   "concise", "one sentence").

Its reasoning (``reasoning_content`` deltas) says which rule it follows and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nbagent.demo.chunks import Reply, ReplyItem

__all__ = ["Result", "plan_calls", "respond"]

MAX_CALLS = 4
_SKIPPED = {"get", "set", "list", "fetch", "find", "search", "lookup", "look", "run", "make"}
_SKIPPED |= {"compute", "do", "by", "of", "the", "to", "for", "and", "in", "from", "with"}
_BRIEF = re.compile(r"\b(brief|briefly|short|concise|one sentence)\b", re.IGNORECASE)
# The demo model reads argument values from the first PROMPT_READ characters of a prompt:
# these two patterns are quadratic in what they search.
PROMPT_READ = 2_000
# redos-bounded: searches at most PROMPT_READ (2,000) characters (_values)
_FILE = re.compile(r"\b[\w-]+(?:/[\w-]+)*\.[A-Za-z][A-Za-z0-9]{1,4}\b")
# redos-bounded: searches at most PROMPT_READ (2,000) characters (_values)
_QUOTED = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|`([^`\n]+)`')
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w]|\.\d)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Result:
    """A tool call of this turn and what came back for it."""

    name: str
    args: dict[str, Any]
    content: str

    @property
    def failed(self) -> bool:
        return self.content.startswith("Error:")  # how nbagent.Agent reports a failure

    def value(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            return self.content

    def as_code(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.args.items())})"


def respond(reply: Reply) -> list[ReplyItem]:
    """The scripted model's answer to ``reply.body`` (a Chat Completions request)."""
    messages = [m for m in reply.body.get("messages") or [] if isinstance(m, dict)]
    tools = [
        t["function"]
        for t in reply.body.get("tools") or []
        if isinstance(t, dict) and isinstance(t.get("function"), dict)
    ]
    asked = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    prompt = _text(messages[asked].get("content")) if asked >= 0 else ""
    results = _results(messages[asked + 1 :])
    if results:
        reply.think(
            f"The tools answered {len(results)} call{'s' if len(results) != 1 else ''}"
            f"{_failures(results)}. I answer from what they returned."
        )
        reply.say(_from_results(results))
        return reply.finish("stop")
    calls, reasons = plan_calls(prompt, tools)
    if calls:
        reply.think(" ".join(reasons))
        for i, (name, args) in enumerate(calls):
            reply.call(i, f"call_{len(messages)}_{i}", name, args)
        return reply.finish("tool_calls")
    why = " ".join(reasons) or (
        "None of the tools' names is in the question." if tools else "No tools were offered."
    )
    reply.think(f"The question: “{prompt}”. {why} So I say what I was sent.")
    system = " ".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
    if _BRIEF.search(system):
        reply.say(
            "One sentence, as asked: I am a scripted model, not a language model, so "
            f"“{prompt}” gets no real answer from me."
        )
    else:
        reply.say(_plain(prompt, messages, tools, why))
    return reply.finish("stop")


def plan_calls(
    prompt: str, tools: Sequence[dict[str, Any]]
) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Rule 1: the tool calls to ask for (name, arguments), and why, a sentence per tool."""
    calls: list[tuple[str, dict[str, Any]]] = []
    reasons: list[str] = []
    for tool in tools:
        name = str(tool.get("name") or "")
        words = [w for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if len(w) > 2]
        hit = next(
            (w for w in words if w.lower() not in _SKIPPED and _begins_word(w, prompt)), None
        )
        if hit is None:
            continue
        params = tool.get("parameters") or {}
        props = params.get("properties") or {}
        values = {
            p: _values(p, props[p], prompt) for p in params.get("required") or [] if p in props
        }
        missing = [p for p, found in values.items() if not found]
        if missing:
            reasons.append(
                f"{name} fits (“{hit}”), but the question names no {', '.join(missing)}."
            )
            continue
        count = min(MAX_CALLS, max((len(v) for v in values.values()), default=1))
        calls.extend(
            (name, {p: v[min(i, len(v) - 1)] for p, v in values.items()}) for i in range(count)
        )
        named = "; ".join(f"{p}: {', '.join(map(str, v[:count]))}" for p, v in values.items())
        times = "once" if count == 1 else f"{count} times, at once"
        reasons.append(
            f"The question mentions “{hit}”: {name} fits ({named or 'no arguments'}), "
            f"so I call it {times}."
        )
    return calls, reasons


def _begins_word(word: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE) is not None


def _values(param: str, schema: dict[str, Any], prompt: str) -> list[Any]:
    """Values for one required argument, in the order the prompt names them."""
    prompt = prompt[:PROMPT_READ]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        named = [
            e
            for e in enum
            if re.search(rf"\b{re.escape(str(e))}\b", prompt, re.I if len(str(e)) > 1 else 0)
        ]
        return named or [enum[0]]
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf") or []}
    if kinds & {"number", "integer"}:
        numbers = [float(n) for n in _NUMBER.findall(prompt)]
        return [int(n) if "integer" in kinds or n.is_integer() else n for n in numbers]
    if "string" not in kinds:
        return []
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(prompt)]
    files = _FILE.findall(prompt)
    if re.search(r"path|file", param, re.IGNORECASE):
        return _unique(files + quoted)
    names = [
        m.group()
        for sentence in _SENTENCE.split(prompt)
        for m in _NAME.finditer(sentence)
        if m.start() > len(sentence) - len(sentence.lstrip(" \"“'(*_"))
    ]
    return _unique(quoted + names)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _results(turn: list[dict[str, Any]]) -> list[Result]:
    """The tool calls after the last user message, each with its tool message."""
    asked: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in turn:
        for call in message.get("tool_calls") or []:
            fn = call.get("function") or {}
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except ValueError:
                args = {}
            asked[str(call.get("id"))] = (
                str(fn.get("name")),
                args if isinstance(args, dict) else {},
            )
    return [
        Result(*asked.get(str(m.get("tool_call_id")), ("tool", {})), _text(m.get("content")))
        for m in turn
        if m.get("role") == "tool"
    ]


def _failures(results: list[Result]) -> str:
    failed = sum(r.failed for r in results)
    return f", {failed} of them with an error" if failed else ""


def _from_results(results: list[Result]) -> str:
    """Rule 2: one section per tool, in the order of the calls."""
    parts = ["Here is what the tools returned."]
    for name in _unique([r.name for r in results]):
        mine = [r for r in results if r.name == name]
        done = [r for r in mine if not r.failed]
        values = [r.value() for r in done]
        if values and all(isinstance(v, dict) for v in values):
            parts.append(f"**{name}**\n\n{_table(values)}")
        for r, v in zip(done, values, strict=True):
            if isinstance(v, list):
                items = "\n".join(f"- {_cell(x)}" for x in v[:20]) or "- (nothing)"
                parts.append(f"`{r.as_code()}` returned {len(v)}:\n\n{items}")
            elif not isinstance(v, dict):
                parts.append(f"`{r.as_code()}` returned **{_cell(v)}**.")
        for r in mine:
            if r.failed:
                error = r.content.removeprefix("Error:").strip()
                parts.append(f"`{r.as_code()}` failed: `{error}`. Other arguments may work.")
    return "\n\n".join(parts)


def _table(rows: list[dict[str, Any]]) -> str:
    columns = _unique([k for row in rows for k in row])
    head = f"| {' | '.join(columns)} |\n|{'---|' * len(columns)}"
    body = "\n".join(f"| {' | '.join(_cell(row.get(c, '')) for c in columns)} |" for row in rows)
    return f"{head}\n{body}"


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|").replace("\n", " ")


def _plain(
    prompt: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]], why: str
) -> str:
    """Rule 3: what it was sent, and how it answers."""
    roles = _unique([str(m.get("role")) for m in messages])
    counted = ", ".join(f"{sum(m.get('role') == r for m in messages)} {r}" for r in roles)
    offered = ", ".join(f"`{t.get('name')}`" for t in tools) or "none"
    question = _cell(prompt) or "(empty)"
    return (
        "## A scripted answer\n\n"
        "I am the scripted model of nbagent's tutorials: a few rules, not a language model "
        "(`nbagent.demo.rules`). I stream this answer a token at a time, as a model would.\n\n"
        "| I was sent | |\n|---|---|\n"
        f"| messages | {len(messages)}: {counted} |\n"
        f"| tools | {offered} |\n"
        f"| the question | {question} |\n\n"
        f"{why}\n\n"
        "How I answer:\n\n"
        "1. I call the tools whose names the question mentions, with arguments taken from it.\n"
        "2. I answer from what the tools return.\n"
        "3. Otherwise I describe what I was sent, as here."
    )
