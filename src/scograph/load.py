"""Building a store from a release's dumps: what every read replica serves.

``scograph load RELEASE --store DIR`` checks each N-Quads dump of the release folder
against its ``SHA256SUMS`` and bulk-loads them all (the main dump and the graphs
under their own licences), so a replica serves exactly the release, whichever
machine built it. Single dump files may be named instead of a folder. The store is
loaded in a hidden folder beside DIR and moved into place when complete: a replica
never opens half a store.
"""

import gzip
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from scograph.publish.checksums import SUMS_FILE, read_sums, sha256_file


class LoadError(ValueError):
    """Dumps that cannot be loaded as asked (missing, altered, of an unknown format)."""


@dataclass(frozen=True)
class LoadReport:
    """What was loaded."""

    files: tuple[Path, ...]
    quads: int
    graphs: int


def dump_files(sources: list[Path]) -> list[Path]:
    """The dump files to load: each file named, and every ``*.nq.gz`` of each folder named.

    A folder's dumps are checked against its ``SHA256SUMS`` (raises LoadError when one
    differs, or when the folder has no checksums or no dumps).
    """
    files: list[Path] = []
    for source in sources:
        if source.is_file():
            files.append(source)
            continue
        if not source.is_dir():
            raise LoadError(f"{source} is neither a dump file nor a release folder.")
        sums_path = source / SUMS_FILE
        if not sums_path.is_file():
            raise LoadError(f"{source} has no {SUMS_FILE}: it is not a release folder.")
        dumps = sorted(source.glob("*.nq.gz"))
        if not dumps:
            raise LoadError(f"{source} has no N-Quads dumps (*.nq.gz).")
        sums = read_sums(sums_path)
        for dump in dumps:
            if sums.get(dump.name) != sha256_file(dump):
                raise LoadError(f"{dump} does not match its checksum in {sums_path}.")
        files.extend(dumps)
    return files


def _format_of(path: Path) -> ox.RdfFormat:
    name = path.name.removesuffix(".gz")
    fmt = ox.RdfFormat.from_extension(name.rpartition(".")[2]) if "." in name else None
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF format (use .nq, .trig, .nt or .ttl, maybe .gz).")
    return fmt


def load_store(sources: list[Path], store_dir: Path) -> LoadReport:
    """Load the dumps of ``sources`` into a new store at ``store_dir`` (which must not exist)."""
    if store_dir.exists():
        raise LoadError(f"{store_dir} exists already; name a new folder for the store.")
    files = dump_files(sources)
    formats = [_format_of(path) for path in files]
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}-", dir=store_dir.parent))
    try:
        store = ox.Store(str(staging))
        for path, fmt in zip(files, formats, strict=True):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as data:
                try:
                    store.bulk_load(data, fmt)
                except SyntaxError as error:
                    raise LoadError(f"{path}: {error}") from error
        store.optimize()
        store.flush()
        report = LoadReport(tuple(files), len(store), sum(1 for _ in store.named_graphs()))
        del store
        staging.rename(store_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report
