"""Scale: how generating, building, memory and each query's latency grow with the data.

``python -m benchmarks.scale --sizes 100k,2m,10m`` generates (or reuses) each
dataset, builds a store from it with ``scograph load`` (wall time, peak memory,
size on disk), starts Oxigraph's server and scograph on it, and sends each
benchmark query ``--requests`` times in a row from one client to each server
(after one unmeasured request), reporting the median latency (p50). The memory of
scograph's processes (HTTP process and readers) is read after the queries. The
table goes to ``results/scale.md``; sizes measured earlier are kept in
``results/scale.json`` and shown with the new ones.
"""

import argparse
import json
import os
import shutil
import statistics
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.build_speed import commands
from benchmarks.generate import ensure_dataset
from benchmarks.measure import group_pids, mib, rss_bytes, timed_run
from benchmarks.queries import load_queries
from benchmarks.servers import ask, oxigraph_spec, running, scograph_spec

RESULTS_DIR = Path(__file__).parent / "results"


def folder_bytes(folder: Path) -> int:
    """The bytes of the files under ``folder``."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def build_figures(size: str, data: Path, target: Path) -> dict:
    """Time, peak memory and store size of ``scograph load``: measured by
    :mod:`benchmarks.build_speed` if it ran for this size (the median run), else here."""
    measured = RESULTS_DIR / f"build-{size}.json"
    if measured.exists():
        runs = [r for r in json.loads(measured.read_text())["runs"] if r["tool"] == "scograph"]
        run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        return {
            "build_seconds": run["seconds"],
            "build_peak_rss": run["peak_rss"],
            "store_bytes": run["store_bytes"],
            "build_source": measured.name,
        }
    shutil.rmtree(target, ignore_errors=True)
    built = timed_run(commands(data, target)["scograph"], {**os.environ})
    if built.returncode != 0:
        raise RuntimeError(built.stderr)
    store_bytes = folder_bytes(target)
    shutil.rmtree(target, ignore_errors=True)
    return {
        "build_seconds": built.seconds,
        "build_peak_rss": built.peak_rss_bytes,
        "store_bytes": store_bytes,
        "build_source": "this run",
    }


def measure_size(size: str, requests: int) -> dict:
    """Every figure of the table for one dataset size."""
    dataset = ensure_dataset(size)
    row: dict = {
        "size": size,
        "quads": dataset.quads,
        "file_bytes": dataset.nquads.stat().st_size,
        "generate_seconds": dataset.generate_seconds,
        **build_figures(size, dataset.nquads, dataset.folder / "scale-store"),
        "latency_ms": {},
    }
    print(f"[scale] {size}: built in {row['build_seconds']:.1f} s", flush=True)
    os.environ["SCOGRAPH_QUERY_TIMEOUT"] = "300"
    queries = load_queries()
    logs = dataset.folder / "logs"
    with (
        running(oxigraph_spec(dataset), logs) as oxigraph,
        running(scograph_spec(dataset, None), logs) as scograph,
    ):
        row["scograph_idle_rss"] = rss_bytes(group_pids(scograph.process_group))
        for query in queries:
            row["latency_ms"][query.name] = {}
            for server in (oxigraph, scograph):
                ask(server, query.sparql, query.accept, timeout=600)  # unmeasured
                times = []
                for _ in range(requests):
                    answer = ask(server, query.sparql, query.accept, timeout=600)
                    if answer.status != 200:
                        raise RuntimeError(f"{server.name} {query.name}: {answer.status}")
                    times.append(answer.seconds * 1000)
                row["latency_ms"][query.name][server.name] = statistics.median(times)
            print(f"[scale] {size} {query.name}: {row['latency_ms'][query.name]}", flush=True)
        row["scograph_rss_after"] = rss_bytes(group_pids(scograph.process_group))
    return row


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,2m,10m")
    parser.add_argument("--requests", type=int, default=20, help="per query and server")
    args = parser.parse_args(argv)
    history = RESULTS_DIR / "scale.json"
    record = json.loads(history.read_text()) if history.exists() else {"sizes": {}}
    for size in args.sizes.split(","):
        row = measure_size(size, args.requests)
        row["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        row["load_average"] = round(os.getloadavg()[0], 2)
        row["requests"] = args.requests
        record["sizes"][size] = row
        RESULTS_DIR.mkdir(exist_ok=True)
        history.write_text(json.dumps(record, indent=2) + "\n")
        (RESULTS_DIR / "scale.md").write_text(render(record))
    print(render(record))


def render(record: dict) -> str:
    """The scale table as Markdown."""
    rows = sorted(record["sizes"].values(), key=lambda r: r["quads"])
    head = "| | " + " | ".join(r["size"] for r in rows) + " |"
    rule = "|---|" + "--:|" * len(rows)

    def line(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    lines = [
        "# How scograph grows with the data",
        "",
        "`python -m benchmarks.scale --sizes 100k,2m,10m`. Build: `scograph load data.nq` "
        "into a new store (peak memory: the command's own). Latency: median of "
        "sequential requests from one client, after one unmeasured request; in brackets, "
        "Oxigraph's server on the same store and machine. Measured "
        + ", ".join(
            f"{r['size']}: {r['when']}, load average {r['load_average']}, "
            f"{r['requests']} requests per query"
            for r in rows
        )
        + ".",
        "",
        head,
        rule,
        line("quads", [f"{r['quads']:,}" for r in rows]),
        line("N-Quads file", [f"{mib(r['file_bytes']):,} MiB" for r in rows]),
        line("generate", [f"{r['generate_seconds']:.1f} s" for r in rows]),
        line("build (`scograph load`)", [f"{r['build_seconds']:.1f} s" for r in rows]),
        line("build: triples/s", [f"{r['quads'] / r['build_seconds']:,.0f}" for r in rows]),
        line("build: peak memory", [f"{mib(r['build_peak_rss']):,} MiB" for r in rows]),
        line("store on disk", [f"{mib(r['store_bytes']):,} MiB" for r in rows]),
        line(
            "scograph memory, started → after the queries",
            [
                f"{mib(r['scograph_idle_rss']):,} → {mib(r['scograph_rss_after']):,} MiB"
                for r in rows
            ],
        ),
    ]
    names = sorted({name for r in rows for name in r["latency_ms"]})
    for name in names:
        cells = []
        for r in rows:
            found = r["latency_ms"].get(name)
            cells.append(
                f"{found['scograph']:,.1f} ms ({found['oxigraph']:,.1f})" if found else "–"
            )
        lines.append(line(f"p50 {name}", cells))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
