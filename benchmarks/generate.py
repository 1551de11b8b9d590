"""Generate a benchmark dataset and build the stores the servers open.

``python -m benchmarks.generate --size 100k`` writes ``data.nq`` (see
:mod:`benchmarks.synthetic`) into the dataset's folder, then builds from it

- ``pyoxigraph/``, a store made with pyoxigraph's ``Store.bulk_load``, opened by the
  baseline handler and by scograph;
- ``oxigraph/``, a store made with ``oxigraph load``, opened by Oxigraph's server.

A ``manifest.json`` records the seed, the size and a fingerprint of the generator, so
a later run reuses the dataset while none of them changed and rebuilds it otherwise.
"""

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from benchmarks import synthetic

DEFAULT_SEED = 20230616
# Build output stays in the project's ignored build folder, never in the repository.
DEFAULT_WORK_DIR = Path(__file__).resolve().parents[1] / "build" / "benchmarks"
# The files that decide what the data is; a change to them means new data.
_GENERATOR_FILES = ("synthetic.py", "vocabulary.py")


@dataclass(frozen=True)
class Dataset:
    """A generated dataset on disk and the facts the report shows about it."""

    name: str
    folder: Path
    seed: int
    quads: int
    things: dict[str, int]
    generate_seconds: float
    bulk_load_seconds: float
    oxigraph_load_seconds: float

    @property
    def nquads(self) -> Path:
        return self.folder / "data.nq"

    @property
    def pyoxigraph_store(self) -> Path:
        return self.folder / "pyoxigraph"

    @property
    def oxigraph_store(self) -> Path:
        return self.folder / "oxigraph"


def parse_size(size: str) -> int:
    """Return the number of quads a size such as ``100k`` or ``2M`` stands for.

    >>> parse_size("100k"), parse_size("2M"), parse_size("5000")
    (100000, 2000000, 5000)

    Raises :class:`ValueError` for anything else.
    """
    units = {"k": 1_000, "m": 1_000_000}
    text = size.strip().lower()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def oxigraph_cli() -> str:
    """Return the ``oxigraph`` command installed beside this Python, or the one on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise FileNotFoundError("the oxigraph command is missing: pip install oxigraph==0.5.13")
    return found


def ensure_dataset(
    size: str, seed: int = DEFAULT_SEED, work_dir: Path = DEFAULT_WORK_DIR, force: bool = False
) -> Dataset:
    """Return the dataset of ``size``, generating it and its stores unless a current one exists."""
    folder = work_dir / size.lower()
    manifest = folder / "manifest.json"
    wanted = {"seed": seed, "target": parse_size(size), "generator": _fingerprint()}
    if not force and manifest.exists():
        recorded = json.loads(manifest.read_text())
        if {key: recorded.get(key) for key in wanted} == wanted:
            return _dataset(size, folder, recorded)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    record = {**wanted, **_build(folder, wanted["target"], seed)}
    manifest.write_text(json.dumps(record, indent=2) + "\n")
    return _dataset(size, folder, record)


def _build(folder: Path, target: int, seed: int) -> dict[str, object]:
    """Generate ``data.nq`` and both stores in ``folder``; return what the manifest records."""
    started = time.perf_counter()
    with (folder / "data.nq").open("w", encoding="utf-8", buffering=1 << 20) as out:
        stats = synthetic.write_graph(out, target, seed)
    generated = time.perf_counter()

    store = ox.Store(str(folder / "pyoxigraph"))
    store.bulk_load(path=str(folder / "data.nq"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store  # closes the store, so the servers can open it
    loaded = time.perf_counter()

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
    finished = time.perf_counter()
    return {
        "quads": stats.quads,
        "things": dict(sorted(stats.things.items())),
        "generate_seconds": round(generated - started, 2),
        "bulk_load_seconds": round(loaded - generated, 2),
        "oxigraph_load_seconds": round(finished - loaded, 2),
    }


def _dataset(name: str, folder: Path, record: dict) -> Dataset:
    fields = {
        k: record[k]
        for k in (
            "seed",
            "quads",
            "things",
            "generate_seconds",
            "bulk_load_seconds",
            "oxigraph_load_seconds",
        )
    }
    return Dataset(name=name.lower(), folder=folder, **fields)


def _fingerprint() -> str:
    """Return a short hash of the generator's source and the engine version that loads it."""
    digest = hashlib.sha256(ox.__version__.encode())
    here = Path(__file__).parent
    for name in _GENERATOR_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    """Command line: generate (or reuse) a dataset and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="about how many quads: 100k, 2m, …")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if current")
    args = parser.parse_args(argv)
    dataset = ensure_dataset(args.size, args.seed, args.work_dir, args.force)
    print(json.dumps({**asdict(dataset), "folder": str(dataset.folder)}, indent=2))


if __name__ == "__main__":
    main()
