"""The fuzzer as a test: fuzzed requests against a real server, no 5xx, no hang, no leak.

It runs ``tests/hardening/fuzz.py`` (``python -m tests.hardening.fuzz --requests 10000``)
with a fixed seed, so a failure is the same on every run, and the requests that
failed are printed with what was sent. The 10,000 requests (and 1,000 more to warm
up) take about two and a half minutes on a machine of two cores.
"""

from pathlib import Path

import pytest

from . import fuzz

REQUESTS = 10_000
SEED = 1


@pytest.mark.timeout(600)
def test_fuzzing_finds_no_server_error_no_hang_and_no_leak(tmp_path: Path) -> None:
    report = fuzz.run(REQUESTS, seed=SEED, folder=tmp_path, log=lambda _: None)
    print(report.table())
    failed = "\n".join(
        f"{outcome.label} after {outcome.seconds:.1f} s: {outcome.probe.describe()}"
        for outcome in report.failures[:20]
    )
    assert report.requests == REQUESTS
    assert set(report.sources) == {"schemathesis", "sparql", "graph-store"}
    # The requests reached the engine as well as the guards: answers and refusals both.
    assert report.statuses["200"] > REQUESTS // 20, report.table()
    assert report.statuses["400"] > REQUESTS // 5, report.table()
    assert report.server_errors == 0, failed
    # Queries stopped at the time limit (503, by design) stay rare: a handful at most.
    assert report.time_limited <= 10, report.table()
    assert report.hangs == 0, failed
    assert report.no_answer == 0, failed
    assert report.server_alive, report.table()
    assert report.memory_came_back, report.table()
