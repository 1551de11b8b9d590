"""Turning wrk samples into the results: medians, ratios to Oxigraph, Markdown and JSON.

Each round runs every server on a query back to back, so a server's ratio to
Oxigraph is taken within a round (both saw the same background noise) and the
median over rounds is reported; the figures themselves are medians over rounds too.
"""

import math
import statistics
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from benchmarks.loadgen import Sample

REFERENCE = "oxigraph"
# The straightforward FastAPI + pyoxigraph handler scograph must keep up with.
HANDLER = "baseline"
SCOGRAPH = "scograph"
GEOMEAN_GOAL = 0.8
LOWEST_GOAL = 0.5
P99_GOAL = 1.5


def summarise_cell(samples: list[Sample], reference: list[Sample] | None) -> dict[str, Any]:
    """Return one server's figures on one query: medians, spread and ratios to the reference.

    ``samples`` and ``reference`` are in round order; each ratio pairs them up by round.
    A run in which no request completed has no latency and counts as 0 requests per second.
    """
    rates = [s.requests_per_s for s in samples]
    median_rate = statistics.median(rates)
    completed = [s for s in samples if s.requests]
    cpu = [s.server_cpu_ms_per_request for s in completed if s.server_cpu_ms_per_request]
    cell: dict[str, Any] = {
        "requests_per_s": round(median_rate, 1),
        "p50_ms": _median([s.p50_ms for s in completed]),
        "p99_ms": _median([s.p99_ms for s in completed]),
        "spread_pct": round(100 * (max(rates) - min(rates)) / median_rate, 1)
        if median_rate
        else None,
        "cpu_ms_per_request": _median(cpu),
        "failed_requests": sum(s.failed for s in samples),
        "rounds": [asdict(s) for s in samples],
    }
    if reference:
        pairs = list(zip(samples, reference, strict=True))
        cell["ratio"] = _median_ratio([(s.requests_per_s, r.requests_per_s) for s, r in pairs])
        # Requests per CPU-second, relative: Oxigraph's CPU per request over this server's.
        cell["cpu_ratio"] = _median_ratio(
            [(r.server_cpu_ms_per_request, s.server_cpu_ms_per_request) for s, r in pairs]
        )
    return cell


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _median_ratio(pairs: list[tuple[float | None, float | None]]) -> float | None:
    ratios = [a / b for a, b in pairs if a and b]
    return round(statistics.median(ratios), 3) if ratios else None


def geometric_means(
    queries: list[dict[str, Any]], servers: list[str], key: str = "ratio"
) -> dict[str, float | None]:
    """Return each server's geometric mean, across the queries it ran, of a ratio to Oxigraph.

    ``key`` names the ratio: ``"ratio"`` (requests per second) or ``"cpu_ratio"``.
    """
    means: dict[str, float | None] = {}
    for server in servers:
        ratios = [q["servers"][server].get(key) for q in queries if server in q["servers"]]
        ratios = [r for r in ratios if r]
        means[server] = (
            round(math.exp(statistics.fmean(map(math.log, ratios))), 3) if ratios else None
        )
    return means


def to_markdown(result: dict[str, Any]) -> str:
    """Render a run's result (as written to JSON) as the Markdown of ``results/latest.md``."""
    dataset, machine, settings = result["dataset"], result["machine"], result["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    lines = [
        f"# Benchmark: {dataset['name']} dataset ({dataset['quads']:,} quads)",
        "",
        f"Run {result['started']}, commit {machine['commit'] or 'unknown'}"
        + (
            " with uncommitted changes outside benchmarks/"
            if machine["uncommitted_changes"]
            else ""
        )
        + f" (scograph source {machine.get('scograph_source') or 'unknown'}).",
        "",
        f"- Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
        f"{machine['os']}; shared with other work: 1-minute load average "
        f"{_load(result['load_before'][:1])} before, {_load(result['load_after'][:1])} after, "
        f"median {result['load_during']['median']:.2f} (from {result['load_during']['min']:.2f} "
        f"to {result['load_during']['max']:.2f}) during the runs.",
        f"- Software: {versions}.",
        f"- Load: wrk, {settings['connections']} connections, {settings['threads']} threads, "
        f"{settings['duration_s']} s per run, {settings['method']} with the query in "
        f"{'the URL' if settings['method'] == 'GET' else 'a form body'}; "
        f"{settings['rounds']} round(s), servers interleaved within each round; after "
        f"{settings['warmup_s']} s of warm-up per server and query.",
        "- Figures are medians over the rounds. × Oxigraph is the median of the per-round ratios "
        "of requests per second; spread is (max − min) / median of requests per second. "
        "CPU ms/req is the CPU time (user + system) the server's processes spent per request; "
        "× Oxigraph by CPU is Oxigraph's CPU per request over the server's, which depends less "
        "on what else the machine runs.",
        "",
        "| query | server | req/s | p50 ms | p99 ms | × Oxigraph | spread | CPU ms/req "
        "| × Oxigraph by CPU |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for query in result["queries"]:
        for server in result["servers"]:
            cell = query["servers"].get(server)
            if cell is None:
                lines.append(f"| {query['name']} | {server} |" + " – |" * 7)
                continue
            failed = f" ({cell['failed_requests']} failed)" if cell["failed_requests"] else ""
            is_reference = server == REFERENCE
            rate = cell["requests_per_s"]
            lines.append(
                f"| {query['name']} | {server} | {rate:,.{0 if rate >= 100 else 1}f}{failed} | "
                f"{_number(cell['p50_ms'], 2)} | {_number(cell['p99_ms'], 2)} | "
                f"{'' if is_reference else _ratio(cell.get('ratio'))} | "
                f"{_number(cell['spread_pct'], 0, ' %')} | "
                f"{_number(cell['cpu_ms_per_request'], 3)} | "
                f"{'' if is_reference else _ratio(cell.get('cpu_ratio'))} |"
            )
    lines += ["", "Geometric mean of × Oxigraph across the mix:", ""]
    lines += [
        f"- {server}: {_ratio(mean)} in requests per second, "
        f"{_ratio(result['geomean_cpu_ratio'][server])} in requests per CPU-second"
        for server, mean in result["geomean_ratio"].items()
        if server != REFERENCE
    ]
    checks = goal_checks(result)
    if checks:
        lines += ["", "Goals, for scograph (each ratio is the median of the per-round ones):", ""]
        lines += ["| goal | measured | |", "|---|---|:-:|"]
        lines += [
            f"| {goal} | {measured} | {'pass' if met else 'FAIL'} |"
            for goal, measured, met in checks
        ]
    lines += [
        "",
        "Answers (rows or triples) each server returned, and the length of each wrk run "
        "(longer for slow queries, so that every connection completes a few requests):",
        "",
        "| query | " + " | ".join(result["servers"]) + " | run length |",
        "|---|" + "--:|" * (len(result["servers"]) + 1),
    ]
    for query in result["queries"]:
        counts = [str(query["answers"].get(s, "–")) for s in result["servers"]]
        lines.append(f"| {query['name']} | {' | '.join(counts)} | {query['duration_s']} s |")
    if result["notes"]:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in result["notes"]]
    return "\n".join(lines) + "\n"


def goal_checks(result: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The speed goals scograph is held to in this run: (goal, what was measured, met)."""
    queries = [q for q in result["queries"] if SCOGRAPH in q["servers"]]
    if not queries or REFERENCE not in result["servers"]:
        return []
    checks = []
    mean = result["geomean_ratio"].get(SCOGRAPH)
    if mean is not None:
        checks.append(
            (f"geometric mean ≥ {GEOMEAN_GOAL}× Oxigraph", _ratio(mean), mean >= GEOMEAN_GOAL)
        )
    lowest = _worst(queries, REFERENCE, "requests_per_s", min)
    checks.append(
        _check(f"no query below {LOWEST_GOAL:g}× Oxigraph", "lowest", lowest, LOWEST_GOAL)
    )
    highest = _worst(queries, REFERENCE, "p99_ms", max)
    if highest is not None:
        checks.append(
            _check(f"p99 ≤ {P99_GOAL}× Oxigraph's on every query", "highest", highest, P99_GOAL)
        )
    if HANDLER in result["servers"]:
        behind = _worst(queries, HANDLER, "requests_per_s", min)
        checks.append(
            _check("at least the straightforward handler's req/s (1×)", "lowest", behind, 1.0)
        )
    return checks


def _worst(
    queries: list[dict[str, Any]], other: str, key: str, pick: Callable[..., str]
) -> tuple[str, float] | None:
    """The query ``pick`` (min or max) chooses by scograph's ``key`` over ``other``'s; the ratio."""
    ratios = {q["name"]: _round_ratio(q, other, key) for q in queries}
    known = {name: ratio for name, ratio in ratios.items() if ratio is not None}
    if not known:
        return None
    name = pick(known, key=known.__getitem__)
    return name, known[name]


def _check(
    goal: str, which: str, worst: tuple[str, float] | None, bound: float
) -> tuple[str, str, bool]:
    """A goal on every query, judged by the worst: the lowest ≥ ``bound``, the highest ≤ it."""
    if worst is None:
        return goal, "–", False
    name, ratio = worst
    met = ratio >= bound if which == "lowest" else ratio <= bound
    return goal, f"{which} {_ratio(ratio)} ({name})", met


def _round_ratio(query: dict[str, Any], other: str, key: str) -> float | None:
    """The median over rounds of scograph's ``key`` over ``other``'s, in the same round."""
    mine, theirs = (
        query["servers"][SCOGRAPH]["rounds"],
        query["servers"].get(other, {}).get("rounds"),
    )
    if not theirs:
        return None
    pairs = [(a[key], b[key]) for a, b in zip(mine, theirs, strict=True)]
    return _median_ratio(pairs)


def _number(value: float | None, digits: int, unit: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)
