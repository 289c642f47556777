"""An evaluation of 1,000 streaming cases against a ``for`` loop of ``nbagent.show`` (issue 31,
"Scale and speed").

    .venv/bin/python -m benchmarks.evaluate [--quick] [--no-browser] [--json PATH]

Alone it writes ``benchmarks/results/evaluate[-quick].json``; in ``make bench`` (``run.py``)
its figures and targets join the others'.

The cases (``benchmarks/evaluate_kernel.py``): 1,000 (``--quick``: 200) questions of ~60
characters; the task, a function, returns a generator of 30 deltas of 2-5 words, 10 ms apart
(~0.3 s of streaming a case); two scorers, a bool and a float. Two contenders, each in a
fresh real kernel (``tests/kernel.Kernel``, jupyter_client) that first runs 8 cases without a
display (imports, thread pools):

- ``evaluate``: ``ev = nbagent.evaluate(task, cases, scorers=[exact, overlap],
  concurrency=32)`` then ``await ev``: one widget;
- ``for loop``: ``nbagent.show(task(x))`` per case, 32 at a time (all 32 shown, then each
  waited for, then the next 32: the same concurrency is not possible in one loop), then the
  same scorers over the transcripts: one widget per case.

From the kernel's IOPub messages of the cell:

- widget messages (``comm_open``, ``comm_msg``, ``comm_close``) per second, by the kernel's
  send time (the header's ``date``): the most in any 1 s window, and the mean (their count
  over the time from the first to the last);
- wire bytes: every comm message's content as JSON plus its binary buffers, against the
  text the table shows (the sum over cases of input + final answer characters); "data only"
  leaves out the code (the code model's bundles, once per kernel, and the evaluation
  widget's own ``_esm``/``_css``). Where the bytes go: by message kind; the evaluation
  widget's open by trait, and its ``rows`` feed by part (header, appended answer text, rows
  by the status they carry: a case's row goes out as it starts and as it ends). The other
  IOPub output (the display's HTML copy: ``display_data``, ``update_display_data``) is
  counted apart;
- kernel memory: RSS of the kernel process (psutil) after ``gc.collect()``, before the cell
  and after it (the evaluation, or the runs, still referenced), over the cases;
- wall time of the cell (sent to idle), and the kernel's CPU seconds.

The saved notebook: the same cells in a notebook run headless by ``jupyter execute
--inplace`` (nbclient saves the widget state, as ``benchmarks/saved_size.py``); the file's
size, and its bytes by widget model and by output type.

The browser (``benchmarks/evaluate_browser.py``): the evaluation in JupyterLab + Chromium,
frame times while it streams and while its table scrolls (beside a plain scroll box of as
many rows), the row elements in the DOM; then the for loop on the same page.

Nothing fails on a missed target: ``report`` says so.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

from benchmarks import standalone
from benchmarks.run import Target
from benchmarks.saved_size import STATE_MIME, execute
from tests.kernel import Kernel, max_per_second

__all__ = ["report", "run", "targets"]

FULL, QUICK = 1000, 200
SETUP = (
    "import gc, time, nbagent\n"
    "from benchmarks import evaluate_kernel as bk\n"
    "_warm = bk.evaluation(8, display=False)\nawait _warm\ndel _warm\n"
)
CELLS = {
    "evaluate": "ev = bk.evaluation({n})\nawait ev",
    "for loop": "loop = bk.for_loop({n})",
}
TEXT = {"evaluate": "bk.evaluation_text(ev)", "for loop": "loop['text']"}
DONE = {
    "evaluate": "sum(c.status == 'completed' for c in ev.cases)",
    "for loop": "sum(r.status == 'completed' for r in loop['runs'])",
}
RSS = "(gc.collect(), __import__('psutil').Process().memory_info().rss)[1]"
MB = 2**20


def _size(msg: dict[str, Any]) -> int:
    return len(json.dumps(msg["content"]).encode()) + sum(len(b) for b in msg.get("buffers", []))


def _name(state: dict[str, Any]) -> str:
    """A widget's class, from the traits its state has (anywidget's are all ``AnyModel``)."""
    if "columns" in state and "transcripts" in state:
        return "EvaluationWidget"
    if "snapshot" in state:
        return "AgentWidget"
    return str(state.get("_model_name", "?"))


def _kind(msg: dict[str, Any], names: dict[str, str]) -> str:
    """What a comm message is: ``open <widget>``, ``<widget> update <traits>``,
    ``<widget> custom <type>``; the code model's, whatever they are, are its bundles."""
    content = msg["content"]
    name = names.get(content.get("comm_id", ""), "?")
    if name == "code":
        return "code model (bundles)"
    data = content.get("data", {})
    if msg["msg_type"] == "comm_open":
        return f"open {name}"
    if msg["msg_type"] == "comm_close":
        return f"{name} close"
    if data.get("method") == "custom":
        custom = data.get("content", {})
        return f"{name} custom {custom.get('type') or ('ops' if 'ops' in custom else '?')}"
    return f"{name} update {','.join(sorted(data.get('state', {})))}"


def wire(msgs: list[dict[str, Any]]) -> dict[str, Any]:
    """Widget messages and bytes of one cell's IOPub messages (module docstring)."""
    comms = [m for m in msgs if m["msg_type"] in ("comm_open", "comm_msg", "comm_close")]
    names = {}
    for m in comms:
        if m["msg_type"] == "comm_open":
            state = m["content"]["data"].get("state", {})
            names[m["content"]["comm_id"]] = "code" if "version" in state else _name(state)
    count: Counter[str] = Counter()
    size: Counter[str] = Counter()
    feed: Counter[str] = Counter()
    code = 0
    for m in comms:
        kind = _kind(m, names)
        count[kind] += 1
        size[kind] += _size(m)
        state = m["content"].get("data", {}).get("state", {})
        code += sum(len(json.dumps(state[k]).encode()) for k in ("_esm", "_css") if k in state)
        if kind == "open EvaluationWidget":  # the table as it starts, and the code
            for trait, value in m["content"]["data"]["state"].items():
                feed[f"open {trait}"] += len(json.dumps(value).encode())
        if kind == "EvaluationWidget custom rows":
            rows = m["content"]["data"]["content"]
            for part in ("header", "append"):
                feed[part] += len(json.dumps(rows.get(part)).encode())
            for row in rows.get("rows", []):  # by the case's status then
                feed[f"rows {row.get('status', 'answer')}"] += len(json.dumps(row).encode())
                feed[f"rows {row.get('status', 'answer')} (count)"] += 1
    times = sorted(m["header"]["date"].timestamp() for m in comms)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    other = [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
    return {
        "messages": len(comms),
        "max_per_s": max_per_second(times),
        "mean_per_s": len(comms) / span if span else None,
        "bytes": sum(size.values()),
        "code_bytes": size["code model (bundles)"] + code,
        "by_kind": {k: [count[k], size[k]] for k in sorted(size, key=size.__getitem__)[::-1]},
        "feed": dict(feed),
        "display_bytes": sum(_size(m) for m in other),
        "display_messages": len(other),
    }


def measure_kernel(contender: str, n: int) -> dict[str, Any]:
    """One contender's cell over ``n`` cases in a fresh kernel: wire, memory, time."""
    kernel = Kernel()
    try:
        kernel.execute(SETUP, timeout=120)
        proc = psutil.Process(kernel.km.provisioner.process.pid)  # type: ignore[union-attr]
        rss0 = int(kernel.value(RSS))
        cpu0 = sum(proc.cpu_times()[:2])
        before = len(kernel.messages())
        t0 = time.monotonic()
        reply = kernel.execute(CELLS[contender].format(n=n), timeout=1800)
        wall = time.monotonic() - t0
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        msgs = kernel.cell_messages(before, reply)
        rss1 = int(kernel.value(RSS))
        text = int(kernel.value(TEXT[contender]))
        completed = int(kernel.value(DONE[contender]))
    finally:
        kernel.close()
    w = wire(msgs)
    return {
        "contender": contender,
        "cases": n,
        "completed": completed,
        "wall_s": wall,
        "cpu_s": cpu,
        "text_chars": text,
        "ratio": w["bytes"] / text,
        "ratio_data": (w["bytes"] - w["code_bytes"]) / text,
        "rss_growth": rss1 - rss0,
        "rss_per_case": (rss1 - rss0) / n,
        **w,
    }


def saved(contender: str, n: int, tmp: Path) -> dict[str, Any]:
    """The contender's cells run headless and saved with widget state: size, breakdown."""
    path = tmp / f"{contender.replace(' ', '_')}_{n}.ipynb"
    cells = [SETUP, CELLS[contender].format(n=n)]
    t0 = time.monotonic()
    nb = execute(path, cells, timeout=1800)
    wall = time.monotonic() - t0
    parts: Counter[str] = Counter()
    states = nb.metadata.get("widgets", {}).get(STATE_MIME, {}).get("state", {})
    for entry in states.values():
        model = _name(entry["state"])
        if model in ("EvaluationWidget", "AgentWidget"):
            for trait, value in entry["state"].items():
                parts[f"{model}.{trait}"] += len(json.dumps(value, indent=1).encode())
        else:
            parts[f"state {model}"] += len(json.dumps(entry, indent=1).encode())
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                parts[f"output {mime}"] += len(json.dumps(value, indent=1).encode())
    top = sorted(parts.items(), key=lambda kv: -kv[1])
    return {
        "contender": contender,
        "file_bytes": path.stat().st_size,
        "widgets": len(states),
        "parts": dict(top[:8]),
        "wall_s": wall,
    }


def run(quick: bool = False, browser: bool = True) -> dict[str, Any]:
    """Every part; JSON-able (module docstring: what each figure is)."""
    n = QUICK if quick else FULL
    out: dict[str, Any] = {"quick": quick, "cases": n, "kernel": {}, "saved": {}}
    for contender in CELLS:
        out["kernel"][contender] = measure_kernel(contender, n)
        print(f"[evaluate] kernel, {contender}: done", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="nbagent-evbench-") as tmp:
        for contender in CELLS:
            out["saved"][contender] = saved(contender, n, Path(tmp))
            print(f"[evaluate] saved, {contender}: done", file=sys.stderr, flush=True)
    if browser:
        from benchmarks import evaluate_browser

        out["browser"] = standalone.browser_part(lambda: evaluate_browser.run(n))
    return out


def targets(r: dict[str, Any]) -> list[Target]:
    """Issue 31's targets, for the evaluation (full size only for the saved file's)."""
    ev = r["kernel"]["evaluate"]
    full = r["cases"] >= FULL
    b = (r.get("browser") or {}).get("evaluate") or {}
    return [
        ("evaluation widget messages/s, any 1 s", ev["max_per_s"], 25, "<="),
        ("evaluation wire bytes / table text", ev["ratio"], 3, "<="),
        ("  the same, data only (no bundles)", ev["ratio_data"], 3, "<="),
        (
            "evaluation saved notebook MB, 1,000 cases",
            r["saved"]["evaluate"]["file_bytes"] / 1e6 if full else None,
            2,
            "<=",
        ),
        ("evaluation browser p95 frame ms, streaming", b.get("frame_p95_ms"), 8, "<="),
        ("evaluation rows in the DOM, most (ours: 100)", b.get("rows_max"), 100, "<="),
    ]


def _row(name: str, a: Any, b: Any, fmt: str) -> str:
    return standalone.table_row(name, (a, b), fmt, 34)


def report(r: dict[str, Any]) -> list[str]:
    k, s = r["kernel"], r["saved"]
    ev, lp = k["evaluate"], k["for loop"]
    lines = [
        f"{r['cases']:,} cases x 30 deltas at 10 ms, concurrency 32 (for loop: batches of 32)",
        _row("", "evaluate", "for loop", ""),
    ]
    for name, key, fmt, scale in (
        ("cases completed", "completed", ",d", 1),
        ("wall s (cell sent to idle)", "wall_s", ".1f", 1),
        ("kernel CPU s", "cpu_s", ".1f", 1),
        ("widget messages", "messages", ",d", 1),
        ("widget messages/s, max 1 s", "max_per_s", ",d", 1),
        ("widget messages/s, mean", "mean_per_s", ",.1f", 1),
        ("table text, KB", "text_chars", ",.0f", 1e-3),
        ("comm bytes, KB", "bytes", ",.0f", 1e-3),
        ("  of which code (bundles), KB", "code_bytes", ",.0f", 1e-3),
        ("comm bytes / text", "ratio", ".2f", 1),
        ("  data only (no bundles) / text", "ratio_data", ".2f", 1),
        ("display HTML copy, KB (not comm)", "display_bytes", ",.0f", 1e-3),
        ("kernel RSS growth, MB", "rss_growth", ",.1f", 1 / MB),
        ("  per case, KB", "rss_per_case", ",.1f", 1 / 1024),
    ):
        lines.append(_row(name, ev[key] * scale, lp[key] * scale, fmt))
    lines.append(
        _row(
            "saved notebook, MB",
            s["evaluate"]["file_bytes"] / 1e6,
            s["for loop"]["file_bytes"] / 1e6,
            ".2f",
        )
    )
    lines.append(
        _row("  widget models saved", s["evaluate"]["widgets"], s["for loop"]["widgets"], ",d")
    )
    for name, c in (("evaluate", ev), ("for loop", lp)):
        lines.append(f"{name}: comm bytes by kind [messages, bytes]: {json.dumps(c['by_kind'])}")
    if ev["feed"]:
        big = {k: v for k, v in ev["feed"].items() if v >= 1000 or "count" in k}
        lines.append(
            f"evaluate: the widget's open and rows feed by part (bytes): {json.dumps(big)}"
        )
    lines.extend(
        f"saved {name}: largest parts (bytes): {json.dumps(s[name]['parts'])}"
        for name in ("evaluate", "for loop")
    )
    b = r.get("browser")
    if b is not None:
        from benchmarks import evaluate_browser

        lines += evaluate_browser.report(b)
    return lines


def main(argv: list[str] | None = None) -> None:
    standalone.main(argv, sys.modules[__name__], f"{QUICK} cases, not {FULL}")


if __name__ == "__main__":
    main()
