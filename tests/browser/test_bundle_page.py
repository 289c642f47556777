"""The built bundle in a bare page: hostile inputs in every field, streaming equivalence, Stop.

The page (``bare/``) imports ``nbagent/static/widget.js`` and drives it with a fake model;
``tests/fixtures/hostile.json`` holds the hostile inputs (rendering.md §5's ten first) and
``bare/check.js`` the DOM checks (also used by the vitest suite).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nbagent.widget.wire import encode_lanes, encode_ops
from tests.wait import PATIENCE

pytestmark = pytest.mark.browser

HOSTILE: list[str] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "hostile.json").read_text()
)
IDS = [f"hostile{n + 1}" for n in range(len(HOSTILE))]


def chunks(text: str, rng: random.Random, lo: int = 3, hi: int = 7) -> Iterator[str]:
    i = 0
    while i < len(text):
        n = rng.randint(lo, hi)
        yield text[i : i + n]
        i += n


def prefixes(text: str, rng: random.Random) -> Iterator[str]:
    acc = ""
    for c in chunks(text, rng):
        acc += c
        yield acc


class Kernel:
    """The kernel → browser messages in wire form (docs/develop/contracts.md), seq increasing."""

    def __init__(self) -> None:
        self.seq = 0
        self.now = 1000.0
        self.msgs: list[dict[str, Any]] = []

    def ops(self, *ops: dict[str, Any]) -> None:
        """One ops message in the compact wire form (nbagent/wire.py)."""
        self.seq += 1
        self.now += 0.05
        self.msgs.append(encode_ops(self.seq, list(ops), self.now))

    def trait(self, name: str, value: Any) -> None:
        self.msgs.append({"trait": name, "value": value})

    def start(self) -> None:
        self.ops(
            {
                "op": "run",
                "set": {
                    "version": 1,
                    "run_id": "r1",
                    "status": "running",
                    "started_at": 1000.0,
                    "deltas": 0,
                    "blocks": [],
                },
            }
        )

    def end(self, status: str = "completed", **extra: Any) -> None:
        self.ops(
            {
                "op": "run",
                "set": {"status": status, "end_reason": status, "ended_at": self.now, **extra},
            }
        )


class LanesKernel(Kernel):
    """The messages of a widget of several runs (lanes, chat turns): ``lane_ops`` and ``meta``."""

    def lane(self, index: int, *ops: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        self.seq += 1
        self.now += 0.05
        metas = {index: meta} if meta is not None else {}
        self.msgs.append(encode_lanes(self.seq, [(index, list(ops))], metas, self.now))


RUN_FIELDS = {"version": 1, "run_id": "r1", "status": "running", "started_at": 1000.0}
DONE = {"op": "run", "set": {"status": "completed", "end_reason": "completed", "ended_at": 1001.0}}


def lanes_scenario(kind: str, text: str, rng: random.Random) -> LanesKernel:
    """Hostile lane names (``lanes``) or chat prompts (``chat``), at every streamed prefix."""
    k = LanesKernel()
    key = "title" if kind == "lane_name" else "prompt"
    start = {"op": "run", "set": RUN_FIELDS}
    answer = {"op": "add", "block": {"type": "text", "id": "m", "text": "ok"}}
    k.lane(0, start, answer, meta={"title": None, "prompt": None, "can_rerun": False})
    k.lane(1, start, DONE, meta={"title": "other", "prompt": "other", "can_rerun": False})
    for prefix in prefixes(text, rng):
        k.lane(0, meta={key: prefix})
    k.lane(0, DONE)
    for prefix in prefixes(text, rng):
        k.trait("title", prefix)  # the widget's own title
    return k


def tool_block(name: str = "get_weather", **over: Any) -> dict[str, Any]:
    block = {
        "type": "tool",
        "id": "call_a",
        "name": name,
        "arguments": "",
        "args": None,
        "parse_error": None,
        "state": "args",
        "result": None,
        "is_error": False,
        "started_at": 1000.0,
        "args_done_at": None,
        "ended_at": None,
        "duration_s": None,
    }
    block.update(over)
    return block


def scenario(kind: str, text: str, rng: random.Random, *, char_by_char: bool = False) -> Kernel:
    k = Kernel()
    k.start()
    pieces = list(text) if char_by_char else list(chunks(text, rng))
    if kind == "answer":
        k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": "", "refusal": False}})
        for p in pieces:
            k.ops({"op": "append", "i": 0, "key": "text", "text": p})
    elif kind == "thinking":
        k.ops(
            {
                "op": "add",
                "block": {
                    "type": "thinking",
                    "id": "m1:think",
                    "text": "",
                    "redacted": False,
                    "started_at": 1000.0,
                    "ended_at": None,
                },
            }
        )
        for p in pieces:
            k.ops({"op": "append", "i": 0, "key": "text", "text": p})
        k.ops({"op": "set", "i": 0, "set": {"ended_at": k.now}})
        k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": text}})
    elif kind == "tool_name":
        for n, prefix in enumerate(prefixes(text, rng)):
            k.ops({"op": "add", "block": tool_block(prefix, id=f"call_{n}")})
    elif kind == "tool_args":
        k.ops({"op": "add", "block": tool_block()})
        for p in pieces:
            k.ops({"op": "append", "i": 0, "key": "arguments", "text": p})
        k.ops(
            {
                "op": "set",
                "i": 0,
                "set": {"state": "running", "parse_error": "Expecting value: " + text},
            }
        )
        k.ops(
            {
                "op": "set",
                "i": 0,
                "set": {"args": {text: text, "nested": [text]}, "parse_error": None},
            }
        )
    elif kind == "tool_result":
        k.ops({"op": "add", "block": tool_block(arguments="{}", args={}, state="running")})
        for prefix in prefixes(text, rng):
            k.ops({"op": "set", "i": 0, "set": {"result": prefix}})
        k.ops(
            {
                "op": "set",
                "i": 0,
                "set": {"state": "done", "result": {"html": text, "list": [text]}},
            }
        )
        k.ops({"op": "set", "i": 0, "set": {"state": "error", "is_error": True, "result": text}})
    elif kind == "error":
        k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": "partial"}})
        for prefix in prefixes(text, rng):
            k.ops(
                {
                    "op": "run",
                    "set": {"error": {"message": prefix, "error_type": prefix, "code": prefix}},
                }
            )
        k.ops({"op": "run", "set": {"warnings": [text, {"message": text}], "activity": text}})
        k.end("error", error={"message": text, "error_type": None, "code": None})
        return k
    elif kind == "title":
        for prefix in prefixes(text, rng):
            k.trait("title", prefix)
        k.trait("title", "")
        for prefix in prefixes(text, rng):
            k.ops({"op": "run", "set": {"title": prefix}})
    else:  # pragma: no cover
        raise AssertionError(kind)
    k.end()
    return k


def assert_clean(bare: Any, failure: Any) -> None:
    assert failure is None, json.dumps(failure, indent=1)
    assert bare.eval("window.__pwned") is None
    assert bare.errors == [], bare.errors
    assert all_requests_logged(bare).foreign_requests() == [], bare.foreign_requests()


_MARKS = itertools.count()


def all_requests_logged(bare: Any) -> Any:
    """``bare`` once every request its content started is in its log. The page starts one
    more of its own after computing styles (CSS images are asked for then): requests are
    logged in the order the page starts them, so once that one is, so is any before it."""
    mark = f"{bare.origin}/tests/browser/bare/index.html?logged={next(_MARKS)}"
    with bare.page.expect_request(mark, timeout=PATIENCE * 1000):
        bare.eval("(url) => { document.body.getBoundingClientRect(); fetch(url); }", mark)
    return bare


@pytest.fixture
def manual_page(bare_page_factory: Any) -> Any:
    return bare_page_factory(manual=True)


def test_hostile_answer_text_char_by_char(manual_page: Any) -> None:
    """Every hostile input streamed one character at a time as answer text; checked every frame."""
    rng = random.Random(1)
    for n, text in enumerate(HOSTILE):
        manual_page.eval("nba.mount()")
        failure = manual_page.eval(
            "(m) => nba.stream(m)", scenario("answer", text, rng, char_by_char=True).msgs
        )
        assert_clean(manual_page, failure and {"input": n + 1, **failure})
        html = manual_page.eval("nba.mdHtml(0)")
        assert html == manual_page.eval("(s) => nba.wholeHtml(s)", text), f"input {n + 1}"


@pytest.mark.parametrize(
    "kind", ["answer", "thinking", "tool_name", "tool_args", "tool_result", "error", "title"]
)
def test_hostile_inputs_in_every_field(manual_page: Any, kind: str) -> None:
    """Every hostile input streamed a few characters at a time into each field the widget shows."""
    rng = random.Random(kind)
    for n, text in enumerate(HOSTILE):
        manual_page.eval("nba.mount()")
        failure = manual_page.eval("(m) => nba.stream(m)", scenario(kind, text, rng).msgs)
        assert_clean(manual_page, failure and {"input": n + 1, **failure})
        shown = manual_page.eval("nba.text()")
        if kind == "tool_args":  # the parsed arguments, pretty-printed JSON
            assert json.dumps(text, ensure_ascii=False) in shown, f"input {n + 1}"
        elif kind not in ("answer", "thinking"):  # markdown there; elsewhere verbatim text
            assert text.replace("\n", "") in shown.replace("\n", ""), f"input {n + 1}"


@pytest.mark.parametrize("kind", ["lane_name", "chat_prompt"])
def test_hostile_lane_names_and_chat_prompts(manual_page: Any, kind: str) -> None:
    """Lane names (``show({...})``, ``compare``) and chat prompts, and the widget's title."""
    rng = random.Random(kind)
    traits = {"arrangement": "lanes" if kind == "lane_name" else "chat"}
    for n, text in enumerate(HOSTILE):
        manual_page.eval("(t) => nba.mount({...t, snapshot: {seq: 0, lanes: []}})", traits)
        failure = manual_page.eval("(m) => nba.stream(m)", lanes_scenario(kind, text, rng).msgs)
        assert_clean(manual_page, failure and {"input": n + 1, **failure})
        shown = manual_page.eval("nba.text()")
        assert text.replace("\n", "") in shown.replace("\n", ""), f"input {n + 1}"


def test_hostile_inputs_with_real_frames(bare_page_factory: Any) -> None:
    """A few inputs char by char with the browser's own animation frames and real scheduling."""
    bare = bare_page_factory()
    rng = random.Random(3)
    for n in (0, 7, 9):
        bare.eval("nba.mount()")
        failure = bare.eval(
            "(m) => nba.stream(m)", scenario("answer", HOSTILE[n], rng, char_by_char=True).msgs
        )
        assert_clean(bare, failure and {"input": n + 1, **failure})


DOC = """# Weather report

Here is a **summary** with `inline code` and a [link](https://example.com).

1. first item
2. second item with *emphasis*
   - nested bullet
3. third

| city | temp | note |
|:-----|-----:|:----:|
| Paris | 18 | *mild* |
| Oslo | 4 | `cold` |

```python
def f(x):
    # a comment
    return "hot" if x > 30 else None
```

> A closing quote
> over two lines.

- [x] done
- [ ] todo

Final paragraph.
"""


@pytest.mark.parametrize("manual", [True, False], ids=["manual-frames", "browser-frames"])
def test_streamed_document_equals_whole_render(bare_page_factory: Any, manual: bool) -> None:
    bare = bare_page_factory(manual=manual)
    bare.eval("nba.mount()")
    # The code is highlighted by the highlight chunk, which the code model brings a moment
    # after mount (a loaded CI machine began streaming before it had come).
    bare.eval("nba.chunksHere()")
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": ""}})
    rng = random.Random(7)
    for piece in chunks(DOC, rng, 1, 9):
        k.ops({"op": "append", "i": 0, "key": "text", "text": piece})
    live_html = bare.eval("(m) => nba.stream(m).then(() => nba.mdHtml(0))", k.msgs)
    assert "<table>" in live_html  # the table has frozen before the end
    k2 = Kernel()
    k2.seq = k.seq
    k2.end()
    assert_clean(bare, bare.eval("(m) => nba.stream(m)", k2.msgs))
    final = bare.eval("nba.mdHtml(0)")
    assert final == bare.eval("(s) => nba.wholeHtml(s)", DOC)
    for needle in (
        "<table>",
        'class="language-python"',
        "nba-hl-k",
        "<ol>",
        "<blockquote>",
        'type="checkbox"',
    ):
        assert needle in final


def test_stop_sends_stop(bare_page_factory: Any) -> None:
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    assert bare.eval("nba.sent") == [{"type": "sync"}]
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": "Working…"}})
    bare.eval("(m) => nba.stream(m)", k.msgs)
    stop = bare.page.locator(".nba-stop")
    assert stop.is_visible()
    stop.click()
    # The page asks again for the sync no snapshot answered (after 1 s, then backing off: a
    # loaded machine reaches the click later): those repeats aside, the click sent one stop.
    sent = bare.eval("nba.sent")
    assert sent[0] == {"type": "sync"}
    assert [m for m in sent if m != {"type": "sync"}] == [{"type": "stop"}]
    assert sent[-1] == {"type": "stop"}
    bare.page.wait_for_function("document.querySelector('.nba-stop').textContent === 'Stopping…'")
    assert stop.is_disabled()
    k.end("cancelled")
    bare.eval("(m) => nba.stream(m.slice(-1))", k.msgs)
    bare.page.wait_for_function("document.querySelector('.nba-stop').hidden")
    assert bare.page.locator(".nba-status-label").text_content() == "cancelled"


def test_auto_scroll_follows_until_the_user_scrolls_up(bare_page_factory: Any) -> None:
    # The widget has no scroll box: the page scrolls, and follows the widget's bottom.
    bare = bare_page_factory()
    bare.eval("nba.mount()")
    k = Kernel()
    k.start()
    k.ops({"op": "add", "block": {"type": "text", "id": "m1", "text": ""}})
    for n in range(60):
        k.ops({"op": "append", "i": 0, "key": "text", "text": f"Paragraph {n} of the answer.\n\n"})
    bare.eval("(m) => nba.stream(m)", k.msgs)
    top_js = "document.scrollingElement.scrollTop"
    gap = "(() => { const s = document.scrollingElement;"
    gap += " return document.querySelector('.nbagent').getBoundingClientRect().bottom"
    gap += " - window.innerHeight; })()"
    assert bare.eval("document.querySelector('.nba-body').scrollHeight") == bare.eval(
        "document.querySelector('.nba-body').clientHeight"
    )  # no scroll box of its own
    bare.page.wait_for_function(f"{gap} <= 8", polling=50)  # pinned: following the bottom
    assert bare.eval(top_js) > 0
    bare.page.hover(".nba-body")
    bare.page.mouse.wheel(0, -300)
    bare.page.wait_for_function(f"{gap} > 8", polling=50)
    # The wheel scrolls smoothly: wait until the page stops moving.
    top = bare.eval(
        """async () => {
            const s = document.scrollingElement;
            const frame = () => new Promise((r) => requestAnimationFrame(r));
            for (let last = -1; last !== s.scrollTop; await frame()) {
                last = s.scrollTop;
                await frame();
            }
            return s.scrollTop;
        }"""
    )
    more = Kernel()
    more.seq = k.seq
    for n in range(10):
        more.ops({"op": "append", "i": 0, "key": "text", "text": f"More {n}.\n\n"})
    bare.eval("(m) => nba.stream(m)", more.msgs)
    # The widget follows in a ResizeObserver callback, which runs after a frame's animation
    # callbacks: two frames after the last render, that round has run. It must not scroll.
    bare.eval("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert bare.eval(top_js) == top  # unpinned: stays
    bare.page.mouse.wheel(0, 100_000)  # back to the bottom: pinned again
    bare.page.wait_for_function(f"{gap} <= 8", polling=50)
    again = Kernel()
    again.seq = more.seq
    for n in range(10):
        again.ops({"op": "append", "i": 0, "key": "text", "text": f"Again {n}.\n\n"})
    bare.eval("(m) => nba.stream(m)", again.msgs)
    bare.page.wait_for_function(f"{gap} <= 8", polling=50)
