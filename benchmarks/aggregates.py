"""How long the aggregates take computed, and answered from what was kept of them.

``python -m benchmarks.aggregates`` measures, on the bundled graph:

- the aggregate example queries (things by class, twinnings per country pair,
  twinnings by status, countries twinning most with China, SCO status counts):
  the latency of one request, one client, kept-alive connection, to scograph with
  the response cache off (computed each time) and on (answered from memory), the
  median of ``--repeats`` requests;
- the VoID statistics and the home page's figures, in-process: computing them, and
  reading them again from the once-per-release caches that keep them.

Prints a table (median microseconds).
"""

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

import httpx

from benchmarks.generate import DEFAULT_WORK_DIR
from benchmarks.repeat_mix import bundled_dataset
from benchmarks.servers import running, scograph_spec

AGGREGATES = (
    "104-things-by-class",
    "105-twinnings-per-country-pair",
    "002-twinnings-by-status",
    "103-countries-twinning-most-with-china",
    "007-sco-status-counts-on-dates",
)
ACCEPT = "application/sparql-results+json"


def _median_us(timings: list[float]) -> float:
    return statistics.median(timings) * 1e6


def query_latencies(repeats: int, work_dir: Path) -> dict[str, dict[str, float]]:
    """Per aggregate query: median latency with the cache off, and with it on."""
    from scograph import resources

    dataset = bundled_dataset(work_dir)
    texts = {
        name: (resources.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
        for name in AGGREGATES
    }
    found: dict[str, dict[str, float]] = {name: {} for name in AGGREGATES}
    for label, spec in (
        ("computed", scograph_spec(dataset, None, name="scograph-uncached")),
        ("cached", scograph_spec(dataset, None, cached=True)),
    ):
        with running(spec, dataset.folder / "logs") as server, httpx.Client() as client:
            for name, text in texts.items():
                timings = []
                for _ in range(repeats + 1):
                    started = time.perf_counter()
                    response = client.get(
                        server.endpoint, params={"query": text}, headers={"Accept": ACCEPT}
                    )
                    timings.append(time.perf_counter() - started)
                    response.raise_for_status()
                found[name][label] = _median_us(timings[1:])
    return found


def in_process(repeats: int) -> dict[str, dict[str, float]]:
    """The VoID statistics and the home counts: computing them, and reading them kept."""
    import pyoxigraph as ox

    from scograph.publish.routes.context import PagesStore, PublishingContext
    from scograph.publish.routes.void import void_statements
    from scograph.publish.statistics import compute
    from scograph.publish.urls import PublicUrls
    from scograph.server.stores import bundled_store
    from scograph.web.cache import GenerationCache
    from scograph.web.counts import COUNTS_QUERY, counts_from
    from scograph.web.graph import GraphReader

    path = bundled_store()
    store = ox.Store.read_only(str(path))
    computing = []
    for _ in range(repeats):
        started = time.perf_counter()
        compute(store)
        computing.append(time.perf_counter() - started)

    context = PublishingContext(PagesStore(path), None, PublicUrls("http://127.0.0.1:8000/"))
    void_statements(context, store)
    reading = []
    for _ in range(repeats):
        started = time.perf_counter()
        void_statements(context, store)
        reading.append(time.perf_counter() - started)

    reader = GraphReader(path)
    state = SimpleNamespace(store=store)
    cache = GenerationCache()

    async def counts() -> tuple[list[float], list[float]]:
        computed, kept = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            counts_from(await reader.select(state, COUNTS_QUERY))
            computed.append(time.perf_counter() - started)
        for _ in range(repeats):

            async def make() -> object:
                return counts_from(await reader.select(state, COUNTS_QUERY))

            started = time.perf_counter()
            await cache.get("counts", ("local", 0), make)
            kept.append(time.perf_counter() - started)
        return computed, kept[1:]

    computed, kept = asyncio.run(counts())
    return {
        "VoID statistics": {"computed": _median_us(computing), "cached": _median_us(reading)},
        "home page counts": {"computed": _median_us(computed), "cached": _median_us(kept)},
    }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.aggregates", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    args = parser.parse_args(argv)
    rows = {**query_latencies(args.repeats, args.work_dir), **in_process(args.repeats)}
    print("| aggregate | computed (µs) | kept (µs) | ratio |")
    print("|---|--:|--:|--:|")
    for name, row in rows.items():
        ratio = row["computed"] / row["cached"]
        print(f"| {name} | {row['computed']:,.0f} | {row['cached']:,.1f} | {ratio:,.0f}× |")


if __name__ == "__main__":
    main()
