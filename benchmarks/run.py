"""Every benchmark in one run: tables, the issue's targets met or not, JSON and plots.

    make bench          # .venv/bin/python -m benchmarks.run
    make bench-quick    # .venv/bin/python -m benchmarks.run --quick   (< 2 minutes; CI)

Writes ``benchmarks/results/{results.json, cost_per_kb.png, kernel_bytes.png}``. Quick mode
prints the same tables from smaller cases; targets that need a full-size case say
"not measured". Nothing here fails on a missed target: the table says so.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
Target = tuple[str, float | None, float, str]  # name, measured, limit, "<=" | ">="


def _nbagent_cases(kernel: dict[str, Any]) -> list[dict[str, Any]]:
    return [c | {"ours": c["results"]["nbagent.show"]} for c in kernel["cases"]]


def targets(r: dict[str, Any]) -> list[Target]:
    out: list[Target] = []
    cases = _nbagent_cases(r["kernel"])
    out.append(
        ("widget messages/s, any rate", max(c["ours"]["widget_max_per_s"] for c in cases), 25, "<=")
    )

    def worst_ratio(rows: list[dict[str, Any]]) -> float | None:
        ratios = [c["ours"]["widget_bytes"] / c["text_bytes"] for c in rows]
        return max(ratios) if ratios else None

    full, paced = [c for c in cases if not c["rate"]], [c for c in cases if c["rate"]]
    out.append(("widget bytes / output bytes, every N", worst_ratio(full), 3, "<="))
    # Paced, a message carries few deltas: ~140 bytes of comm envelope each, ≤ 10 msgs/s.
    out.append(("  the same, paced (slowest rate)", worst_ratio(paced), 3, "<="))
    biggest = max(cases, key=lambda c: c["deltas"])
    out.append(
        (
            f"kernel CPU µs/delta at N={biggest['deltas']:,}",
            biggest["ours"]["cpu_us_per_delta"],
            20,
            "<=",
        )
    )
    rate = r["inprocess"]["cases"]["str"]["deltas_per_s"]
    out.append(("in-process str deltas/s", rate, 500_000, ">="))
    browser = r.get("browser")
    if browser is not None:
        ours = {s["kb"]: s for s in browser["sizes"] if s["contender"] == "nbagent"}
        p95 = ours[100]["frame_p95_ms"] if 100 in ours else None
        out.append(("browser p95 frame ms at 100 KB", p95, 4, "<="))
        flat = (
            ours[400]["cost_ms_per_kb"] / ours[10]["cost_ms_per_kb"]
            if {10, 400} <= ours.keys()
            else None
        )
        out.append(("cost/KB at 400 KB / at 10 KB", flat, 1.3, "<="))
        latency = browser["latency"]
        out.append(("first delta to DOM, ms", latency["first_ms"], 1000 / 60, "<="))
        out.append(("Stop click to producer cancelled, max ms", latency["stop_ms_max"], 100, "<="))
        load = browser["load"]
        name = f"{load['streams']} streams in one page: longest frame ms"
        out.append((name, load["longest_ms"], 200, "<="))
    out.append(
        ("16 streams: IOPub messages dropped", 1.0 if r["scale"]["would_drop"] else 0.0, 0, "<=")
    )
    memory = r.get("memory")
    if memory is not None:
        big = [c["times_text"] for c in memory["cases"] if c["deltas"] >= 1_000_000]
        out.append(("kernel RSS growth / text, 1M deltas", big[0] if big else None, 8, "<="))
    evaluation = r.get("evaluate")
    if evaluation is not None:  # issue 31: 1,000 cases in one evaluation's widget
        from benchmarks.evaluate import targets as evaluate_targets

        out.extend(evaluate_targets(evaluation))
    on_ray = r.get("evaluate_ray")
    if on_ray is not None:  # issue 56: the same cases in the kernel and on a local Ray
        from benchmarks.evaluate_ray import targets as ray_targets

        out.extend(ray_targets(on_ray))
    chat = r.get("chat")
    if chat is not None:  # a chat's bytes as it grows: linear, within 4x its text
        from benchmarks.chat_bytes import targets as chat_targets

        out.extend(chat_targets(chat))
    flood = r.get("acp")
    if flood is not None:  # issue 36: an ACP agent's 10,000 updates in one prompt turn
        from benchmarks.acp import targets as acp_targets

        out.extend(acp_targets(flood))
    return out


def target_lines(ts: list[Target]) -> list[str]:
    lines = [f"{'target':45} {'measured':>12} {'limit':>12}  met"]
    for name, value, limit, sense in ts:
        if value is None:
            lines.append(f"{name:45} {'not measured':>12} {sense} {limit:>9,.4g}  -")
            continue
        met = value <= limit if sense == "<=" else value >= limit
        lines.append(f"{name:45} {value:>12,.4g} {sense} {limit:>9,.4g}  {'yes' if met else 'NO'}")
    return lines


def plot(r: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    browser = r.get("browser")
    if browser is not None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
        for contender in ("nbagent", "display-update"):
            rows = [
                s for s in browser["sizes"] if s["contender"] == contender and s["cost_ms_per_kb"]
            ]
            (line,) = ax.plot(
                [s["kb"] for s in rows], [s["cost_ms_per_kb"] for s in rows], "o-", label=contender
            )
            for s in rows:
                if not s["finished"]:  # hollow: stopped at the cap, cost over what it showed
                    ax.plot(s["kb"], s["cost_ms_per_kb"], "o", mfc="white", color=line.get_color())
                    ax.annotate(
                        f"{s['shown_kb']:.0f} KB shown\nin {s['wall_s']:.0f} s",
                        (s["kb"], s["cost_ms_per_kb"]),
                        textcoords="offset points",
                        xytext=(0, -24),
                        ha="center",
                        fontsize=7,
                    )
        ax.set(
            xlabel="answer size (KB)",
            ylabel="browser ms per KB (script+layout+style)",
            yscale="log",
        )
        ax.set_title(f"Streaming markdown at {browser['rate']} deltas/s into JupyterLab")
        ax.legend()
        fig.tight_layout()
        fig.savefig(RESULTS / "cost_per_kb.png", dpi=110)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name in r["kernel"]["cases"][0]["results"]:
        rows = [c for c in r["kernel"]["cases"] if not c["rate"] and name in c["results"]]
        ax.plot(
            [c["deltas"] for c in rows],
            [c["results"][name]["bytes"] for c in rows],
            "o-",
            label=name,
        )
    ax.set(xlabel="deltas (full speed)", ylabel="IOPub bytes", xscale="log", yscale="log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / "kernel_bytes.png", dpi=110)
    plt.close(fig)


def main() -> None:
    from benchmarks import (
        acp,
        browser,
        chat_bytes,
        evaluate,
        evaluate_ray,
        hostile,
        import_weight,
        inprocess,
        kernel_wire,
        lite,
        memory,
        scale,
    )

    quick = "--quick" in sys.argv
    parts: dict[
        str, tuple[Callable[[bool], dict[str, Any]], Callable[[dict[str, Any]], list[str]]]
    ] = {
        "imports": (import_weight.run, import_weight.report),  # figures only (issue 50)
        "inprocess": (inprocess.run, inprocess.report),
        "memory": (memory.run, memory.report),
        "kernel": (kernel_wire.run, kernel_wire.report),
        "chat": (chat_bytes.run, chat_bytes.report),
        "scale": (scale.run, scale.report),
        "browser": (browser.run, browser.report),
        "hostile": (hostile.run, hostile.report),
        "evaluate": (evaluate.run, evaluate.report),
        "evaluate_ray": (evaluate_ray.run, evaluate_ray.report),  # issue 56: needs the ray extra
        "acp": (acp.run, acp.report),
        "lite": (lite.run, lite.report),  # the try-it site: weight, first widget
    }
    results: dict[str, Any] = {"quick": quick, "started": time.time()}
    for name, (run, report) in parts.items():
        t0 = time.monotonic()
        try:
            results[name] = run(quick)
        except RuntimeError as exc:  # Chromium missing on a laptop: say so, run the rest
            print(f"\n== {name}: not run: {exc}")
            continue
        print(f"\n== {name} ({time.monotonic() - t0:.0f} s)")
        print("\n".join(report(results[name])))
    ts = targets(results)
    results["targets"] = [list(t) for t in ts]
    print("\n== targets" + (" (quick mode: small cases)" if quick else ""))
    print("\n".join(target_lines(ts)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("results-quick.json" if quick else "results.json")).write_text(
        json.dumps(results, indent=1)
    )
    plot(results)
    print(f"\nwrote {RESULTS}/")


if __name__ == "__main__":
    main()
