"""How long the aggregates take computed, and answered from what was kept of them.

``python -m benchmarks.aggregates`` measures, on the bundled graph:

- the aggregate example queries (things by class, twinnings per country pair,
  twinnings by status, countries twinning most with China, SCO status counts):
  the app's time for one request, with the response cache off (computed each time,
  in a query worker process) and on (answered from memory), the median of
  ``--repeats`` requests;
- the VoID statistics and the home page's figures, in-process: computing them, and
  reading them again from the once-per-release caches that keep them.

Prints a table (median microseconds).
"""

import argparse
import asyncio
import statistics
import time
import urllib.parse
from types import SimpleNamespace

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


def query_times(repeats: int) -> dict[str, dict[str, float]]:
    """Per aggregate query: the app's own time per request, cache off and cache on.

    The app is called in-process, as uvicorn calls it, so the figures are the
    server's time without the network and the scheduler's wake-ups (on a loaded
    machine those add milliseconds to any single request).
    """
    from scograph import resources
    from scograph.server.app import create_app
    from scograph.server.stores import bundled_store
    from scograph.settings import Settings

    found: dict[str, dict[str, float]] = {name: {} for name in AGGREGATES}

    async def measure(label: str, cache_bytes: int) -> None:
        settings = Settings(
            store=bundled_store(), response_cache_bytes=cache_bytes, warm_at_start=False
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            for name in AGGREGATES:
                text = (resources.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
                scope = _scope(text)
                timings = []
                for _ in range(repeats + 1):
                    sent: list[dict[str, object]] = []

                    async def receive() -> dict[str, object]:
                        return {"type": "http.request", "body": b"", "more_body": False}

                    async def send(message: dict[str, object], sent: list = sent) -> None:
                        sent.append(message)

                    started = time.perf_counter()
                    await app(dict(scope), receive, send)
                    timings.append(time.perf_counter() - started)
                    assert sent[0]["status"] == 200, sent
                found[name][label] = _median_us(timings[1:])

    asyncio.run(measure("computed", 0))
    asyncio.run(measure("cached", 64 * 1024 * 1024))
    return found


def _scope(query: str) -> dict[str, object]:
    """The ASGI scope of ``GET /sparql?query=…`` as uvicorn makes it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "root_path": "",
        "query_string": urllib.parse.urlencode({"query": query}).encode(),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", ACCEPT.encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


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
    args = parser.parse_args(argv)
    rows = {**query_times(args.repeats), **in_process(args.repeats)}
    print("| aggregate | computed (µs) | kept (µs) | ratio |")
    print("|---|--:|--:|--:|")
    for name, row in rows.items():
        ratio = row["computed"] / row["cached"]
        print(f"| {name} | {row['computed']:,.0f} | {row['cached']:,.1f} | {ratio:,.0f}× |")


if __name__ == "__main__":
    main()
