"""Dumps: a precomputed N-Quads dump from scograph's ``/dumps/`` against Oxigraph's ``GET /store``.

``python -m benchmarks.dumps --size 2m`` writes the dataset's store as one N-Quads
file into a release folder (with its ``SHA256SUMS``, which is what makes a folder a
release for ``/dumps/``), serves it with ``scograph serve --store ...`` and
``SCOGRAPH_RELEASES_DIR``, and downloads, in alternating rounds with curl into
/dev/null, the dump from scograph and the whole store as N-Quads from Oxigraph's
server (``GET /store``, ``Accept: application/n-quads``): the same quads, about the
same bytes. Goal: scograph's bytes per second ≥ 10 × Oxigraph's.

(A real release also holds the dump gzipped, sorted and in other syntaxes; only
the uncompressed N-Quads file is needed to compare like with like.)
"""

import argparse
import json
import os
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate import Dataset, ensure_dataset
from benchmarks.measure import RssSampler, download, median, mib
from benchmarks.servers import oxigraph_spec, running, scograph_spec

RESULTS_DIR = Path(__file__).parent / "results"
GOAL_RATIO = 10.0
VERSION = "bench"


def write_release(dataset: Dataset) -> tuple[Path, str]:
    """Write the dataset's quads as an N-Quads dump in a release folder; return it and the name."""
    from scograph.publish.checksums import write_sums

    releases = dataset.folder / "releases"
    folder = releases / VERSION
    name = f"scograph-{dataset.name}.nq"
    if not (folder / name).exists():
        folder.mkdir(parents=True, exist_ok=True)
        store = ox.Store.read_only(str(dataset.pyoxigraph_store))
        with (folder / name).open("wb") as out:
            store.dump(out, ox.RdfFormat.N_QUADS)
        del store
        write_sums(folder)
    return releases, name


def main(argv: list[str] | None = None) -> None:
    """Command line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="2m")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    dataset = ensure_dataset(args.size)
    releases, name = write_release(dataset)
    os.environ["SCOGRAPH_RELEASES_DIR"] = str(releases)
    os.environ["SCOGRAPH_QUERY_TIMEOUT"] = "600"
    logs = dataset.folder / "logs"
    rounds = []
    with ExitStack() as stack:
        oxigraph = stack.enter_context(running(oxigraph_spec(dataset), logs))
        scograph = stack.enter_context(running(scograph_spec(dataset, None), logs))
        samplers = {
            s.name: stack.enter_context(RssSampler(s.process_group)) for s in (oxigraph, scograph)
        }
        targets = {
            "oxigraph": (oxigraph.base_url + "/store", "application/n-quads"),
            "scograph": (f"{scograph.base_url}/dumps/{VERSION}/{name}", None),
        }
        # The first request hashes the file for its ETag: not what a download costs.
        download(*targets["scograph"])
        for number in range(args.rounds):
            for server in ("oxigraph", "scograph") if number % 2 == 0 else ("scograph", "oxigraph"):
                url, accept = targets[server]
                fetched = download(url, accept)
                rounds.append({"round": number, "server": server, **fetched.__dict__})
                rounds[-1]["bytes_per_second"] = fetched.bytes_per_second
                print(f"[dumps] {number} {server}: {fetched}", flush=True)
        peak = {name: max(rss for _, rss in s.samples) for name, s in samplers.items()}
    ratios = []
    for number in range(args.rounds):
        speed = {r["server"]: r["bytes_per_second"] for r in rounds if r["round"] == number}
        ratios.append(speed["scograph"] / speed["oxigraph"])
    record = {
        "size": args.size,
        "quads": dataset.quads,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rounds": rounds,
        "peak_rss": peak,
        "ratio": median(ratios),
    }
    record["pass"] = record["ratio"] >= GOAL_RATIO
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "dumps.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS_DIR / "dumps.md").write_text(render(record))
    print(render(record))


def render(record: dict) -> str:
    """The results as Markdown."""
    lines = [
        f"# Downloading the whole dataset ({record['size']}, {record['quads']:,} quads)",
        "",
        f"Measured {record['when']}; `python -m benchmarks.dumps --size {record['size']}`. "
        "curl into /dev/null, medians over the rounds; scograph serves a precomputed "
        "N-Quads file from `/dumps/`, Oxigraph's server serialises its store for `GET /store`.",
        "",
        "| server | what | size | median time | MB/s | peak RSS of the server |",
        "|---|---|--:|--:|--:|--:|",
    ]
    what = {"oxigraph": "`GET /store` (N-Quads)", "scograph": "`GET /dumps/…/….nq`"}
    for server in ("oxigraph", "scograph"):
        mine = [r for r in record["rounds"] if r["server"] == server]
        lines.append(
            f"| {server} | {what[server]} | {mib(median(r['size'] for r in mine)):,} MiB "
            f"| {median(r['seconds'] for r in mine):.2f} s "
            f"| {median(r['bytes_per_second'] for r in mine) / 1e6:,.0f} "
            f"| {mib(record['peak_rss'][server]):,} MiB |"
        )
    verdict = "pass" if record["pass"] else "FAIL"
    lines += [
        "",
        f"scograph / Oxigraph: **{record['ratio']:.1f}×** (median of the per-round ratios; "
        f"goal ≥ {GOAL_RATIO:g}×: {verdict}).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
