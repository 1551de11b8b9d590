"""Load test: the example queries under many connections, then the same with runaway queries.

``python -m benchmarks.load`` starts ``scograph serve`` on the bundled graph, on
127.0.0.1 with a short query time limit, and drives it with wrk for ``--duration``
seconds at ``--connections`` connections with a mix of every example query in
``queries/`` (phase A); then does it again while ``--runaways`` clients keep sending
a query that would run for hours, each as soon as the last was stopped and a few
seconds have passed (phase B). The memory of the server's processes is sampled
every half second. It checks what the README's reliability section promises:

- no request of the mix fails (wrk's socket errors and every answer other than 200);
- every runaway query is answered 503 within its time limit + 1 s, and the worker
  process it ran in is gone;
- the mix's p99 latency in phase B stays under twice its value in phase A;
- the server's processes never hold more than ``--rss-limit-mib`` together.

It writes ``results/load.md`` and ``results/load.json`` and exits with 1 if a check
failed. The server is stopped at the end, also on Ctrl-C, SIGTERM or an error.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks.loadgen import parse_wrk_output, wrk_command, wrk_version
from benchmarks.machine import scograph_source_fingerprint
from benchmarks.process_group import GroupSample, GroupSampler, alive, group_processes
from benchmarks.servers import (
    RunningServer,
    ServerSpec,
    ask,
    running,
    scograph_cli,
)
from scograph import resources
from scograph.server.executor import WorkerProcess
from scograph.server.stores import bundled_releases, bundled_store
from scograph.settings import Settings

RESULTS_DIR = Path(__file__).parent / "results"
MIX_SCRIPT = Path(__file__).parent / "mix.lua"
# A cross product of all the quads with themselves three times: ~10^13 solutions.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS_JSON = "application/sparql-results+json"
GRAPH_TURTLE = "text/turtle"
_MARKER = "WRK_JSON "
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
# Latency of the mix may at most double while runaways run.
P99_RATIO_LIMIT = 2.0
# The server's default: a query turns long-running (lowest priority) after this much CPU.
LONG_QUERY_CPU_S = Settings.model_fields["long_query_cpu"].default
# How late a runaway's 503 may come after its time limit.
STOP_MARGIN_S = 1.0


@dataclass(frozen=True)
class MixQuery:
    """One example query of the mix and the Accept header it is sent with."""

    name: str
    accept: str
    sparql: str


def example_mix(folder: Path | None = None) -> list[MixQuery]:
    """Every example query (``queries/*.rq``): SELECT and ASK as JSON, graphs as Turtle."""
    mix = []
    for path in sorted((folder or resources.queries_dir()).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        form = _FORM.search(body)
        graph = form is not None and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
        mix.append(MixQuery(path.stem, GRAPH_TURTLE if graph else RESULTS_JSON, text))
    if not mix:
        raise SystemExit("no example queries found")
    return mix


def write_mix_file(mix: list[MixQuery], path: Path) -> Path:
    """Write the mix as mix.lua reads it: Accept, a tab, the URL-encoded query; one a line."""
    lines = [f"{q.accept}\t{urllib.parse.quote(q.sparql, safe='')}" for q in mix]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reader_start_seconds(store: Path, count: int = 5) -> list[float]:
    """Time ``count`` reader processes from their start until they have opened ``store``."""

    async def measure() -> list[float]:
        times = []
        for _ in range(count):
            started = time.perf_counter()
            worker = await WorkerProcess.start("reader", store)
            times.append(round(time.perf_counter() - started, 3))
            worker.kill()
            await worker.process.wait()
        return times

    return asyncio.run(measure())


@contextmanager
def server_environment(values: dict[str, str]) -> Iterator[None]:
    """Start the server with these ``SCOGRAPH_*`` values and no others (defaults apply)."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("SCOGRAPH_")}
    for key in saved:
        del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        for key in values:
            os.environ.pop(key, None)
        os.environ.update(saved)


def scograph_server() -> ServerSpec:
    """``scograph serve`` on the bundled graph, read-only, without its access log."""
    command = (scograph_cli(), "serve", "--port", "{port}", "--no-access-log")
    return ServerSpec("scograph", command, "/sparql")


def check_mix(server: RunningServer, mix: list[MixQuery]) -> dict[str, float]:
    """Send each query once; return its seconds. Raises SystemExit if one is not answered 200."""
    seconds = {}
    for query in mix:
        answer = ask(server, query.sparql, query.accept)
        if answer.status != 200:
            detail = answer.body[:300].decode("utf-8", "replace")
            raise SystemExit(f"{query.name} was answered {answer.status}: {detail}")
        seconds[query.name] = round(answer.seconds, 3)
    return seconds


def run_wrk(
    server: RunningServer, mix_file: Path, duration_s: int, connections: int, threads: int
) -> dict[str, Any]:
    """Drive ``server`` with the mix; return wrk's counts and latency percentiles."""
    timeout_s = 60
    command = [
        wrk_command(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        f"--timeout={timeout_s}s",
        f"--script={MIX_SCRIPT}",
        server.base_url,
    ]
    env = {**os.environ, "SPARQL_MIX_FILE": str(mix_file), "SPARQL_PATH": server.path}
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=True,
        timeout=duration_s + timeout_s + 30,
    )
    sample = parse_wrk_output(done.stdout)
    line = next(x for x in done.stdout.splitlines() if x.startswith(_MARKER))
    raw = json.loads(line[len(_MARKER) :])
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    socket_errors = {k: v for k, v in sample.errors.items() if k != "status"}
    return {
        "requests": sample.requests,
        "seconds": sample.seconds,
        "requests_per_s": round(sample.requests_per_s, 1),
        "p50_ms": round(sample.p50_ms, 1),
        "p90_ms": round(sample.p90_ms, 1),
        "p99_ms": round(sample.p99_ms, 1),
        "max_ms": round(sample.max_ms, 1),
        "socket_errors": socket_errors,
        "statuses_not_200": statuses,
        "first_answer_not_200": raw["examples"],
        "errors": sum(socket_errors.values()) + sum(statuses.values()),
    }


class RunawayClients:
    """``count`` clients, each sending the runaway query again ``gap_s`` after its last answer.

    Client ``i`` starts ``i * gap_s`` seconds in, so the runaways arrive a few seconds
    apart and several are in flight at once. :meth:`stop` lets each finish the one
    it is waiting for.
    """

    def __init__(self, server: RunningServer, count: int, gap_s: float, limit_s: float) -> None:
        self.server = server
        self.gap_s = gap_s
        self.limit_s = limit_s
        self.answers: list[dict[str, Any]] = []
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(count)
        ]

    def __enter__(self) -> "RunawayClients":
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Send no more runaways; wait for the answers of those in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join(self.limit_s + 60)

    def _client(self, index: int) -> None:
        if self._stop.wait(index * self.gap_s):
            return
        while not self._stop.is_set():
            sent = round(time.monotonic() - self._started, 1)
            answer = ask(self.server, RUNAWAY, RESULTS_JSON, timeout=self.limit_s + 60)
            message = answer.body.decode("utf-8", "replace")
            with self._lock:
                self.answers.append(
                    {
                        "client": index,
                        "sent_at_s": sent,
                        "status": answer.status,
                        "seconds": round(answer.seconds, 2),
                        "stopped_at_limit": "time limit" in message,
                        "message": message[:200],
                    }
                )
            if self._stop.wait(self.gap_s):
                return


@dataclass
class Phase:
    """One phase's rounds, gathered: wrk's results, the server's samples, the runaways."""

    runaway_clients: int
    rounds: list[dict[str, Any]] = field(default_factory=list)
    sample: GroupSample = field(default_factory=GroupSample)
    runaways: list[dict[str, Any]] = field(default_factory=list)
    processes_after: int = 0

    def run_round(self, server: RunningServer, mix_file: Path, options: argparse.Namespace) -> None:
        """Drive the mix for one round, with the runaway clients alongside if any."""
        seconds = max(1, round(options.duration / options.rounds))
        with GroupSampler(server.process_group, self.sample):
            clients = RunawayClients(
                server, self.runaway_clients, options.runaway_gap, options.timeout
            )
            with clients:
                load = run_wrk(server, mix_file, seconds, options.connections, options.threads)
            # The sampler keeps going until every runaway has been answered.
        self.rounds.append(load)
        index = len(self.rounds)
        self.runaways += [{"round": index, **a} for a in sorted(clients.answers, key=_sent)]
        # SIGKILL takes effect when the process next runs, which at the lowest priority may wait.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(pid) for pid in self.sample.lowered):
            time.sleep(0.1)

    def result(self) -> dict[str, Any]:
        """The rounds combined: counts summed, the median of each latency percentile."""
        rounds = self.rounds
        requests, seconds = sum(r["requests"] for r in rounds), sum(r["seconds"] for r in rounds)
        mix: dict[str, Any] = {
            "requests": requests,
            "seconds": round(seconds, 1),
            "requests_per_s": round(requests / seconds, 1),
            "errors": sum(r["errors"] for r in rounds),
            "socket_errors": _sum_counts(r["socket_errors"] for r in rounds),
            "statuses_not_200": _sum_counts(r["statuses_not_200"] for r in rounds),
            "first_answer_not_200": {
                k: v for r in rounds for k, v in r["first_answer_not_200"].items()
            },
        }
        for key in ("p50_ms", "p90_ms", "p99_ms"):
            mix[key] = round(statistics.median(r[key] for r in rounds), 1)
        mix["max_ms"] = max(r["max_ms"] for r in rounds)
        return {
            "runaway_clients": self.runaway_clients,
            "mix": mix,
            "rounds": rounds,
            "server": self.sample.summary(),
            "runaways": self.runaways,
            "lowered_priority_pids_alive_after": [p for p in self.sample.lowered if alive(p)],
            "processes_after": self.processes_after,
        }


def _sent(answer: dict[str, Any]) -> float:
    return answer["sent_at_s"]


def _sum_counts(counts: Iterable[dict[Any, int]]) -> dict[Any, int]:
    total: dict[Any, int] = {}
    for count in counts:
        for key, value in count.items():
            total[key] = total.get(key, 0) + value
    return total


def settle(process_group: int, expected: int, within_s: float = 15.0) -> int:
    """Wait until the group has ``expected`` processes again; return how many it has."""
    deadline = time.monotonic() + within_s
    count = len(group_processes(process_group))
    while count != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        count = len(group_processes(process_group))
    return count


def measure(options: argparse.Namespace) -> dict[str, Any]:
    """Start the server, run the warm-up and both phases; return the result as written."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    _say("building or reusing the bundled store and its release…")
    store = bundled_store()
    # The server writes it on its first start otherwise, which may outlast the wait for it.
    bundled_releases(store, Settings.model_fields["public_base_url"].default)
    _say("timing reader start-up…")
    startup = reader_start_seconds(store)
    mix = example_mix()
    environment = {"SCOGRAPH_QUERY_TIMEOUT": f"{options.timeout:g}"}
    if options.readers is not None:
        environment["SCOGRAPH_READERS"] = str(options.readers)
    for setting in options.env:
        key, _, value = setting.partition("=")
        if not key.startswith("SCOGRAPH_"):
            raise SystemExit(f"--env takes SCOGRAPH_NAME=VALUE, not {setting!r}")
        environment[key] = value
    machine = machine_facts()
    with tempfile.TemporaryDirectory(prefix="scograph-load-") as tmp:
        mix_file = write_mix_file(mix, Path(tmp) / "mix.tsv")
        with server_environment(environment), running(scograph_server(), Path(tmp)) as server:
            single = check_mix(server, mix)
            _say(f"warm-up: {options.warmup} s of the mix")
            run_wrk(server, mix_file, options.warmup, options.connections, options.threads)
            idle = len(group_processes(server.process_group))
            phases = {"A": Phase(0), "B": Phase(options.runaways)}
            # Rounds of A then B: the machine's load drifts, and both phases share it.
            for index in range(1, options.rounds + 1):
                for name, phase in phases.items():
                    _say(f"round {index}/{options.rounds}, phase {name}")
                    phase.run_round(server, mix_file, options)
                    phase.processes_after = settle(server.process_group, idle)
                    _say(f"phase {name}: {_describe(phase.rounds[-1])}")
    result = {
        "started": started,
        "command": "python -m benchmarks.load " + " ".join(sys.argv[1:]),
        "machine": machine,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "duration_s": options.duration,
            "rounds": options.rounds,
            "connections": options.connections,
            "threads": options.threads,
            "warmup_s": options.warmup,
            "runaway_clients": options.runaways,
            "runaway_gap_s": options.runaway_gap,
            "query_timeout_s": options.timeout,
            "server_environment": environment,
            "rss_limit_mib": options.rss_limit_mib,
            "runaway_query": RUNAWAY,
        },
        "reader_start_s": {"runs": startup, "median": statistics.median(startup)},
        "mix": [q.name for q in mix],
        "single_query_s": single,
        "idle_processes": idle,
        "phases": {name: phase.result() for name, phase in phases.items()},
    }
    result["checks"] = [asdict(c) for c in evaluate(result)]
    return result


def machine_facts() -> dict[str, Any]:
    """Cores, CPU, memory, load and the versions a result depends on (no Oxigraph needed)."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            **{name: metadata.version(name) for name in ("scograph", "pyoxigraph", "uvicorn")},
            "wrk": wrk_version(),
            "python": platform.python_version(),
        },
        "commit": commit.stdout.strip() or None,
        "scograph_source": scograph_source_fingerprint(),
    }


@dataclass(frozen=True)
class Check:
    """One promise of the reliability section, and whether the run kept it."""

    name: str
    passed: bool
    detail: str


def evaluate(result: dict[str, Any]) -> list[Check]:
    """Check the run against the promises listed in the module's docstring."""
    a, b = result["phases"]["A"], result["phases"]["B"]
    limit = result["settings"]["query_timeout_s"]
    checks = [
        Check(f"phase {n}: no failed request", p["mix"]["errors"] == 0, _errors(p["mix"]))
        for n, p in (("A", a), ("B", b))
    ]
    runaways = b["runaways"]
    late = [r for r in runaways if r["status"] != 503 or not r["stopped_at_limit"]]
    late += [r for r in runaways if r["seconds"] > limit + STOP_MARGIN_S and r not in late]
    slowest = max((r["seconds"] for r in runaways), default=0.0)
    checks.append(
        Check(
            f"every runaway answered 503 within {limit:g} + {STOP_MARGIN_S:g} s",
            bool(runaways) and not late,
            f"{len(runaways)} runaways, {len(late)} not; slowest {slowest:.2f} s",
        )
    )
    lowered = b["server"]["lowered_priority_pids"]
    left = b["lowered_priority_pids_alive_after"]
    checks.append(
        Check(
            "the worker of every runaway (its thread seen at the lowest priority) is gone",
            bool(lowered or not runaways) and not left,
            f"{len(lowered)} workers ran {len(runaways)} runaways' threads at the lowest priority "
            f"(one that never used {LONG_QUERY_CPU_S} s of CPU is not), {len(left)} still alive",
        )
    )
    ratio = b["mix"]["p99_ms"] / a["mix"]["p99_ms"] if a["mix"]["p99_ms"] else float("inf")
    result["p99_ratio"] = round(ratio, 2)
    checks.append(
        Check(
            f"phase B p99 under {P99_RATIO_LIMIT:g}× phase A p99",
            ratio < P99_RATIO_LIMIT,
            f"{b['mix']['p99_ms']:.0f} ms / {a['mix']['p99_ms']:.0f} ms = {ratio:.2f}",
        )
    )
    peak = max(p["server"]["rss_mib"]["max"] for p in (a, b))
    bound = result["settings"]["rss_limit_mib"]
    checks.append(
        Check(f"server memory under {bound} MiB", peak < bound, f"peak {peak:.0f} MiB (RSS sum)")
    )
    idle = result["idle_processes"]
    checks.append(
        Check(
            "the pool is back to its size after the runaways",
            b["processes_after"] == idle,
            f"{b['processes_after']} processes, {idle} before",
        )
    )
    return checks


def _errors(load: dict[str, Any]) -> str:
    socket = {k: v for k, v in load["socket_errors"].items() if v}
    return (
        f"{load['requests']} requests, {load['errors']} failed"
        + (f"; socket errors {socket}" if socket else "")
        + (f"; statuses {load['statuses_not_200']}" if load["statuses_not_200"] else "")
    )


def to_markdown(result: dict[str, Any]) -> str:
    """The result as the page ``results/load.md``."""
    a, b = result["phases"]["A"], result["phases"]["B"]
    settings = result["settings"]
    machine = result["machine"]
    lines = [
        "# Load test",
        "",
        f"`{result['command']}`, started {result['started']} on {machine['cores']} cores "
        f"({machine['cpu']}), load average before {machine['load_average']}, "
        f"after {result['load_after']}; scograph {machine['versions'].get('scograph')}, "
        f"commit {machine['commit']}.",
        "",
        f"wrk: {settings['connections']} connections, {settings['threads']} threads, "
        f"{settings['duration_s']} s per phase in {settings['rounds']} rounds of A then B, "
        f"after {settings['warmup_s']} s of warm-up; latency percentiles are the medians "
        "of the rounds'; "
        f"the mix rotates through the {len(result['mix'])} example queries (GET). "
        f"Server: `scograph serve` on the bundled graph with {settings['server_environment']}. "
        f"Phase B adds {settings['runaway_clients']} clients that each send "
        f"`{settings['runaway_query']}` again {settings['runaway_gap_s']:g} s after "
        "its last answer.",
        "",
        "| | phase A (mix) | phase B (mix + runaways) |",
        "|---|--:|--:|",
    ]
    rows = [
        ("requests", "requests", "{:,}"),
        ("requests/s", "requests_per_s", "{:.1f}"),
        ("failed (socket errors, not 200)", "errors", "{}"),
        ("p50 latency (ms)", "p50_ms", "{:.1f}"),
        ("p90 latency (ms)", "p90_ms", "{:.1f}"),
        ("p99 latency (ms)", "p99_ms", "{:.1f}"),
        ("max latency (ms)", "max_ms", "{:.1f}"),
    ]
    for label, key, fmt in rows:
        lines.append(f"| {label} | {fmt.format(a['mix'][key])} | {fmt.format(b['mix'][key])} |")
    for label, key in (("server RSS, MiB", "rss_mib"), ("server processes", "processes")):
        cells = [_spread_text(p["server"][key]) for p in (a, b)]
        lines.append(f"| {label} (min / median / max) | {cells[0]} | {cells[1]} |")
    cores = [p["server"]["cpu_cores"] for p in (a, b)]
    lines.append(f"| server CPU used (cores) | {cores[0]} | {cores[1]} |")
    lowered = b["server"]["cpu_seconds_lowered"]
    lines.append(f"| CPU seconds of lowered workers | – | {lowered} |")
    runaways = b["runaways"]
    stopped = [r["seconds"] for r in runaways]
    lines += [
        "",
        f"p99 ratio B / A: **{result['p99_ratio']:.2f}**. Runaways: {len(runaways)} sent, "
        f"answered after {_spread_text(_spread(stopped))} s (min / median / max) with "
        f"statuses {sorted({r['status'] for r in runaways})}; "
        f"{len(b['server']['lowered_priority_pids'])} workers ran at the lowest priority.",
        "",
        f"Reader start-up (process start to store open): median "
        f"{result['reader_start_s']['median']:.2f} s of {result['reader_start_s']['runs']}.",
        "",
        "| check | result | |",
        "|---|---|---|",
    ]
    for check in result["checks"]:
        lines.append(
            f"| {check['name']} | {'pass' if check['passed'] else '**FAIL**'} | {check['detail']} |"
        )
    slow = sorted(result["single_query_s"].items(), key=lambda kv: -kv[1])[:5]
    lines += [
        "",
        "Slowest example queries alone, before the load: "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in slow)
        + ".",
        "",
    ]
    return "\n".join(lines)


def _spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _spread_text(spread: dict[str, float]) -> str:
    if not spread:
        return "–"
    return " / ".join(f"{spread[k]:g}" for k in ("min", "median", "max"))


def _describe(load: dict[str, Any]) -> str:
    return (
        f"{load['requests']} requests ({load['requests_per_s']}/s), {load['errors']} failed, "
        f"p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms"
    )


def write_results(result: dict[str, Any], folder: Path) -> None:
    """Write ``load.json`` and ``load.md`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "load.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "load.md").write_text(to_markdown(result), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    options = _parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the server is stopped by its with-block.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        result = measure(options)
    except KeyboardInterrupt:
        _say("interrupted; the server is stopped and no results were written")
        raise SystemExit(130) from None
    write_results(result, options.results_dir)
    print(to_markdown(result))
    failed = [c for c in result["checks"] if not c["passed"]]
    for check in failed:
        _say(f"FAILED: {check['name']}: {check['detail']}")
    raise SystemExit(1 if failed else 0)


def _say(message: str) -> None:
    """Progress goes to standard error, so standard output stays free for piping."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds per phase")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternate the phases this many times (A B A B …)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of the mix before phase A")
    parser.add_argument("--runaways", type=int, default=4, help="runaway clients in phase B")
    parser.add_argument(
        "--runaway-gap",
        type=float,
        default=3.0,
        help="seconds between a runaway's answer and the next",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="the server's query time limit (seconds)"
    )
    parser.add_argument(
        "--readers", type=int, default=None, help="SCOGRAPH_READERS (default: the server's)"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="SCOGRAPH_NAME=VALUE",
        help="another server setting (repeatable), e.g. SCOGRAPH_SPARE_READERS=2",
    )
    parser.add_argument("--rss-limit-mib", type=int, default=1536)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser


if __name__ == "__main__":
    main()
