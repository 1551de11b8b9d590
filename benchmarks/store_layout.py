"""What the store's layout costs the engine: CPU per query on three forms of one dataset.

``python -m benchmarks.store_layout --size 2m`` runs every benchmark query in this
process, one at a time, on:

- *as loaded*: the store ``Store.bulk_load`` made, through Oxigraph's union view
  (what the straightforward handler and Oxigraph's server read);
- *compacted*: a copy of it after ``Store.optimize()``, through the union view;
- *union copy*: the copy a read-only scograph endpoint reads
  (:mod:`scograph.server.union_store`), the union stored as the default graph and
  compacted.

Each query is run and its answer serialised one line per row (TSV or N-Triples), as
:func:`benchmarks.cpu_split.engine_times` times the engine, in rounds that take the
three forms in turn; the medians and the ratios to *as loaded* go to
``results/store-layout.md`` and ``.json``.
"""

import argparse
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from benchmarks.cpu_split import engine_times
from benchmarks.generate import ensure_dataset
from benchmarks.measure import median
from benchmarks.queries import load_queries
from scograph.server.union_store import union_store

RESULTS_DIR = Path(__file__).parent / "results"
# Each form runs a query this long (in CPU seconds) at least, in each round.
_TIMED_CPU_S = 0.3


def compacted_copy(store: Path) -> Path:
    """A compacted copy of ``store`` beside it, made once."""
    copy = store.with_name(f"{store.name}-compacted")
    if not (copy / "CURRENT").is_file():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy)
        opened = ox.Store(str(copy))
        opened.optimize()
        opened.flush()
    return copy


def measure(size: str, rounds: int) -> dict:
    """Every query's CPU per run on each form of the dataset, over ``rounds`` rounds."""
    dataset = ensure_dataset(size)
    queries = load_queries()
    with union_store(dataset.pyoxigraph_store) as union:
        if union is None:
            raise SystemExit("The union copy could not be built (see the warning above).")
        forms = {
            "as loaded": (ox.Store.read_only(str(dataset.pyoxigraph_store)), True),
            "compacted": (ox.Store.read_only(str(compacted_copy(dataset.pyoxigraph_store))), True),
            "union copy": (ox.Store.read_only(str(union)), False),
        }
        rows = []
        for query in queries:
            store, view = forms["as loaded"]
            once = engine_times(store, query, 1, view)["run_serialise"]
            times = max(1, round(_TIMED_CPU_S / max(once, 1e-6)))
            seconds: dict[str, list[float]] = {name: [] for name in forms}
            for _ in range(rounds):
                for name, (store, view) in forms.items():
                    timed = engine_times(store, query, times, view)
                    seconds[name].append(timed["run_serialise"])
            ms = {name: 1000 * median(values) for name, values in seconds.items()}
            rows.append({"query": query.name, "runs_per_round": times, "cpu_ms": ms})
            print(f"[layout] {query.name}: {ms}", flush=True)
    return {
        "size": size,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rounds": rounds,
        "pyoxigraph": ox.__version__,
        "rows": rows,
    }


def render(record: dict) -> str:
    """The results as Markdown."""
    lines = [
        f"# Engine CPU per query by store layout ({record['size']})",
        "",
        f"Measured {record['when']} (load average {record['load_average'][0]}), pyoxigraph "
        f"{record['pyoxigraph']}; `python -m benchmarks.store_layout --size {record['size']} "
        f"--rounds {record['rounds']}`. Milliseconds of CPU per query, run and serialised one "
        "line per row in-process, median of each round's runs, then of the rounds; in "
        "brackets the ratio to *as loaded* (lower is better). *As loaded* and *compacted* "
        "are read through Oxigraph's union view; the *union copy* is what a read-only "
        "scograph endpoint reads.",
        "",
        "| query | as loaded | compacted | union copy |",
        "|---|--:|--:|--:|",
    ]
    for row in record["rows"]:
        ms = row["cpu_ms"]
        base = ms["as loaded"]
        lines.append(
            f"| {row['query']} | {base:.3f} "
            f"| {ms['compacted']:.3f} ({ms['compacted'] / base:.2f}) "
            f"| {ms['union copy']:.3f} ({ms['union copy'] / base:.2f}) |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2m")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    record = measure(args.size, args.rounds)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "store-layout.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS_DIR / "store-layout.md").write_text(render(record))
    print(render(record))


if __name__ == "__main__":
    main()
