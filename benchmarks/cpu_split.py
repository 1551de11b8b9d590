"""Where the time goes: CPU per request in scograph's HTTP process, its readers, the engine.

``python -m benchmarks.cpu_split --size 2m`` starts ``scograph serve`` on the
dataset and, for each benchmark query, runs wrk (as :mod:`benchmarks.run` does)
while reading each process's CPU time from ``/proc`` before and after: the HTTP
process (uvicorn, FastAPI, the protocol, relaying the answer) and the reader
processes (the query and its serialisation, and the exchange with the app). It
then times, in this process on the same store, what a reader does for the query:
running it and serialising the answer one line per row (TSV or N-Triples), and
converting that to the format asked for (JSON for SELECT) — the engine's share.
What is left of the readers' CPU is the worker's own overhead.
"""

import argparse
import io
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate import ensure_dataset
from benchmarks.loadgen import LoadSettings, drive, run_length
from benchmarks.measure import group_pids, median, process_cpu
from benchmarks.queries import Query, load_queries
from benchmarks.servers import ask, running, scograph_spec

RESULTS_DIR = Path(__file__).parent / "results"


def engine_times(
    store: ox.Store, query: Query, repeat: int, union_view: bool = True
) -> dict[str, float]:
    """Median CPU seconds to run and serialise ``query`` one line per row, and to convert it.

    CPU time of this (single-threaded) process, not wall time: the machine is shared.
    ``union_view``: the default graph is Oxigraph's union view of the store's graphs.
    """
    is_graph = query.accept == "application/n-triples"
    lines_format = ox.RdfFormat.N_TRIPLES if is_graph else ox.QueryResultsFormat.TSV
    run, convert = [], []
    for _ in range(repeat):
        started = time.process_time()
        out = io.BytesIO()
        store.query(query.sparql, use_default_graph_as_union=union_view).serialize(
            out, lines_format
        )
        run.append(time.process_time() - started)
        if not is_graph:
            started = time.process_time()
            results = ox.parse_query_results(out.getvalue(), ox.QueryResultsFormat.TSV)
            results.serialize(io.BytesIO(), ox.QueryResultsFormat.JSON)
            convert.append(time.process_time() - started)
    return {"run_serialise": median(run), "convert": median(convert) if convert else 0.0}


def _wait_idle(process_group: int, quiet_s: float = 0.5, longest_s: float = 600) -> None:
    """Wait until the server's processes stop using CPU (requests left over have ended)."""
    deadline = time.monotonic() + longest_s
    last = sum(process_cpu(group_pids(process_group)).values())
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = sum(process_cpu(group_pids(process_group)).values())
        if now - last < 0.02:
            return
        last = now


def measure_server(dataset_size: str, queries: list[Query], settings: LoadSettings) -> list[dict]:
    """CPU per request of the HTTP process and of the readers, per query, under wrk."""
    dataset = ensure_dataset(dataset_size)
    rows = []
    with (
        running(scograph_spec(dataset, None), dataset.folder / "logs") as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        for query in queries:
            query_file = Path(folder) / f"{query.name}.rq"
            query_file.write_text(query.sparql)
            lone = ask(server, query.sparql, query.accept, timeout=600)
            # Long enough for every connection to complete a few scans (see run_length).
            duration = run_length(settings, lone.seconds)
            drive(server, query, query_file, settings, duration_s=2)  # warm-up
            _wait_idle(server.process_group)
            pids = group_pids(server.process_group)
            before = process_cpu(pids)
            sample = drive(server, query, query_file, settings, duration_s=duration)
            # Read at once, as run.py does: the work on requests wrk left unfinished is
            # counted only as far as it got (for slow scans, a slight overestimate).
            after = process_cpu(group_pids(server.process_group))
            _wait_idle(server.process_group)
            used = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
            http = used.pop(server.process_group, 0.0)
            readers = sum(used.values())
            requests = max(sample.requests, 1)
            rows.append(
                {
                    "query": query.name,
                    "requests": sample.requests,
                    "seconds": duration,
                    "requests_per_s": sample.requests_per_s,
                    "http_ms": 1000 * http / requests,
                    "readers_ms": 1000 * readers / requests,
                    "errors": sample.errors,
                }
            )
            print(f"[cpu] {rows[-1]}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2m")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per query")
    parser.add_argument("--repeat", type=int, default=20, help="in-process timings per query")
    parser.add_argument(
        "--engine-only", action="store_true", help="keep the last run's server figures"
    )
    args = parser.parse_args(argv)
    queries = load_queries()
    settings = LoadSettings(duration_s=args.duration)
    if args.engine_only:
        # The server's figures of the last run, the engine's measured again.
        rows = json.loads((RESULTS_DIR / "cpu.json").read_text())["rows"]
    else:
        rows = measure_server(args.size, queries, settings)
    dataset = ensure_dataset(args.size)
    store = ox.Store.read_only(str(dataset.pyoxigraph_store))
    for row, query in zip(rows, queries, strict=True):
        # Slow scans are timed fewer times: their median settles quickly.
        first = engine_times(store, query, 1)
        repeat = args.repeat if first["run_serialise"] < 0.05 else 3
        times = engine_times(store, query, repeat)
        row["engine_ms"] = 1000 * times["run_serialise"]
        row["convert_ms"] = 1000 * times["convert"]
        row["worker_overhead_ms"] = row["readers_ms"] - row["engine_ms"] - row["convert_ms"]
    record = {
        "size": args.size,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "wrk": {"connections": settings.connections, "duration_s": settings.duration_s},
        "rows": rows,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "cpu.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS_DIR / "cpu.md").write_text(render(record))
    print(render(record))


def render(record: dict) -> str:
    """The results as Markdown."""
    lines = [
        f"# CPU per request, by where it is spent ({record['size']})",
        "",
        f"Measured {record['when']} (load average {record['load_average'][0]}); "
        f"`python -m benchmarks.cpu_split --size {record['size']}`: wrk with "
        f"{record['wrk']['connections']} connections for {record['wrk']['duration_s']} s per "
        "query (longer for slow queries, so each connection completes a few) against "
        "`scograph serve`, CPU read from `/proc` per process. *HTTP* is the "
        "uvicorn process; *readers* the query processes. *Engine* is the CPU time of the "
        "same query run and serialised one line per row in-process (single-threaded), "
        "*convert* "
        "the TSV → JSON conversion of a SELECT answer; *worker overhead* = readers − engine − "
        "convert (the exchange with the app, framing, Python glue; negative when the engine "
        "ran faster under wrk than alone, within noise).",
        "",
        "| query | req/s | HTTP ms | readers ms | engine ms | convert ms | worker overhead ms "
        "| HTTP share |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in record["rows"]:
        total = row["http_ms"] + row["readers_ms"]
        lines.append(
            f"| {row['query']} | {row['requests_per_s']:,.1f} | {row['http_ms']:.3f} "
            f"| {row['readers_ms']:.3f} | {row['engine_ms']:.3f} | {row['convert_ms']:.3f} "
            f"| {row['worker_overhead_ms']:.3f} | {100 * row['http_ms'] / total:.0f} % |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
