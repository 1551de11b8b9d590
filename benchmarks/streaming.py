"""Streaming: large answers downloaded from scograph and from Oxigraph's server.

``python -m benchmarks.streaming --size 2m`` starts both servers on the dataset,
then, in interleaved rounds, downloads each large answer once per server with curl
into /dev/null, while the server's process group (scograph's HTTP process and its
reader processes) has its resident memory sampled every 0.1 s. It reports, per
answer and server, the median bytes per second, the memory just before the
download (idle) and the peak during it, and checks the criteria:

- peak − idle ≤ 50 MB for scograph;
- scograph's bytes per second ≥ 0.8 × Oxigraph's, both measured in the same rounds.

scograph runs with ``SCOGRAPH_MAX_ROWS`` above the answers' size (its default cap
of 100,000 rows would cut them) and a query time limit long enough for them.
"""

import argparse
import json
import os
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import ensure_dataset
from benchmarks.measure import RssSampler, download, median, mib
from benchmarks.servers import RunningServer, oxigraph_spec, running, scograph_spec

RESULTS_DIR = Path(__file__).parent / "results"
MEMORY_LIMIT_BYTES = 50 * 10**6
SPEED_RATIO_GOAL = 0.8
IDLE_SECONDS = 1.0

ANSWERS = {
    "select-1m-json": (
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000000",
        "application/sparql-results+json",
    ),
    "select-1m-tsv": (
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000000",
        "text/tab-separated-values",
    ),
    "construct-all-nt": (
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "application/n-triples",
    ),
}


def measure(server: RunningServer, sampler: RssSampler, query: str, accept: str) -> dict:
    """Download one answer; return its size, speed, idle and peak memory."""
    time.sleep(IDLE_SECONDS)
    started = time.monotonic()
    idle = min(sampler.between(started - IDLE_SECONDS, started), default=0)
    fetched = download(server.endpoint, accept, {"query": query})
    ended = time.monotonic()
    peak = max(sampler.between(started, ended), default=0)
    return {
        "status": fetched.status,
        "bytes": fetched.size,
        "seconds": fetched.seconds,
        "bytes_per_second": fetched.bytes_per_second,
        "idle_rss": idle,
        "peak_rss": peak,
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2m")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", default=",".join(ANSWERS), help="names, comma-separated")
    args = parser.parse_args(argv)
    dataset = ensure_dataset(args.size)
    names = args.answers.split(",")
    os.environ["SCOGRAPH_MAX_ROWS"] = "10000000"
    os.environ["SCOGRAPH_QUERY_TIMEOUT"] = "600"
    logs = dataset.folder / "logs"
    rounds: list[dict] = []
    with ExitStack() as stack:
        servers = [
            stack.enter_context(running(oxigraph_spec(dataset), logs)),
            stack.enter_context(running(scograph_spec(dataset, None), logs)),
        ]
        samplers = {s.name: stack.enter_context(RssSampler(s.process_group)) for s in servers}
        for number in range(args.rounds):
            order = servers if number % 2 == 0 else servers[::-1]
            for name in names:
                query, accept = ANSWERS[name]
                for server in order:
                    figures = measure(server, samplers[server.name], query, accept)
                    rounds.append(
                        {"round": number, "answer": name, "server": server.name, **figures}
                    )
                    _say(
                        f"round {number} {name} {server.name}: {mib(figures['bytes'])} MiB "
                        f"in {figures['seconds']:.1f} s, rss {mib(figures['idle_rss'])} → "
                        f"{mib(figures['peak_rss'])} MiB"
                    )
    summary = summarise(rounds, names)
    RESULTS_DIR.mkdir(exist_ok=True)
    record = {"size": args.size, "quads": dataset.quads, "when": _now(), "rounds": rounds}
    record["summary"] = summary
    (RESULTS_DIR / "streaming.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS_DIR / "streaming.md").write_text(render(record))
    print(render(record))


def summarise(rounds: list[dict], names: list[str]) -> list[dict]:
    """Medians per answer and server, the speed ratio per round, and the verdicts."""
    rows = []
    for name in names:
        row: dict = {"answer": name}
        for server in ("oxigraph", "scograph"):
            mine = [r for r in rounds if r["answer"] == name and r["server"] == server]
            row[server] = {
                "bytes": median(r["bytes"] for r in mine),
                "bytes_per_second": median(r["bytes_per_second"] for r in mine),
                "idle_rss": median(r["idle_rss"] for r in mine),
                "peak_rss": max(r["peak_rss"] for r in mine),
                # The first download warms the engine's caches (Oxigraph's too); the
                # criterion is about the later ones, when memory should stay flat.
                "cold_growth": mine[0]["peak_rss"] - mine[0]["idle_rss"],
                "growth": max((r["peak_rss"] - r["idle_rss"] for r in mine[1:]), default=0),
                "statuses": sorted({r["status"] for r in mine}),
            }
        ratios = []
        for number in sorted({r["round"] for r in rounds}):
            speed = {
                r["server"]: r["bytes_per_second"]
                for r in rounds
                if r["answer"] == name and r["round"] == number
            }
            ratios.append(speed["scograph"] / speed["oxigraph"])
        row["ratio"] = median(ratios)
        row["memory_ok"] = row["scograph"]["growth"] <= MEMORY_LIMIT_BYTES
        row["speed_ok"] = row["ratio"] >= SPEED_RATIO_GOAL
        rows.append(row)
    return rows


def render(record: dict) -> str:
    """The results as Markdown."""
    lines = [
        f"# Streaming large answers ({record['size']}, {record['quads']:,} quads)",
        "",
        f"Measured {record['when']}; `python -m benchmarks.streaming --size {record['size']}`. "
        "Medians over the rounds; memory is the resident set of the server's whole process "
        "group (scograph: HTTP process and readers), idle = lowest in the second before the "
        "download, peak = highest during it. scograph ran with "
        "`SCOGRAPH_MAX_ROWS=10000000` so the answers are not cut.",
        "",
        "| answer | size | Oxigraph MB/s | scograph MB/s | ratio | Oxigraph growth: first, "
        "later | scograph growth: first, later | scograph growth ≤ 50 MB | speed ≥ 0.8× |",
        "|---|--:|--:|--:|--:|--:|--:|:-:|:-:|",
    ]
    for row in record["summary"]:
        ox, sc = row["oxigraph"], row["scograph"]
        lines.append(
            f"| {row['answer']} | {mib(sc['bytes'])} MiB "
            f"| {ox['bytes_per_second'] / 1e6:.1f} | {sc['bytes_per_second'] / 1e6:.1f} "
            f"| {row['ratio']:.2f}× | {_mb(ox['cold_growth'])}, {_mb(ox['growth'])} "
            f"| {_mb(sc['cold_growth'])}, {_mb(sc['growth'])} "
            f"| {_verdict(row['memory_ok'])} | {_verdict(row['speed_ok'])} |"
        )
    lines += [
        "",
        "Growth = peak during the download − lowest in the second before it, over the whole "
        "process group; *first* is the first download of that answer (cold caches), *later* "
        "the largest of the following rounds. Resident memory of the groups at the end: "
        + ", ".join(
            f"{server} {mib(record['summary'][-1][server]['idle_rss'])} MiB"
            for server in ("oxigraph", "scograph")
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def _mb(size: float) -> str:
    return f"{size / 1e6:+.0f} MB"


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _say(message: str) -> None:
    print(f"[streaming] {message}", flush=True)


if __name__ == "__main__":
    main()
