"""Twins on one fixture: a Python static view (the HTML a saved notebook shows without
nbagent's JS) and its JS live view draw each case of ``tests/fixtures/twins/*.json`` to the
same visible text; ``js/test/twins.test.js`` draws the JS side of the same cases.

A fixture names its twins (``python``, ``js``), how a case is drawn (``view``), the state its
cases start from (``base``), its parts (a selector per side, ``tests/twin_text.py``) and its
cases: an input and each part's text. A text the two sides write differently is kept apart,
``{"py": …, "js": …, "why": …}``, saying why.

Each twin names the other in its header (a Python module's docstring, a JS module's leading
comment): "Twin: js/src/…" and "Twin: nbagent/…"; the twins so named share a fixture.

``python -m tests.test_twins`` prints what the Python side draws of every case (to write a
case's texts); ``TWINS_DUMP=1 npx vitest run test/twins.test.js`` prints the JS side's."""

from __future__ import annotations

import ast
import json
import re
import sys
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from nbagent.evaluation.static import table_html
from nbagent.transcript.transcript import Transcript
from nbagent.widget.output import OutputRun, mimebundle
from tests.twin_text import parse, read

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "twins"
FIXTURES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(FIXTURE_DIR.glob("*.json"))}


def _state(fixture: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    return {**fixture.get("base", {}), **(state or {})}


def _inspector_html(case: dict[str, Any]) -> str:
    from nbagent.widget.inspector import InspectorWidget
    from nbagent.widget.widget import LanesWidget

    calls = LanesWidget(arrangement="chat")
    widget = InspectorWidget(calls=calls, server=case["server"], catalog=case["catalog"])
    try:
        return widget.static_html()
    finally:
        widget.close()
        calls.close()


def draw(fixture: dict[str, Any], case: dict[str, Any]) -> str:
    """The Python static copy of ``case``: its saved output's ``text/html``."""
    view = fixture["view"]
    if view == "run":
        return str(mimebundle([OutputRun(_state(fixture, case["state"]))])["text/html"])
    if view == "runs":
        runs = [
            OutputRun(_state(fixture, r["state"]), r.get("title"), r.get("prompt"))
            for r in case["runs"]
        ]
        shown = mimebundle(runs, layout=case["layout"], title=case.get("title"))
        return str(shown["text/html"])
    if view == "evaluation":
        return table_html(case["rows"], case["scores"])
    if view == "inspector":
        return _inspector_html(case)
    raise ValueError(f"a view the twins do not know: {view!r}")


def texts(fixture: dict[str, Any], case: dict[str, Any]) -> dict[str, list[str]]:
    """What each part of the fixture reads in the case's static copy."""
    root = parse(draw(fixture, case))
    return {name: read(root, _selector(sel, "py")) for name, sel in fixture["parts"].items()}


def _selector(sel: str | dict[str, str], side: str) -> str:
    return sel if isinstance(sel, str) else sel[side]


def shown(got: list[str], want: Any, side: str) -> tuple[Any, Any]:
    """What a part reads and what its case says, for one side (the same for both, or the
    side's own): one text (the elements found, one after the other) or one per element."""
    if isinstance(want, dict):
        want = want[side]
    return (" ".join(t for t in got if t), want) if isinstance(want, str) else (got, want)


CASES = [
    pytest.param(name, case, id=f"{name}: {case['name']}")
    for name, fixture in FIXTURES.items()
    for case in fixture["cases"]
]


@pytest.mark.parametrize(("name", "case"), CASES)
def test_the_static_copy_reads_as_the_fixture_says(name: str, case: dict[str, Any]) -> None:
    fixture = FIXTURES[name]
    got = texts(fixture, case)
    for part, want in case["text"].items():
        assert part in fixture["parts"], f"{part!r} is no part of {name}.json"
        text, says = shown(got[part], want, "py")
        assert text == says, f"{part}: {text!r}"


def test_every_case_says_what_differs_and_why() -> None:
    for name, fixture in FIXTURES.items():
        for case in fixture["cases"]:
            for part, want in case["text"].items():
                if isinstance(want, dict):
                    assert set(want) == {"py", "js", "why"}, (name, case["name"], part)
                    assert want["py"] != want["js"], f"{name}: {case['name']}: {part} agrees"


def test_the_states_are_transcripts_states() -> None:
    """Every state a case draws is one ``Transcript.to_dict()`` gives back as it is."""
    for name, fixture in FIXTURES.items():
        for case in fixture["cases"]:
            states = (
                [case["state"]] if "state" in case else [r["state"] for r in case.get("runs", [])]
            )
            for state in states:
                whole = _state(fixture, state)
                assert Transcript.from_dict(whole).to_dict() == whole, (name, case["name"])


LEGACY = {
    "tests/fixtures/formats.json": (
        ["nbagent/transcript/export/formats.py", "nbagent/transcript/export/status.py"],
        ["js/src/base/format.js", "js/src/panels/status_words.js"],
    ),
    "tests/fixtures/timeline.json": (
        ["nbagent/transcript/export/timeline.py"],
        ["js/src/panels/timeline.js"],
    ),
    "tests/fixtures/plain_text.json": (
        ["nbagent/evaluation/static.py"],
        ["js/src/widget/evaluation/rows.js"],
    ),
}
"""The twins' fixtures older than ``twins/``, each read by a pytest and a vitest of its own: the
Python and the JS modules each holds the cases of."""

_NAMED = re.compile(r"\b(?:nbagent|js/src)/[\w/-]+\.(?:py|js)\b")


def header(path: str) -> str:
    """A module's header: a Python module's docstring, a JS module's leading comment."""
    text = (ROOT / path).read_text("utf-8")
    if path.endswith(".py"):
        return ast.get_docstring(ast.parse(text)) or ""
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:])
    return "\n".join(lines)


def twins_of(path: str) -> set[str]:
    """The modules a module's header names as its twins ("Twin: …", to its paragraph's end)."""
    said = header(path).partition("Twin:")[2].split("\n\n")[0]
    return set(_NAMED.findall(said))


def _modules() -> list[str]:
    found = [*ROOT.glob("nbagent/**/*.py"), *ROOT.glob("js/src/**/*.js")]
    return sorted(str(p.relative_to(ROOT)) for p in found)


@cache
def named() -> dict[str, set[str]]:
    """Every module that names twins, and the twins it names."""
    return {m: twins for m in _modules() if (twins := twins_of(m))}


SHARED = [*((f["python"], f["js"]) for f in FIXTURES.values()), *LEGACY.values()]


def test_twins_exist_and_name_each_other() -> None:
    assert named(), "no module names a twin"
    for module, twins in named().items():
        for twin in twins:
            assert (ROOT / twin).is_file(), f"{module} names {twin}, which is not there"
            assert module in twins_of(twin), f"{module} names {twin}, which does not name it"
            assert module.endswith(".py") != twin.endswith(".py"), f"{module}, {twin}"


def test_every_pair_of_twins_shares_a_fixture() -> None:
    shared = {pair for py, js in SHARED for pair in product(py, js)}
    for module, twins in named().items():
        for twin in twins:
            pair = (module, twin) if module.endswith(".py") else (twin, module)
            assert pair in shared, f"{pair} share no fixture of tests/fixtures/twins/"


def test_every_module_a_fixture_names_is_a_twin_of_the_other_side() -> None:
    for py, js in SHARED:
        for module, others in [*((m, js) for m in py), *((m, py) for m in js)]:
            assert set(others) & twins_of(module), f"{module} names none of {others} as its twin"


def main() -> None:
    """Print what the Python side draws of every case (or of the fixtures named)."""
    for name, fixture in FIXTURES.items():
        if sys.argv[1:] and name not in sys.argv[1:]:
            continue
        for case in fixture["cases"]:
            said = {"fixture": name, "case": case["name"], "text": texts(fixture, case)}
            print(json.dumps(said, ensure_ascii=False))


if __name__ == "__main__":
    main()
