"""Run the benchmark: every server, every query, interleaved rounds of wrk; write the results.

``python -m benchmarks.run --size 100k`` generates (or reuses) the dataset, starts
Oxigraph's server, the baseline handler and scograph on 127.0.0.1, checks that they
give the same answers, warms each up, then runs ``--rounds`` rounds in which every
query is sent to every server in turn, and writes ``results/latest.md`` and
``results/latest.json`` (and a copy named after the size). All servers are stopped
at the end, also on Ctrl-C, SIGTERM or an error.
"""

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks import report
from benchmarks.generate import DEFAULT_SEED, DEFAULT_WORK_DIR, Dataset, ensure_dataset
from benchmarks.loadgen import LoadSettings, Sample, drive, run_length
from benchmarks.machine import machine_facts
from benchmarks.queries import Query, load_queries
from benchmarks.servers import (
    RunningServer,
    ServerSpec,
    ask,
    bare_spec,
    baseline_spec,
    cpu_seconds,
    oxigraph_spec,
    running,
    scograph_can_serve,
    scograph_spec,
)

RESULTS_DIR = Path(__file__).parent / "results"
SERVERS = ("oxigraph", "baseline", "scograph")
# After each run, wait (at most IDLE_WAIT_MAX_S) until the server used under this share
# of a core over IDLE_CHECK_S: the requests wrk left in flight are done.
IDLE_WAIT_MAX_S = 30.0
IDLE_CHECK_S = 0.5
IDLE_CPU_SHARE = 0.05
# Then this much quiet more: scograph lowers the long queries that start within a second
# of short ones (a mix), and each run measures one query alone.
QUIET_S = 2.0


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    args = _parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped by the with-blocks.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        _run(args)
    except KeyboardInterrupt:
        _say("interrupted; the servers are stopped and no results were written")
        raise SystemExit(130) from None


def _run(args: argparse.Namespace) -> None:
    settings = LoadSettings(
        duration_s=args.duration,
        connections=args.connections,
        threads=args.threads,
        method=args.method,
    )
    queries = load_queries(only=args.queries)
    _say(f"dataset {args.size}: generating or reusing…")
    dataset = ensure_dataset(args.size, args.seed, args.work_dir)
    _say(f"dataset {dataset.name}: {dataset.quads:,} quads")
    notes: list[str] = []
    specs = _server_specs(dataset, args.servers, args.scograph_workers, notes)
    result = benchmark(dataset, specs, queries, settings, args.rounds, args.warmup, notes)
    write_results(result, args.results_dir)
    _say(f"results written to {args.results_dir.name}/latest.md")


def benchmark(
    dataset: Dataset,
    specs: list[ServerSpec],
    queries: list[Query],
    settings: LoadSettings,
    rounds: int,
    warmup_s: int,
    notes: list[str],
) -> dict[str, Any]:
    """Start the servers, measure, stop them; return the result as written to JSON."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_facts()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="sparql-bench-") as tmp:
        servers = [stack.enter_context(running(s, dataset.folder / "logs")) for s in specs]
        plan = [_plan(q, Path(tmp), servers, settings, notes) for q in queries]
        for item in plan:
            for server in item.servers:
                _say(f"warm-up {item.query.name} on {server.name}")
                drive(server, item.query, item.file, settings, duration_s=warmup_s)
                _wait_until_idle(server)
        samples, loads = _measure_rounds(plan, settings, rounds)
    names = [s.name for s in specs]
    summaries = [_summarise_query(item, names, samples) for item in plan]
    return {
        "started": started,
        "dataset": {k: v for k, v in asdict(dataset).items() if k != "folder"},
        "machine": machine,
        "load_before": machine["load_average"],
        "load_during": {"min": min(loads), "median": statistics.median(loads), "max": max(loads)},
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {**asdict(settings), "rounds": rounds, "warmup_s": warmup_s},
        "servers": names,
        "queries": summaries,
        "geomean_ratio": report.geometric_means(summaries, names),
        "geomean_cpu_ratio": report.geometric_means(summaries, names, "cpu_ratio"),
        "notes": notes,
    }


@dataclass(frozen=True)
class _Planned:
    """One query as it will be measured: on which servers, for how long."""

    query: Query
    file: Path
    servers: list[RunningServer]
    duration_s: int
    answers: dict[str, int | str]


def _plan(
    query: Query,
    folder: Path,
    servers: list[RunningServer],
    settings: LoadSettings,
    notes: list[str],
) -> _Planned:
    """Check every server's answer to ``query`` and decide how long to drive it.

    A server that fails the query, or answers it with a different number of results
    than Oxigraph, gets a note; one that fails is not measured on it.
    """
    file = folder / f"{query.name}.rq"
    file.write_text(query.sparql, encoding="utf-8")
    answers: dict[str, int | str] = {}
    ok: list[RunningServer] = []
    slowest = 0.0
    for server in servers:
        answer = ask(server, query.sparql, query.accept)
        slowest = max(slowest, answer.seconds)
        if answer.status == 200 and answer.results is not None:
            answers[server.name] = answer.results
            ok.append(server)
            continue
        answers[server.name] = f"HTTP {answer.status}"
        detail = answer.body[:200].decode("utf-8", "replace").strip()
        notes.append(
            f"{server.name} failed {query.name}: HTTP {answer.status} "
            f"{answer.content_type!r} {detail!r}; not measured."
        )
    expected = answers.get(report.REFERENCE)
    for name, count in answers.items():
        if isinstance(count, int) and isinstance(expected, int) and count != expected:
            notes.append(f"{name} returned {count} results for {query.name}, Oxigraph {expected}.")
    return _Planned(query, file, ok, run_length(settings, slowest), answers)


def _measure_rounds(
    plan: list[_Planned], settings: LoadSettings, rounds: int
) -> tuple[dict[tuple[str, str], list[Sample]], list[float]]:
    """Run the rounds; return the samples per (query, server) and the load after each run."""
    samples: dict[tuple[str, str], list[Sample]] = {}
    loads: list[float] = []
    for round_index in range(rounds):
        for item in plan:
            # Rotating the order spreads any drift within a round over all servers.
            for server in _rotate(item.servers, round_index):
                sample = _measure(server, item, settings)
                loads.append(os.getloadavg()[0])
                samples.setdefault((item.query.name, server.name), []).append(sample)
                _say(
                    f"round {round_index + 1}/{rounds} {item.query.name:<18} {server.name:<9} "
                    + _describe(sample)
                )
    return samples, loads


def _describe(sample: Sample) -> str:
    cpu = sample.server_cpu_ms_per_request
    return (
        f"{sample.requests_per_s:9.1f} req/s  p50 {sample.p50_ms:8.2f} ms  "
        f"p99 {sample.p99_ms:8.2f} ms  cpu {'–' if cpu is None else f'{cpu:.2f}'} ms/req"
        + (f"  {sample.failed} failed" if sample.failed else "")
    )


def _measure(server: RunningServer, item: _Planned, settings: LoadSettings) -> Sample:
    """Drive ``server`` with wrk and add the CPU time the server spent per request."""
    before = cpu_seconds(server.process_group)
    sample = drive(server, item.query, item.file, settings, duration_s=item.duration_s)
    spent = cpu_seconds(server.process_group) - before
    per_request = 1000 * spent / sample.requests if sample.requests else None
    _wait_until_idle(server)
    return replace(sample, server_cpu_ms_per_request=per_request)


def _wait_until_idle(server: RunningServer) -> None:
    """Wait until the server is done with the requests wrk left in flight, then a little more.

    No server stops a query when its client goes away, so without this wait the last
    requests of one run (8 GROUP BYs are 2–3 s of CPU) would run during the next
    server's run and slow it down.
    """
    deadline = time.monotonic() + IDLE_WAIT_MAX_S
    last = cpu_seconds(server.process_group)
    while time.monotonic() < deadline:
        time.sleep(IDLE_CHECK_S)
        now = cpu_seconds(server.process_group)
        if now - last < IDLE_CHECK_S * IDLE_CPU_SHARE:
            break
        last = now
    time.sleep(QUIET_S)


def write_results(result: dict[str, Any], folder: Path) -> None:
    """Write ``latest.{md,json}`` and ``{size}.{md,json}`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stems = ("latest", result["dataset"]["name"])
    # JSON first: the measurements are kept even if rendering them failed.
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    for stem in stems:
        (folder / f"{stem}.json").write_text(text, encoding="utf-8")
    markdown = report.to_markdown(result)
    for stem in stems:
        (folder / f"{stem}.md").write_text(markdown, encoding="utf-8")


def _server_specs(
    dataset: Dataset, names: list[str], scograph_workers: int | None, notes: list[str]
) -> list[ServerSpec]:
    specs = []
    for name in names:
        if name == "oxigraph":
            specs.append(oxigraph_spec(dataset))
        elif name == "baseline":
            specs.append(baseline_spec(dataset))
        elif name in ("bare-inline", "bare-isolated"):
            specs.append(bare_spec(dataset, name.removeprefix("bare-")))
        elif scograph_can_serve():
            specs.append(scograph_spec(dataset, scograph_workers))
        else:
            notes.append(
                "scograph was not measured: `scograph serve --store --port` is not there yet."
            )
            _say(notes[-1])
    if not specs or specs[0].name != report.REFERENCE:
        raise SystemExit("oxigraph must be the first server: every ratio is taken to it")
    return specs


def _summarise_query(
    item: _Planned, servers: list[str], samples: dict[tuple[str, str], list[Sample]]
) -> dict[str, Any]:
    name = item.query.name
    reference = samples.get((name, report.REFERENCE))
    cells = {
        server: report.summarise_cell(samples[(name, server)], reference)
        for server in servers
        if (name, server) in samples
    }
    return {
        "name": name,
        "title": item.query.title,
        "duration_s": item.duration_s,
        "answers": item.answers,
        "servers": cells,
    }


def _rotate(items: list[RunningServer], by: int) -> list[RunningServer]:
    if not items:
        return items
    by %= len(items)
    return items[by:] + items[:by]


def _say(message: str) -> None:
    """Progress goes to standard error, so standard output stays free for piping."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", default="100k", help="dataset size: 100k, 2m, … (quads)")
    parser.add_argument(
        "--servers",
        type=lambda s: s.split(","),
        default=list(SERVERS),
        help="comma-separated, Oxigraph first (default: oxigraph,baseline,scograph; "
        "bare-inline and bare-isolated are the bounds of benchmarks/bare_asgi.py)",
    )
    parser.add_argument(
        "--queries", type=lambda s: s.split(","), default=None, help="names or prefixes, e.g. 01,07"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of warm-up per server and query"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--method", choices=("GET", "POST"), default="GET")
    parser.add_argument(
        "--scograph-workers", type=int, default=None, help="scograph serve --workers"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser


if __name__ == "__main__":
    main()
