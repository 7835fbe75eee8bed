"""Render the tables in docs/performance.md from benchmarks/results/*.json.

.venv/bin/python benchmarks/report.py                      # every results file
.venv/bin/python benchmarks/report.py benchmarks/results/100000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BAR_WIDTH = 30
BUSY_CORES = 0.25  # as in run.py


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _opt(value: float | None) -> str:
    return "" if value is None else _ms(value)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def render(results: dict[str, Any]) -> str:
    facts, seed, work = results["facts"], results["seed"], results["workload"]
    queries = results["queries"]
    seconds = seed.get("seed_seconds")
    seeded = (
        f"seeded in {seconds / 60:.1f} min ({facts['families'] / seconds:,.0f} families/s)"
        if seconds
        else "seed time not recorded"
    )
    lines = [
        f"### {results['people_requested']:,} people",
        "",
        f"{facts['people']:,} people in {facts['families']:,} families, "
        f"{facts['involvements']:,} involvements; database {facts['database_size']}, {seeded}. "
        f"`{results['settings']['user']}` is the named practitioner for "
        f"{work['caseload_size']:,} families; the run used {work['families']} of them, "
        f"{work['surnames']} surnames and {work['dates_of_birth']} dates of birth. "
        f"Run {results['ran_at']} at commit `{results['machine']['commit']}`.",
        "",
        "| endpoint | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| app CPU ms/req | DB CPU ms/req | SQL queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    disturbed = 0
    for phase in results["phases"]:
        other = phase.get("other_cpu_cores") or 0.0
        mark = " *" if other > BUSY_CORES else ""
        disturbed += bool(mark)
        lines.append(
            f"| {phase['label']}{mark} | {phase['concurrency']} | {phase['requests']:,} "
            f"| {phase['throughput']:,.1f} | {_ms(phase['p50_ms'])} | {_ms(phase['p95_ms'])} "
            f"| {_ms(phase['p99_ms'])} | {phase['errors']} "
            f"| {_opt(phase.get('server_cpu_ms_per_request'))} "
            f"| {_opt(phase.get('postgres_cpu_ms_per_request'))} "
            f"| {queries.get(phase['endpoint'], {}).get('queries', '')} |"
        )
    if disturbed:
        lines += [
            "",
            f"\\* other processes kept more than {BUSY_CORES} of the two cores busy during "
            "this phase; its figures are disturbed.",
        ]
    searches = [p for p in results["phases"] if p["endpoint"].startswith("search")]
    if searches:
        lines += [
            "",
            "Search quality in the same runs (a fact about the answers, not the speed):",
            "",
            "| search | clients | mean people found | searches finding someone "
            "| results include the name the query came from |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for phase in searches:
            lines.append(
                f"| {phase['label']} | {phase['concurrency']} | {phase['mean_hits']} "
                f"| {_pct(phase['searches_with_hits'])} "
                f"| {_pct(phase['searches_finding_expected'])} |"
            )
    lines += [
        "",
        f"Audit rows written by the run: {results['audit_rows_added']:,} "
        f"(the table then held {results['audit_rows_total']:,}).",
    ]
    return "\n".join(lines)


def bars(all_results: list[dict[str, Any]], concurrency: int = 1) -> str:
    """Median latency at one client, as text bars on a shared scale."""
    rows = [
        (f"{r['people_requested']:,}", p["label"], p["p50_ms"])
        for r in all_results
        for p in r["phases"]
        if p["concurrency"] == concurrency
    ]
    if not rows:
        return ""
    top = max(value for _, _, value in rows) or 1.0
    out = [f"p50 latency, {concurrency} client (each # is {top / BAR_WIDTH:.1f} ms):", ""]
    for people, label, value in rows:
        bar = "#" * max(1, round(value / top * BAR_WIDTH))
        out.append(f"{people:>9}  {label:<32} {bar} {_ms(value)} ms")
    return "```text\n" + "\n".join(out) + "\n```"


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(
        RESULTS_DIR.glob("*.json"), key=lambda path: int(path.stem) if path.stem.isdigit() else 0
    )
    all_results = [json.loads(path.read_text()) for path in paths]
    for results in all_results:
        print(render(results))
        print()
    print(bars(all_results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
