"""The repeat mix: the bundled graph, requests that mostly repeat the example queries.

``python -m benchmarks.repeat_mix`` builds the bundled graph (or reuses it), loads
the same quads into Oxigraph's server, and drives each server with
[`repeat_mix.lua`](repeat_mix.lua): 90 % of the requests (``--share``) send one of
the example queries of ``queries/`` at random, the others look up a random IRI of
the graph with a query text never sent before. Same script, same connections,
same sequence of requests for every server; the servers take turns in each round.

Servers: Oxigraph's (the reference), scograph as it runs by default (response
cache on), and scograph with the cache off (``SCOGRAPH_RESPONSE_CACHE_BYTES=0``),
which shows what the cache does. The example that calls Wikidata with SERVICE is
left out: the benchmark runs without the network. Results go to
``results/repeat-mix.{md,json}``.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.generate import DEFAULT_WORK_DIR, Dataset, oxigraph_cli
from benchmarks.loadgen import Sample, parse_wrk_output, wrk_command
from benchmarks.machine import machine_facts
from benchmarks.servers import (
    RunningServer,
    ServerSpec,
    ask,
    cpu_seconds,
    oxigraph_spec,
    running,
    scograph_spec,
)

LUA_SCRIPT = Path(__file__).parent / "repeat_mix.lua"
RESULTS_DIR = Path(__file__).parent / "results"
ACCEPT = "application/sparql-results+json"
REFERENCE = "oxigraph"


def bundled_dataset(work_dir: Path) -> Dataset:
    """The bundled graph as a benchmark dataset: its store, and an Oxigraph store of its quads.

    Rebuilt when the bundled store changes (its folder name is a hash of the sources).
    """
    from scograph.server.stores import bundled_store

    built = bundled_store()
    folder = work_dir / "bundled"
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["store"] == built.name:
        record = json.loads(manifest.read_text())
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copytree(built, folder / "pyoxigraph")
        store = ox.Store.read_only(str(built))
        store.dump(str(folder / "data.nq"), ox.RdfFormat.N_QUADS)
        quads = len(store)
        del store
        started = time.perf_counter()
        subprocess.run(
            [
                oxigraph_cli(),
                "load",
                "--location",
                str(folder / "oxigraph"),
                "--file",
                str(folder / "data.nq"),
            ],
            check=True,
            capture_output=True,
        )
        record = {
            "store": built.name,
            "quads": quads,
            "oxigraph_load_seconds": round(time.perf_counter() - started, 2),
        }
        manifest.write_text(json.dumps(record, indent=2) + "\n")
    return Dataset(
        name="bundled",
        folder=folder,
        seed=0,
        quads=record["quads"],
        things={},
        generate_seconds=0.0,
        bulk_load_seconds=0.0,
        oxigraph_load_seconds=record["oxigraph_load_seconds"],
    )


def example_queries() -> dict[str, str]:
    """The example queries by name, without the one that needs the network (SERVICE)."""
    from scograph import resources

    found = {}
    for path in sorted(resources.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if "SERVICE" not in text.upper():
            found[path.stem] = text
    return found


def repeated_lookups(iris: list[str], count: int = 50) -> dict[str, str]:
    """``count`` point lookups of IRIs picked with a fixed seed: the cheapest repeats."""
    picked = random.Random(20230616).sample(iris, count)
    return {
        f"lookup-{i:02d}": f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for i, iri in enumerate(picked)
    }


def lookup_iris(dataset: Dataset) -> list[str]:
    """Every IRI that is the subject of a triple in the graph."""
    store = ox.Store.read_only(str(dataset.pyoxigraph_store))
    query = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
    iris = sorted(row["s"].value for row in store.query(query))
    del store
    return iris


def drive(server: RunningServer, files: dict[str, Path], share: float, args: Any) -> Sample:
    """One wrk run of the mix against ``server``, with its CPU time per request."""
    env = {
        **os.environ,
        "MIX_EXAMPLES": str(files["examples"]),
        "MIX_IRIS": str(files["iris"]),
        "MIX_SHARE": str(share),
        "SPARQL_PATH": server.path,
        "SPARQL_ACCEPT": ACCEPT,
    }
    command = [
        wrk_command(),
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=30s",
        f"--script={LUA_SCRIPT}",
        server.base_url,
    ]
    before = cpu_seconds(server.process_group)
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=args.duration + 90
    )
    sample = parse_wrk_output(done.stdout)
    spent = cpu_seconds(server.process_group) - before
    cpu = 1000 * spent / sample.requests if sample.requests else None
    return Sample(**{**asdict(sample), "server_cpu_ms_per_request": cpu})


def check_answers(servers: list[RunningServer], examples: dict[str, str]) -> list[str]:
    """Notes on every example whose number of results differs from Oxigraph's, or fails."""
    notes = []
    for name, text in examples.items():
        counts = {}
        for server in servers:
            answer = ask(server, text, ACCEPT)
            counts[server.name] = answer.results if answer.status == 200 else answer.status
        if len(set(counts.values())) > 1:
            notes.append(f"{name}: results differ: {counts}")
    return notes


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    args = _parser().parse_args(argv)
    dataset = bundled_dataset(args.work_dir)
    _say(f"bundled graph: {dataset.quads:,} quads")
    iris = lookup_iris(dataset)
    examples = example_queries() if args.repeat == "examples" else repeated_lookups(iris)
    specs: list[ServerSpec] = [oxigraph_spec(dataset), scograph_spec(dataset, None, cached=True)]
    if not args.no_uncached:
        specs.append(scograph_spec(dataset, None, name="scograph-uncached"))
    started = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_facts()
    samples: dict[str, list[Sample]] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="repeat-mix-") as tmp:
        files = {"examples": Path(tmp) / "examples.txt", "iris": Path(tmp) / "iris.txt"}
        files["examples"].write_text(
            "\n".join(urllib.parse.quote(text, safe="-._~") for text in examples.values()) + "\n"
        )
        files["iris"].write_text("\n".join(iris) + "\n")
        servers = [stack.enter_context(running(s, dataset.folder / "logs")) for s in specs]
        notes = check_answers(servers, examples)
        for note in notes:
            _say(note)
        for server in servers:
            _say(f"warm-up {server.name}")
            drive(server, files, args.share, argparse.Namespace(**{**vars(args), "duration": 3}))
        for index in range(args.rounds):
            for server in servers[index % len(servers) :] + servers[: index % len(servers)]:
                sample = drive(server, files, args.share, args)
                samples.setdefault(server.name, []).append(sample)
                _say(
                    f"round {index + 1}/{args.rounds} {server.name:<18} "
                    f"{sample.requests_per_s:9.1f} req/s  p50 {sample.p50_ms:7.2f} ms  "
                    f"p99 {sample.p99_ms:7.2f} ms  cpu {sample.server_cpu_ms_per_request:.3f} "
                    f"ms/req" + (f"  {sample.failed} failed" if sample.failed else "")
                )
    result = {
        "started": started,
        "dataset": {"name": dataset.name, "quads": dataset.quads},
        "machine": machine,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "repeat": args.repeat,
            "share": args.share,
            "examples": len(examples),
            "lookup_iris": len(iris),
            "rounds": args.rounds,
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
        },
        "servers": summarise(samples),
        "notes": notes,
        "rounds": {name: [asdict(s) for s in runs] for name, runs in samples.items()},
    }
    write_results(result, args.results_dir, f"repeat-mix-{args.repeat}")
    _say(f"results written to {args.results_dir.name}/repeat-mix-{args.repeat}.md")


def summarise(samples: dict[str, list[Sample]]) -> dict[str, dict[str, float]]:
    """Per server: medians over the rounds, and the median of per-round ratios to Oxigraph."""
    reference = samples[REFERENCE]
    summary = {}
    for name, runs in samples.items():
        ratios = [r.requests_per_s / o.requests_per_s for r, o in zip(runs, reference, strict=True)]
        summary[name] = {
            "requests_per_s": statistics.median(r.requests_per_s for r in runs),
            "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs),
            "cpu_ms_per_request": statistics.median(
                r.server_cpu_ms_per_request or 0.0 for r in runs
            ),
            "ratio": statistics.median(ratios),
            "failed": sum(r.failed for r in runs),
        }
    return summary


def write_results(result: dict[str, Any], folder: Path, stem: str) -> None:
    """Write ``{stem}.json`` and a table in ``{stem}.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    settings = result["settings"]
    lines = [
        "# Repeat mix",
        "",
        f"Started {result['started']}; bundled graph of {result['dataset']['quads']:,} quads; "
        f"{settings['share']:.0%} of the requests repeat one of {settings['examples']} "
        f"{'example queries' if settings['repeat'] == 'examples' else 'point lookups'}, "
        f"the others look up one of {settings['lookup_iris']:,} IRIs with a new query text. "
        f"wrk, {settings['connections']} connections, {settings['threads']} threads, "
        f"{settings['rounds']} rounds of {settings['duration_s']} s; medians over the rounds. "
        f"Machine: {result['machine']['cores']} cores, load average "
        f"{result['machine']['load_average']} before and {result['load_after']} after.",
        "",
        "| server | req/s | ratio to Oxigraph | p50 ms | p99 ms | CPU ms/request | failed |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in result["servers"].items():
        lines.append(
            f"| {name} | {row['requests_per_s']:,.0f} | {row['ratio']:.2f}× | "
            f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['cpu_ms_per_request']:.3f} | "
            f"{row['failed']} |"
        )
    lines += ["", *(f"- {note}" for note in result["notes"])]
    (folder / f"{stem}.md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.repeat_mix", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--repeat",
        choices=("examples", "lookups"),
        default="examples",
        help="what most requests repeat: the example queries, or 50 point lookups",
    )
    parser.add_argument("--share", type=float, default=0.9, help="share of repeated queries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-uncached", action="store_true", help="skip scograph without cache")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser


if __name__ == "__main__":
    main()
