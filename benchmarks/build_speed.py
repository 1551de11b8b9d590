"""Build speed: ``scograph load`` against ``oxigraph load`` on the same N-Quads file.

``python -m benchmarks.build_speed --size 10m`` generates (or reuses) the dataset,
then, ``--runs`` times and alternating which goes first, builds a fresh store from
its ``data.nq`` with each command, measuring the wall time and the peak resident
memory of the command's process. Reports triples per second and the ratio
scograph / Oxigraph (the median of the per-run ratios). Goal: ≥ 0.9×.
"""

import argparse
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import ensure_dataset, oxigraph_cli
from benchmarks.measure import median, mib, timed_run
from benchmarks.servers import scograph_cli

RESULTS_DIR = Path(__file__).parent / "results"
GOAL_RATIO = 0.9


def commands(data: Path, target: Path) -> dict[str, list[str]]:
    """The two build commands, each writing a new store at ``target``."""
    return {
        "oxigraph": [oxigraph_cli(), "load", "--location", str(target), "--file", str(data)],
        "scograph": [scograph_cli(), "load", str(data), "--store", str(target)],
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    dataset = ensure_dataset(args.size)
    target = dataset.folder / "build-speed-store"
    env = {**os.environ, "COLUMNS": "120"}
    runs = []
    for number in range(args.runs):
        order = ["scograph", "oxigraph"] if number % 2 == 0 else ["oxigraph", "scograph"]
        for name in order:
            shutil.rmtree(target, ignore_errors=True)
            done = timed_run(commands(dataset.nquads, target)[name], env)
            if done.returncode != 0:
                sys.exit(f"{name} failed:\n{done.stderr}")
            store_bytes = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
            runs.append(
                {
                    "run": number,
                    "tool": name,
                    "seconds": round(done.seconds, 2),
                    "peak_rss": done.peak_rss_bytes,
                    "store_bytes": store_bytes,
                    "triples_per_second": dataset.quads / done.seconds,
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
            print(f"[build] run {number} {name}: {done.seconds:.1f} s", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    record = {
        "size": args.size,
        "quads": dataset.quads,
        "file_bytes": dataset.nquads.stat().st_size,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": runs,
    }
    ratios = []
    for number in range(args.runs):
        speed = {r["tool"]: r["triples_per_second"] for r in runs if r["run"] == number}
        ratios.append(speed["scograph"] / speed["oxigraph"])
    record["ratio"] = median(ratios)
    record["pass"] = record["ratio"] >= GOAL_RATIO
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"build-{args.size}"
    out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(record))
    print(render(record))


def render(record: dict) -> str:
    """The results as Markdown."""
    lines = [
        f"# Building a store of {record['quads']:,} quads ({record['size']})",
        "",
        f"Measured {record['when']}; `python -m benchmarks.build_speed --size {record['size']}`: "
        f"`scograph load data.nq --store DIR` against `oxigraph load --location DIR --file "
        f"data.nq` on the same {mib(record['file_bytes']):,} MiB N-Quads file, alternating "
        "which goes first. Peak memory is the command's own (wait4's ru_maxrss).",
        "",
        "| tool | runs | median time | triples/s | peak RSS | store on disk |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for tool in ("oxigraph", "scograph"):
        mine = [r for r in record["runs"] if r["tool"] == tool]
        lines.append(
            f"| {tool} | {len(mine)} | {median(r['seconds'] for r in mine):.1f} s "
            f"| {median(r['triples_per_second'] for r in mine):,.0f} "
            f"| {mib(max(r['peak_rss'] for r in mine)):,} MiB "
            f"| {mib(median(r['store_bytes'] for r in mine)):,} MiB |"
        )
    verdict = "pass" if record["pass"] else "FAIL"
    lines += [
        "",
        f"scograph / Oxigraph: **{record['ratio']:.2f}×** (median of the per-run ratios; "
        f"goal ≥ {GOAL_RATIO}×: {verdict}). Load averages during the runs: "
        + ", ".join(str(r["load_average"]) for r in record["runs"])
        + ".",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
