"""The offline demo: three agent runs recorded with nbagent, the prompts and tools they
were made with, so that a live model can run the same cells, and the scripted model that the
tutorials talk to when no API key is set.

    nbagent.replay(demo.recording("weather"))                  # play one (no network, no key)
    llm = demo.connect()       # a live model with OPENAI_API_KEY / OPENAI_BASE_URL, else scripted
    agent = nbagent.Agent(llm.model, tools=demo.TOOLS, instructions=demo.INSTRUCTIONS,
                          client=llm.client)
    agent.run(demo.DEMOS["weather"].prompt)                    # the same run, its tools live

The recordings were made by ``tests/record_demos.py``: ``nbagent.Agent`` calling these tools
for ``demo.model.ScriptedModel``, an OpenAI-compatible server on 127.0.0.1 that streams its
tokens at a model's pace, following each demo's script (``nbagent.demo.scripts``), as it does
for ``connect()``'s agent. The tools are real Python and really run; their data is built in
(no network).
"""

from __future__ import annotations

import csv
import errno
import fnmatch
import io
import time
from pathlib import Path
from typing import Any, Literal

from nbagent.demo.model import Connection, ScriptedModel, connect
from nbagent.demo.scripts import DEMOS, Demo

__all__ = [
    "DEMOS",
    "INSTRUCTIONS",
    "TOOLS",
    "TRACES",
    "Connection",
    "Demo",
    "ScriptedModel",
    "connect",
    "get_weather",
    "list_files",
    "recording",
    "revenue_by_region",
    "trace",
]

_HERE = Path(__file__).resolve().parent


INSTRUCTIONS = (
    "You are a helpful assistant inside a Jupyter notebook. Use the tools when they help "
    "and answer in markdown."
)


def recording(name: str) -> Path:
    """The JSONL file of the demo run ``name`` (a key of ``DEMOS``)."""
    if name not in DEMOS:
        raise KeyError(f"no demo named {name!r}; demos: {', '.join(DEMOS)}")
    return _HERE / f"{name}.jsonl"


TRACES: dict[str, str] = {
    "otlp-genai": (
        "a travel assistant on the openai client, traced by opentelemetry-instrumentation-"
        "openai-v2 and opentelemetry-util-genai (GenAI conventions, content on the spans), "
        "written by the OpenTelemetry SDK's OTLP encoder one export request per line: four "
        "model calls of a small local model, three tools (one failing), a sub-agent"
    ),
}
"""Runs recorded elsewhere, by other tools, that ``nbagent.load_trace`` opens: name → what
wrote it (the repository's ``tests/fixtures/traces/README.md`` says how)."""


def trace(name: str) -> Path:
    """The file of the trace ``name`` (a key of ``TRACES``), as the tool that wrote it left it."""
    if name not in TRACES:
        raise KeyError(f"no trace named {name!r}; traces: {', '.join(TRACES)}")
    return _HERE / "traces" / f"{name}.jsonl"


# -- the tools ---------------------------------------------------------------------------

_STATIONS: dict[str, dict[str, Any]] = {
    "Paris": {"temp_c": 14, "sky": "cloudy", "wind_kmh": 12, "rain_chance": 0.3},
    "Oslo": {"temp_c": -2, "sky": "light snow", "wind_kmh": 20, "rain_chance": 0.6},
    "Lisbon": {"temp_c": 21, "sky": "sunny", "wind_kmh": 9, "rain_chance": 0.05},
    "New York": {"temp_c": 8, "sky": "rain", "wind_kmh": 25, "rain_chance": 0.9},
}
_STATION_LATENCY_S = 0.35


def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
    """Current weather observations for a city.

    A stand-in weather service with fixed observations for a few cities (no network).

    Args:
        city: The city's name, e.g. "Paris".
        unit: Celsius or Fahrenheit.
    """
    time.sleep(_STATION_LATENCY_S)  # a station answers in a few hundred milliseconds
    found = _STATIONS.get(city.strip().title())
    if found is None:
        raise LookupError(f"no weather station for {city!r}; stations: {', '.join(_STATIONS)}")
    temp = found["temp_c"] if unit == "C" else round(found["temp_c"] * 9 / 5 + 32)
    return {"city": city.strip().title(), "temp": temp, "unit": unit} | {
        k: v for k, v in found.items() if k != "temp_c"
    }


_FILES = {
    "customers.csv": "id,name,region\n1,Acme,EU\n2,Globex,NA\n3,Initech,APAC\n",
    "sales_2024_q2.csv": (
        "date,region,product,units,unit_price\n"
        "2024-04-03,EU,widget,120,9.5\n2024-05-14,NA,widget,200,9.5\n"
        "2024-06-21,APAC,gadget,80,24.0\n"
    ),
    "sales_2024_q3.csv": (
        "date,region,product,units,unit_price\n"
        "2024-07-02,EU,widget,140,9.5\n2024-07-15,NA,widget,260,9.5\n"
        "2024-07-29,APAC,gadget,95,24.0\n2024-08-06,EU,gadget,60,24.0\n"
        "2024-08-19,NA,gizmo,35,119.0\n2024-08-30,APAC,widget,150,9.5\n"
        "2024-09-09,EU,gizmo,22,119.0\n2024-09-18,NA,gadget,110,24.0\n"
        "2024-09-27,APAC,gizmo,18,119.0\n"
    ),
}


def list_files(pattern: str = "*") -> list[str]:
    """The data files available, optionally filtered by a glob pattern such as "sales*".

    Args:
        pattern: A glob pattern.
    """
    return sorted(name for name in _FILES if fnmatch.fnmatch(name, pattern))


def revenue_by_region(path: str) -> dict[str, float]:
    """Total revenue (units times unit price) per region of a sales CSV file.

    Args:
        path: The file's name, as listed by list_files.
    """
    text = _FILES.get(path)
    if text is None:
        raise FileNotFoundError(errno.ENOENT, "No such file", path)
    rows = list(csv.DictReader(io.StringIO(text)))
    print(f"read {len(rows)} rows from {path}")
    totals: dict[str, float] = {}
    for row in rows:
        amount = int(row["units"]) * float(row["unit_price"])
        totals[row["region"]] = round(totals.get(row["region"], 0.0) + amount, 2)
    return totals


TOOLS = [get_weather, list_files, revenue_by_region]
"""The demo agent's tools (what a live model gets too)."""
