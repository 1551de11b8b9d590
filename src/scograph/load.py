"""Loading RDF files (or a release's dumps) into a new store, as fast as the engine can.

``scograph load FILE... --store DIR`` builds a store from data that is not the
bundled graph: a large N-Quads file, the dumps of a release, a folder of files.
The store is written to a hidden folder beside ``DIR`` and renamed into place when
complete, so an interrupted or failed load never leaves half a store behind; a
non-empty ``DIR`` is refused unless it is to be replaced.

Progress is the share of the input's bytes read (for a gzip file, of its
compressed bytes), which the engine's parser pulls through :class:`_CountingFile`.
"""

import gzip
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from scograph.publish.checksums import SUMS_FILE, read_sums, sha256_file
from scograph.publish.layout import LATEST

# The engine asks for small reads; reporting every one would cost more than it tells.
_REPORT_EVERY_BYTES = 4 * 1024 * 1024
# What a folder contributes: the dataset dumps of a release (N-Quads keep the graphs).
_FOLDER_PATTERNS = ("*.nq.gz", "*.nq")
# Named here rather than guessed by the engine, which reads a .txt file as N-Triples.
_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "n3": ox.RdfFormat.N3,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}

Progress = Callable[[int], None]


class LoadError(Exception):
    """A load that cannot be done as asked; nothing was left behind."""


@dataclass(frozen=True)
class LoadReport:
    """What a load put into the store, and how long it took."""

    store: Path
    files: tuple[Path, ...]
    bytes_read: int
    quads: int
    seconds: float

    @property
    def quads_per_second(self) -> float:
        return self.quads / self.seconds if self.seconds else 0.0


class _CountingFile:
    """A binary file that tells ``progress`` how many bytes were read, every few MiB."""

    def __init__(self, file: BinaryIO, progress: Progress | None) -> None:
        self._file = file
        self._progress = progress
        self._unreported = 0

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._count(len(data))
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        size = self._file.readinto(buffer)  # type: ignore[attr-defined]
        self._count(size or 0)
        return size

    def readable(self) -> bool:
        return True

    def _count(self, size: int) -> None:
        self._unreported += size
        if self._progress is not None and (size == 0 or self._unreported >= _REPORT_EVERY_BYTES):
            self._progress(self._unreported)
            self._unreported = 0


def input_files(paths: Iterable[Path]) -> list[Path]:
    """Return the RDF files to load: each file as given, each folder's N-Quads dumps.

    A folder stands for a release: its ``*.nq.gz`` and ``*.nq`` files, or those of
    its ``latest`` release when it is a releases folder; a release's dumps must match
    its ``SHA256SUMS``. Raises :class:`LoadError`
    for a missing path, a folder without dumps, or a file of no known RDF format.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = _dumps_in(path) or _dumps_in(path / LATEST)
            if not found:
                raise LoadError(f"{path} holds no N-Quads dump (*.nq.gz, *.nq) to load.")
            files.extend(found)
        elif path.is_file():
            rdf_format(path)  # refuse an unknown format before anything is written
            files.append(path)
        else:
            raise LoadError(f"{path} does not exist.")
    if not files:
        raise LoadError("No file to load.")
    return files


def _dumps_in(folder: Path) -> list[Path]:
    """A folder's N-Quads dumps, checked against its ``SHA256SUMS`` when it has one."""
    if not folder.is_dir():
        return []
    dumps = sorted({file for pattern in _FOLDER_PATTERNS for file in folder.glob(pattern)})
    sums_path = folder / SUMS_FILE
    if dumps and sums_path.is_file():
        sums = read_sums(sums_path)
        for dump in dumps:
            if sums.get(dump.name) != sha256_file(dump):
                raise LoadError(f"{dump} does not match its checksum in {sums_path}.")
    return dumps


def rdf_format(path: Path) -> ox.RdfFormat:
    """Return the RDF format of ``path`` from its extension (``.gz`` looked through)."""
    name = path.name[: -len(".gz")] if path.name.endswith(".gz") else path.name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    found = _FORMATS.get(extension)
    if found is None:
        raise LoadError(
            f"{path}: cannot tell its RDF format from its name "
            "(.nq, .nt, .ttl, .trig, .n3, .jsonld, .rdf, .owl; optionally .gz)."
        )
    return found


def check_target(store_dir: Path, replace: bool) -> None:
    """Refuse a target that is a file, or a non-empty folder unless ``replace``."""
    if store_dir.is_file():
        raise LoadError(f"{store_dir} is a file, not a folder for a store.")
    if store_dir.is_dir() and any(store_dir.iterdir()) and not replace:
        raise LoadError(
            f"{store_dir} exists already and is not empty: give --replace to replace it."
        )


def load_store(
    files: list[Path],
    store_dir: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``files`` into a new store at ``store_dir``; return what was loaded.

    ``progress`` is called with the number of bytes read since its last call.
    Raises :class:`LoadError` for a refused target and for data that cannot be
    read (``store_dir`` is then untouched).
    """
    check_target(store_dir, replace)
    started = time.perf_counter()
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}-loading-", dir=store_dir.parent))
    try:
        store = ox.Store(str(staging))
        bytes_read = sum(_load_file(store, file, progress) for file in files)
        store.flush()
        quads = len(store)
        del store  # closes the store before it moves
        _move_into_place(staging, store_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return LoadReport(
        store_dir, tuple(files), bytes_read, quads, seconds=time.perf_counter() - started
    )


def _load_file(store: ox.Store, path: Path, progress: Progress | None) -> int:
    # One bulk load per file: the engine's loader sorts and writes the indexes on
    # every core itself, and files cut into parts loaded side by side made a larger
    # store, more slowly, with twice the memory (benchmarks/README.md, "Building a store").
    fmt = rdf_format(path)
    with path.open("rb") as raw:
        counted = _CountingFile(raw, progress)
        source = gzip.GzipFile(fileobj=counted) if path.name.endswith(".gz") else counted  # type: ignore[arg-type]
        _bulk_load(store, source, fmt, path)
        counted.read(0)  # reports the last bytes
        return raw.tell()


def _bulk_load(store: ox.Store, source: object, fmt: ox.RdfFormat, path: Path) -> None:
    try:
        store.bulk_load(input=source, format=fmt)
    except SyntaxError as error:
        raise LoadError(f"{path}: {error}") from error
    except (ValueError, OSError, EOFError) as error:
        raise LoadError(f"{path} could not be loaded: {error}") from error


def _move_into_place(staging: Path, store_dir: Path) -> None:
    """Rename the finished store to ``store_dir``, moving what was there aside first."""
    if not store_dir.exists():
        staging.rename(store_dir)
        return
    old = store_dir.with_name(f".{store_dir.name}-replaced-{time.time_ns()}")
    store_dir.rename(old)
    staging.rename(store_dir)
    shutil.rmtree(old, ignore_errors=True)
