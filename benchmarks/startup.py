"""Start-up: how long ``scograph serve`` takes to answer, with the bundled store already built.

``python -m benchmarks.startup`` builds the bundled store (and its release) once in
a cache of its own, then starts ``scograph serve`` ``--runs`` times and measures,
from the moment the command is started, the time to the first 200 answer of
``/health`` and of a real SPARQL query (asked as soon as ``/health`` answers).
Criterion: the median time to the first answered query ≤ 1 s.
"""

import argparse
import http.client
import json
import os
import subprocess
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.generate import DEFAULT_WORK_DIR
from benchmarks.measure import median
from benchmarks.servers import HOST, PROJECT_ROOT, free_port, scograph_cli, stop

RESULTS_DIR = Path(__file__).parent / "results"
GOAL_SECONDS = 1.0
QUERY = """PREFIX sg: <https://w3id.org/scograph/ontology#>
SELECT ?city ?sister WHERE { ?city sg:sisterOf ?sister } LIMIT 10"""
_POLL_SECONDS = 0.005
_GIVE_UP_SECONDS = 300.0


def _status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None  # not listening yet
    finally:
        connection.close()


def _until_200(port: int, path: str, started: float, process: subprocess.Popen) -> float:
    while time.perf_counter() - started < _GIVE_UP_SECONDS:
        if process.poll() is not None:
            raise RuntimeError(f"scograph serve exited with {process.returncode}")
        if _status(port, path) == 200:
            return time.perf_counter() - started
        time.sleep(_POLL_SECONDS)
    raise RuntimeError(f"no 200 from {path} within {_GIVE_UP_SECONDS:.0f} s")


def one_start(env: dict[str, str], log: Path) -> dict[str, float]:
    """Start ``scograph serve`` once; return seconds to /health and to a query answered."""
    port = free_port()
    query_path = "/sparql?" + urllib.parse.urlencode({"query": QUERY})
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [scograph_cli(), "serve", "--port", str(port), "--no-access-log"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
        )
    try:
        health = _until_200(port, "/health", started, process)
        query = _until_200(port, query_path, started, process)
    finally:
        stop(process)
    return {"health": health, "query": query}


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="", help="a note stored with the results")
    args = parser.parse_args(argv)
    cache = DEFAULT_WORK_DIR / "startup-cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOGRAPH_")}
    env["XDG_CACHE_HOME"] = str(cache)
    log = DEFAULT_WORK_DIR / "startup.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    first = one_start(env, log)  # builds the store and its release when not cached
    print(f"[startup] first start (may build): {first}", flush=True)
    runs = []
    for number in range(args.runs):
        runs.append(one_start(env, log))
        print(f"[startup] run {number}: {runs[-1]}", flush=True)
    record = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "label": args.label,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "first_start": first,
        "runs": runs,
        "health_median": median(r["health"] for r in runs),
        "query_median": median(r["query"] for r in runs),
    }
    record["pass"] = record["query_median"] <= GOAL_SECONDS
    RESULTS_DIR.mkdir(exist_ok=True)
    history = RESULTS_DIR / "startup.json"
    previous = json.loads(history.read_text()) if history.exists() else []
    history.write_text(json.dumps([*previous, record], indent=2) + "\n")
    (RESULTS_DIR / "startup.md").write_text(render([*previous, record]))
    print(render([*previous, record]))


def render(records: list[dict]) -> str:
    """All measured start-ups as Markdown, latest last."""
    lines = [
        "# Start-up of `scograph serve` (bundled store already built)",
        "",
        "`python -m benchmarks.startup`: seconds from starting the command to the first 200 "
        f"answer; median of the runs. Criterion: a query answered within {GOAL_SECONDS:g} s.",
        "",
        "| measured | what | load average | /health | first query | runs (query) | ≤ 1 s |",
        "|---|---|--:|--:|--:|---|:-:|",
    ]
    for record in records:
        runs = ", ".join(f"{r['query']:.2f}" for r in record["runs"])
        lines.append(
            f"| {record['when']} | {record['label']} | {record['load_average'][0]} "
            f"| {record['health_median']:.2f} s | {record['query_median']:.2f} s | {runs} "
            f"| {'pass' if record['pass'] else 'FAIL'} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
