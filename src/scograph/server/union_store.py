"""A copy of a read-only store whose default graph holds the union of its graphs.

A read-only endpoint answers queries over the union of the graphs from this copy,
with the stored default graph, rather than from Oxigraph's union view of the store:

- the union view repeats a triple once for each graph that states it (the bundled
  data states 174 triples in two graphs, labels and types mostly); a stored graph
  holds each triple once, as the union of RDF graphs does;
- compacted after its bulk load, the copy takes the engine 10-52% less CPU on most
  queries than the union view of the store as loaded (``benchmarks/store_layout.py``): most
  of it from the compaction, the rest from reading one graph's index entries rather
  than one per graph that holds a triple, each longer by the graph's name.

The named graphs are those of the store, so ``GRAPH ?g`` is unchanged. The copy is
built once per content of the store (its RocksDB manifest, identity and log) into
the user's cache and shared by every server on that content; building another
removes those no server uses then, so the cache holds one copy beside those in use.
A server that may write keeps the union view: its writes would have to keep the
copy in step.
"""

import fcntl
import hashlib
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from scograph.server.stores import cache_dir, is_store, process_alive

_log = logging.getLogger(__name__)

# Part of every copy's name: a new way of building them makes new ones.
_LAYOUT = "2"
_STORE = "store"
_IN_USE = "in-use.lock"
_BUILDING = re.compile(r"^\.\w+-building-(\d+)$")


def union_cache_dir() -> Path:
    """Where the copies are kept (``$XDG_CACHE_HOME/scograph/union-stores``)."""
    return cache_dir().parent / "union-stores"


def store_content_key(store: Path) -> str:
    """A name for the content of the store at ``store``, the same for its exact copies.

    RocksDB's manifest lists every table file of the store (and the identity file
    names the database); its write-ahead logs hold what is not in a table yet.
    """
    digest = hashlib.sha256(f"{_LAYOUT} {ox.__version__}".encode())
    current = (store / "CURRENT").read_bytes()
    names = ["IDENTITY", current.decode().strip(), *sorted(p.name for p in store.glob("*.log"))]
    for name in names:
        path = store / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


@contextmanager
def union_store(store: Path, cache: Path | None = None) -> Iterator[Path | None]:
    """Yield a store with ``store``'s graphs whose default graph is their union, or
    None if it cannot be made (the reason is logged); built if not cached.

    While the block runs, the copy is marked in use: no other server removes it.
    """
    cache = cache or union_cache_dir()
    folder = cache / store_content_key(store)
    try:
        lock = _in_use(folder) or _build(store, folder)
    except OSError as error:
        _log.warning(
            "Queries use the union view of %s: its copy with the union as the default graph "
            "could not be made in %s (%s).",
            store,
            cache,
            error,
        )
        yield None
        return
    with lock:
        yield folder / _STORE


def _in_use(folder: Path) -> TextIO | None:
    """Mark the copy in ``folder`` in use (a shared lock, held until the file is closed),
    if it is there."""
    try:
        lock = (folder / _IN_USE).open("a")
    except FileNotFoundError:
        return None
    # Waits while another server removes it.
    fcntl.flock(lock, fcntl.LOCK_SH)
    if is_store(folder / _STORE):
        return lock
    lock.close()
    return None


def _build(store: Path, folder: Path) -> TextIO:
    """Build the copy in a folder of its own and move it into place, marked in use."""
    _log.info("Storing the union of the graphs of %s as the default graph of a copy", store)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = folder.with_name(f".{folder.name}-building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        building.mkdir()
        lock = (building / _IN_USE).open("a")
        fcntl.flock(lock, fcntl.LOCK_SH)  # the lock moves with the file
        source = ox.Store.read_only(str(store))
        copy = ox.Store(str(building / _STORE))
        # Every quad, loaded anew: a checkpoint of a store opened read-only leaves out
        # what is still in its write-ahead log.
        copy.bulk_extend(_with_union(source))
        # Each batch of a bulk load is a file spanning every key: compacted into one run
        # of files, a scan reads half the CPU (GROUP BY, 2m triples: 624 ms before, 209 after).
        copy.optimize()
        copy.flush()
        del copy, source
        try:
            building.rename(folder)
        except OSError:
            # Another server built the same copy meanwhile: that one is used.
            lock.close()
            lock = _in_use(folder)
            if lock is None:
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _remove_unused(folder.parent)
    return lock


def _with_union(source: ox.Store) -> Iterator[ox.Quad]:
    """The store's quads, and each one's triple in the default graph."""
    for quad in source.quads_for_pattern(None, None, None):
        yield quad
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


def _remove_unused(cache: Path) -> None:
    """Remove the copies no server uses now, and those a killed server left half built."""
    for folder in cache.iterdir():
        building = _BUILDING.match(folder.name)
        if building and not process_alive(int(building.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            continue
        lock_path = folder / _IN_USE
        if folder.name.startswith(".") or not lock_path.is_file():
            continue
        with lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a server uses it
            shutil.rmtree(folder, ignore_errors=True)
