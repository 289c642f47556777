"""nbagent.tools: schemas from functions, argument validation, calling with timeouts, result
conversion and output capture."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import io
import sys
import threading
import time
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from nbagent.core.events import NbagentError
from nbagent.tools import (
    Tool,
    ToolArgumentsError,
    ToolOutcome,
    abandoned_threads,
    as_tool,
    call_tool,
    call_tool_sync,
)
from tests import aio
from tests.wait import PATIENCE, wait_for

# --- tools under test (module level: their type hints resolve from module globals) ----------


def get_weather(
    city: str,
    unit: Literal["C", "F"] = "C",
    days: int | None = None,
    tags: list[str] | None = None,
    note: Annotated[str, Field(description="Free text for the forecaster.")] = "",
) -> str:
    """Get the weather forecast for a city.

    Uses the cache when it can.

    Args:
        city (str): Name of the city,
            in English.
        unit: Temperature unit.
        note: Overridden by the Field description.

    Returns:
        The forecast.
    """
    return f"{city}: 21 {unit}"


async def aget_weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
    """Get the weather, asynchronously.

    :param city: Name of the city.
    :param str unit: Temperature
        unit.
    """
    await asyncio.sleep(0)
    return {"city": city, "temp": 21, "unit": unit}


class Location(BaseModel):
    city: str
    country: str = "FR"


class Window(TypedDict):
    start: str
    end: str


def locate(where: Location, window: Window, title: str = "t") -> str:
    return f"{where.city}/{where.country} {window['start']}-{window['end']} {title}"


def no_doc(x, y: int = 2):  # unannotated on purpose
    return x


def star_args(*values: int) -> int:
    return sum(values)


def star_kwargs(**options: str) -> int:
    return len(options)


def boom(n: int) -> None:
    raise ValueError(f"bad n: {n}")  # the raise line


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


# --- schema -----------------------------------------------------------------------------


def walk_keys(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [k for k, v in node.items() for k in [k, *walk_keys(v)]]
    if isinstance(node, list):
        return [k for v in node for k in walk_keys(v)]
    return []


def test_schema_from_function() -> None:
    tool = Tool.from_function(get_weather)
    assert tool.name == "get_weather"
    assert tool.description == "Get the weather forecast for a city."
    assert tool.timeout_s == 60.0
    params = tool.parameters
    assert params["type"] == "object"
    assert params["additionalProperties"] is False
    assert params["required"] == ["city"]
    props = params["properties"]
    assert list(props) == ["city", "unit", "days", "tags", "note"]
    assert props["city"] == {"type": "string", "description": "Name of the city, in English."}
    assert props["unit"]["enum"] == ["C", "F"]
    assert props["unit"]["default"] == "C"
    assert props["unit"]["description"] == "Temperature unit."
    assert {"type": "integer"} in props["days"]["anyOf"]
    assert {"type": "null"} in props["days"]["anyOf"]
    assert {"type": "array", "items": {"type": "string"}} in props["tags"]["anyOf"]
    assert props["note"]["description"] == "Free text for the forecaster."
    assert "title" not in walk_keys(params)
    assert tool.openai_schema() == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather forecast for a city.",
            "parameters": params,
        },
    }


def test_schema_async_function_and_rest_docstring() -> None:
    tool = Tool.from_function(aget_weather, name="weather", description="Weather.", timeout_s=5)
    assert (tool.name, tool.description, tool.timeout_s) == ("weather", "Weather.", 5)
    props = tool.parameters["properties"]
    assert props["city"]["description"] == "Name of the city."
    assert props["unit"]["description"] == "Temperature unit."
    assert tool.parameters["required"] == ["city"]
    assert Tool.from_function(aget_weather).description == "Get the weather, asynchronously."


def test_schema_models_typeddicts_and_a_property_named_title() -> None:
    tool = Tool.from_function(locate)
    params = tool.parameters
    assert params["required"] == ["where", "window"]
    assert "Location" in params["$defs"]
    assert "Window" in params["$defs"]
    # Pydantic's "title" keywords go, a parameter called "title" stays.
    assert params["properties"]["title"] == {"default": "t", "type": "string"}
    assert "title" not in walk_keys(params["$defs"])


def test_unannotated_parameters_and_no_docstring() -> None:
    tool = Tool.from_function(no_doc)
    assert tool.description == ""
    assert tool.parameters["properties"]["x"] == {}
    assert tool.parameters["required"] == ["x"]
    assert tool.validate({"x": [1, "a"]}) == {"x": [1, "a"], "y": 2}


@pytest.mark.parametrize("fn", [star_args, star_kwargs])
def test_star_parameters_are_refused(fn: Any) -> None:
    with pytest.raises(TypeError, match=r"\*args/\*\*kwargs"):
        Tool.from_function(fn)


def test_not_callable_is_refused() -> None:
    with pytest.raises(TypeError):
        Tool.from_function(42)  # type: ignore[arg-type]


def test_bound_methods_callables_and_partials() -> None:
    class Greeter:
        """Greets people."""

        def __init__(self, greeting: str) -> None:
            self.greeting = greeting

        def greet(self, who: str) -> str:
            """Say hello."""
            return f"{self.greeting}, {who}"

        def __call__(self, who: str, loud: bool = False) -> str:
            return self.greet(who).upper() if loud else self.greet(who)

    g = Greeter("Hi")
    method = Tool.from_function(g.greet)
    assert (method.name, method.description) == ("greet", "Say hello.")
    assert list(method.parameters["properties"]) == ["who"]
    assert call_in_thread(method, {"who": "Ann"}).result == "Hi, Ann"

    instance = Tool.from_function(g)
    assert (instance.name, instance.description) == ("Greeter", "Greets people.")
    assert call_in_thread(instance, {"who": "Ann", "loud": True}).result == "HI, ANN"

    partial = Tool.from_function(functools.partial(get_weather, unit="F"))
    assert partial.name == "get_weather"
    assert call_in_thread(partial, {"city": "Oslo"}).result == "Oslo: 21 F"


def test_as_tool() -> None:
    tool = Tool.from_function(get_weather)
    assert as_tool(tool) is tool
    assert as_tool(get_weather).parameters == tool.parameters


# --- validate / as_code -------------------------------------------------------------------


def test_validate_json_string_and_dict() -> None:
    tool = Tool.from_function(get_weather)
    expected = {"city": "Paris", "unit": "F", "days": 3, "tags": None, "note": ""}
    assert tool.validate('{"city": "Paris", "unit": "F", "days": 3}') == expected
    assert tool.validate({"city": "Paris", "unit": "F", "days": "3"}) == expected
    assert Tool.from_function(aget_weather).validate('{"city": "Rome"}')["unit"] == "C"


@pytest.mark.parametrize("empty", [None, "", "  ", {}, b""])
def test_validate_empty_means_no_arguments(empty: Any) -> None:
    def all_defaults(a: int = 1, b: str = "b") -> None: ...

    assert Tool.from_function(all_defaults).validate(empty) == {"a": 1, "b": "b"}
    with pytest.raises(ToolArgumentsError, match=r"^city: Field required$"):
        Tool.from_function(get_weather).validate(empty)


def test_validate_converts_models() -> None:
    args = Tool.from_function(locate).validate(
        {"where": {"city": "Lyon"}, "window": {"start": "8", "end": "9"}}
    )
    assert args["where"] == Location(city="Lyon", country="FR")
    assert args["window"] == {"start": "8", "end": "9"}


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ('{"city": "Paris",', r"^arguments: not valid JSON"),
        ("[1, 2]", r"^arguments: expected a JSON object, got list$"),
        ('"Paris"', r"^arguments: expected a JSON object, got str$"),
        ('{"city": "Paris", "unit": "K"}', r"^unit: Input should be 'C' or 'F'$"),
        ('{"unit": "C"}', r"^city: Field required$"),
        ('{"city": "Paris", "colour": "red"}', r"^colour: Extra inputs are not permitted$"),
        ({"city": "Paris", "days": "soon"}, r"^days: Input should be a valid integer"),
        ('__import__("os").system("x")', r"^arguments: not valid JSON"),
    ],
)
def test_validate_rejects(args: Any, pattern: str) -> None:
    tool = Tool.from_function(get_weather)
    with pytest.raises(ToolArgumentsError, match=pattern):
        tool.validate(args)


def test_validate_one_line_per_error_and_error_types() -> None:
    tool = Tool.from_function(get_weather)
    with pytest.raises(ToolArgumentsError) as info:
        tool.validate({"unit": "K", "days": "x"})
    lines = str(info.value).splitlines()
    assert lines[0] == "city: Field required"
    assert lines[1] == "unit: Input should be 'C' or 'F'"
    assert lines[2].startswith("days: ")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, NbagentError)


def test_validate_nested_field_location() -> None:
    with pytest.raises(ToolArgumentsError, match=r"^where\.city: Field required$"):
        Tool.from_function(locate).validate({"where": {}, "window": {"start": "a", "end": "b"}})


def test_as_code() -> None:
    tool = Tool.from_function(get_weather)
    assert tool.as_code({"city": "Paris", "unit": "C"}) == "get_weather(city='Paris', unit='C')"
    assert tool.as_code({"tags": ["a"], "days": None}) == "get_weather(tags=['a'], days=None)"
    assert tool.as_code({}) == "get_weather()"
    code = tool.as_code({"city": 'O\'Hare "x"\n'})
    assert eval(code, {"get_weather": get_weather}) == 'O\'Hare "x"\n: 21 C'


# --- call_tool ----------------------------------------------------------------------------


def call(tool: Tool, args: Any) -> ToolOutcome:
    return aio.run(call_tool(tool, args))


def call_in_thread(tool: Tool, args: Any) -> ToolOutcome:
    """call_tool_sync from a thread with no event loop, whatever the test process holds."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(call_tool_sync, tool, args).result()


def test_call_sync_tool() -> None:
    out = call(Tool.from_function(get_weather), '{"city": "Paris"}')
    assert out.result == "Paris: 21 C"
    assert not out.is_error
    assert (out.error_type, out.error_message, out.traceback) == (None, None, None)
    assert out.duration_s >= 0
    assert not out.abandoned


def test_call_async_tool() -> None:
    out = call(Tool.from_function(aget_weather), {"city": "Rome", "unit": "F"})
    assert out.result == {"city": "Rome", "temp": 21, "unit": "F"}
    assert not out.is_error


def test_call_runs_sync_tools_off_the_loop_thread() -> None:
    seen: list[str] = []

    def where_am_i() -> str:
        seen.append(threading.current_thread().name)
        return "ok"

    assert call(Tool.from_function(where_am_i), None).result == "ok"
    assert seen == ["nbagent-tool"]


def test_call_positional_only_parameters() -> None:
    def pos(a: int, /, b: int = 1) -> int:
        return a * 10 + b

    assert call(Tool.from_function(pos), {"a": 3, "b": 4}).result == 34


def test_call_raising_tool() -> None:
    out = call(Tool.from_function(boom), {"n": 7})
    assert out.is_error
    assert out.result is None
    assert out.error_type == "ValueError"
    assert out.error_message == "bad n: 7"
    assert out.traceback is not None
    assert "# the raise line" in out.traceback
    assert "ValueError: bad n: 7" in out.traceback
    assert "nbagent/tools.py" not in out.traceback
    assert out.content_for_model() == "Error: ValueError: bad n: 7"


def test_call_raising_async_tool() -> None:
    async def aboom() -> None:
        await asyncio.sleep(0)
        raise KeyError("missing")

    out = call(Tool.from_function(aboom), "{}")
    assert (out.error_type, out.error_message) == ("KeyError", "'missing'")
    assert out.traceback is not None
    assert 'raise KeyError("missing")' in out.traceback


def test_tool_raising_its_own_timeout_error_is_not_a_timeout() -> None:
    def own_timeout() -> None:
        raise TimeoutError("upstream took too long")

    out = call(Tool.from_function(own_timeout, timeout_s=5), None)
    assert (out.error_type, out.error_message) == ("TimeoutError", "upstream took too long")
    assert out.traceback is not None
    assert not out.abandoned


def test_sync_tool_past_its_timeout_is_abandoned() -> None:
    release = threading.Event()
    finished = threading.Event()

    def slow() -> str:
        release.wait(PATIENCE)  # released only after the checks
        print("late")
        finished.set()
        return "late"

    before = abandoned_threads()
    out = call(Tool.from_function(slow, timeout_s=0.2), None)
    assert not finished.is_set()  # the call returned at the timeout, not when the tool did
    assert out.error_type == "TimeoutError"
    assert out.error_message == "slow did not finish within 0.2 s"
    assert out.abandoned
    assert out.traceback is None
    assert out.duration_s >= 0.2
    assert abandoned_threads() == before + 1
    release.set()
    assert finished.wait(PATIENCE)
    wait_for(lambda: abandoned_threads() == before, what="the abandoned thread to be counted out")


def test_async_tool_past_its_timeout_is_cancelled() -> None:
    cancelled = threading.Event()

    async def slow() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    out = call(Tool.from_function(slow, timeout_s=0.2), None)
    assert out.error_type == "TimeoutError"
    assert out.error_message == "slow did not finish within 0.2 s"
    assert not out.abandoned
    assert cancelled.is_set()
    assert out.content_for_model() == "Error: TimeoutError: slow did not finish within 0.2 s"


def test_cancelling_call_tool_propagates_and_cancels_an_async_tool() -> None:
    cancelled = threading.Event()
    started = threading.Event()

    async def slow() -> None:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def main() -> None:
        task = asyncio.ensure_future(call_tool(Tool.from_function(slow), None))
        # Cancelled while the tool runs: a task cancelled before it started runs nothing.
        deadline = time.monotonic() + 5
        while not started.is_set():
            assert time.monotonic() < deadline, "the tool never started"
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    original = sys.stdout
    aio.run(main())
    assert cancelled.is_set()
    assert sys.stdout is original


def test_bad_arguments_do_not_call_the_tool() -> None:
    calls: list[object] = []

    def record(n: int) -> int:
        calls.append(n)
        return n

    out = call(Tool.from_function(record), '{"n": "many"}')
    assert out.error_type == "ToolArgumentsError"
    assert out.error_message is not None
    assert out.error_message.startswith("n: Input should be a valid integer")
    assert out.traceback is None
    assert calls == []
    assert out.content_for_model().startswith("Error: ToolArgumentsError: n: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        ({"a": [1, 2.5, None, True]}, {"a": [1, 2.5, None, True]}),
        (Location(city="Nice"), {"city": "Nice", "country": "FR"}),
        (Point(1, 2), {"x": 1, "y": 2}),
        (Opaque(), "<Opaque thing>"),
        ([Opaque()], "[<Opaque thing>]"),
    ],
)
def test_results_are_made_json_able(value: Any, expected: Any) -> None:
    def give() -> Any:
        return value

    out = call(Tool.from_function(give), None)
    assert out.result == expected
    assert not out.is_error


def test_call_tool_sync_with_no_loop() -> None:
    out = call_in_thread(Tool.from_function(aget_weather), '{"city": "Bern"}')
    assert out.result == {"city": "Bern", "temp": 21, "unit": "C"}
    assert call_in_thread(Tool.from_function(get_weather), {"city": "Bern"}).result == (
        "Bern: 21 C"
    )


def test_call_tool_sync_inside_a_running_loop_works() -> None:
    """As in a notebook cell, whose thread runs the kernel's loop."""

    async def main() -> tuple[ToolOutcome, ToolOutcome]:
        sync = call_tool_sync(Tool.from_function(get_weather), {"city": "Bern"})
        coro = call_tool_sync(Tool.from_function(aget_weather), '{"city": "Bern"}')
        return sync, coro

    sync, coro = aio.run(main())
    assert sync.result == "Bern: 21 C"
    assert coro.result == {"city": "Bern", "temp": 21, "unit": "C"}


def test_sync_wrapper_around_an_async_function_is_awaited() -> None:
    def wrapper(city: str) -> Any:
        return aget_weather(city)

    out = call(Tool.from_function(wrapper), {"city": "Graz"})
    assert out.result == {"city": "Graz", "temp": 21, "unit": "C"}


# --- content_for_model --------------------------------------------------------------------


def test_content_for_model() -> None:
    assert ToolOutcome(result="plain text").content_for_model() == "plain text"
    assert (
        ToolOutcome(result={"t": "21°", "n": [1]}).content_for_model() == '{"t": "21°", "n": [1]}'
    )
    assert ToolOutcome(result=None).content_for_model() == "null"
    assert ToolOutcome(result=3).content_for_model() == "3"
    error = ToolOutcome(error_type="ValueError", error_message="nope", output="printed")
    assert error.is_error
    assert error.content_for_model() == "Error: ValueError: nope"
    assert ToolOutcome(result="r", output="printed").content_for_model() == "r"


# --- output capture -----------------------------------------------------------------------


def test_printed_output_is_captured(capsys: pytest.CaptureFixture[str]) -> None:
    def chatty(n: int) -> int:
        print("working on", n)
        print("warning!", file=sys.stderr)
        sys.stdout.write("done\n")
        return n

    original = sys.stdout
    out = call(Tool.from_function(chatty), {"n": 2})
    assert out.result == 2
    assert out.output == "working on 2\nwarning!\ndone\n"
    assert sys.stdout is original
    assert capsys.readouterr() == ("", "")


def test_async_output_is_captured_and_others_are_not(capsys: pytest.CaptureFixture[str]) -> None:
    async def achatty() -> str:
        print("inside")
        await asyncio.sleep(0)
        return "ok"

    async def main() -> ToolOutcome:
        task = asyncio.ensure_future(call_tool(Tool.from_function(achatty), None))
        await asyncio.sleep(0)
        print("outside")  # a print of the caller while the tool runs reaches the real stdout
        return await task

    out = aio.run(main())
    assert out.output == "inside\n"
    assert capsys.readouterr().out == "outside\n"


def test_concurrent_tools_keep_their_own_output(capsys: pytest.CaptureFixture[str]) -> None:
    def sync_printer(n: int) -> str:
        for i in range(n):
            print(f"sync {i}")
            time.sleep(0.01)
        return "sync done"

    async def async_printer(n: int) -> str:
        for i in range(n):
            print(f"async {i}")
            await asyncio.sleep(0.01)
        return "async done"

    async def bystander() -> None:
        for i in range(5):
            print(f"cell {i}")
            await asyncio.sleep(0.01)

    async def main() -> list[Any]:
        return await asyncio.gather(
            call_tool(Tool.from_function(sync_printer), {"n": 6}),
            call_tool(Tool.from_function(async_printer), {"n": 6}),
            bystander(),
        )

    original_out, original_err = sys.stdout, sys.stderr
    a, b, _ = aio.run(main())
    assert a.result == "sync done"
    assert b.result == "async done"
    assert a.output == "".join(f"sync {i}\n" for i in range(6))
    assert b.output == "".join(f"async {i}\n" for i in range(6))
    assert capsys.readouterr().out == "".join(f"cell {i}\n" for i in range(5))
    assert sys.stdout is original_out
    assert sys.stderr is original_err


def test_streams_swapped_during_a_call_are_left_alone() -> None:
    replacement = io.StringIO()

    def swap() -> None:
        sys.stdout = replacement

    original = sys.stdout
    try:
        call(Tool.from_function(swap), None)
        assert sys.stdout is replacement
    finally:
        sys.stdout = original
