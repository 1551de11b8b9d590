"""The on-disk stores ``scograph serve`` and ``scograph query`` open.

The bundled graph is built once per version of its files (and of scograph and
pyoxigraph) into the user's cache; a server that may write gets its own copy, so
the cache always holds the bundled graph as built.
"""

import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

import scograph
from scograph.rdf_files import source_fingerprint


def is_store(path: Path) -> bool:
    """Whether ``path`` holds a pyoxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file()


class StoreUnavailableError(ValueError):
    """A store that cannot be opened the way the server needs it."""


# Folders a writable server keeps beside its store (snapshots for the readers, the
# pages' copy), named after the server's process id; see :func:`working_folder`.
_WORKING_FOLDER = re.compile(r"^\.scograph-(?:snapshots|pages)-(\d+)-")


def working_folder(store: Path, kind: str) -> Path:
    """Create a folder beside ``store`` for this server's ``kind`` of copies of it."""
    return Path(tempfile.mkdtemp(prefix=f".scograph-{kind}-{os.getpid()}-", dir=store.parent))


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (a recycled id counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_working_folders(store: Path) -> list[Path]:
    """Remove the copies a killed server left beside ``store``; return what was removed.

    A server stopped by SIGKILL cannot remove its snapshots, and they keep the
    store's old files alive on disk; the next server removes those of dead processes.
    """
    removed = []
    for entry in store.parent.iterdir():
        found = _WORKING_FOLDER.match(entry.name)
        if found and entry.is_dir() and not process_alive(int(found.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def check_store_opens(path: Path, writable: bool) -> None:
    """Raise :class:`StoreUnavailableError`, with a one-line reason, if ``path`` cannot be served.

    A writable server needs to write in the store's folder and beside it (its
    snapshots); a read-only one only to read. Checked before the server starts, so
    a read-only disk or a full one is said plainly instead of failing the start-up.
    """
    if writable:
        for folder in (path, path.parent):
            if not os.access(folder, os.W_OK) or _read_only_file_system(folder):
                raise StoreUnavailableError(
                    f"Cannot write to {folder}: it is on a read-only file system or not "
                    "writable; serve the store read-only (without SCOGRAPH_WRITE_TOKEN) or "
                    "make it writable."
                )
    try:
        store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
    except OSError as error:
        mode = "for writing" if writable else "for reading"
        raise StoreUnavailableError(
            f"Cannot open the store {path} {mode}: {_reason(error)}"
        ) from error
    del store


def _read_only_file_system(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def _reason(error: OSError) -> str:
    text = " ".join(str(error).split())
    if os.strerror(errno.ENOSPC) in text:
        return f"its disk is full ({text})"
    return text


def cache_dir() -> Path:
    """Where built stores are kept (``$XDG_CACHE_HOME/scograph/stores``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scograph" / "stores"


def bundled_store(cache: Path | None = None) -> Path:
    """Return a store of the bundled ontology and data, building it if it is not cached."""
    key = f"{source_fingerprint()}-{scograph.__version__}-{ox.__version__}"
    path = (cache or cache_dir()) / key
    if not is_store(path):
        # Imported only to build: the reasoner and rdflib slow the start of a server.
        from scograph.build import build_store

        build_store(path)
    return path


def bundled_releases(store: Path, public_base_url: str) -> Path:
    """Return the releases folder of a built bundled store, writing its release once.

    The folder sits beside the store in the cache and is keyed by the public URL the
    release's metadata names, so a server at another address writes its own.
    """
    suffix = hashlib.sha256(public_base_url.encode()).hexdigest()[:8]
    folder = store.with_name(f"{store.name}-releases-{suffix}")
    if not (folder / "latest").exists():
        from scograph.publish.release import release

        release(store, folder, public_base_url=public_base_url)
    return folder


def create_empty_store(path: Path) -> Path:
    """Create an empty store at ``path`` (its parent folders too) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    store.flush()
    del store
    return path


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A folder removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def store_to_serve(store: Path | None, empty: bool, writable: bool) -> Iterator[Path]:
    """Yield the store folder ``scograph serve`` should open.

    - ``empty`` without ``store``: a new empty store, removed afterwards;
    - ``empty`` with ``store``: that store as it is (created empty if missing);
    - ``store``: that store as it is (it must exist);
    - neither: the bundled graph, copied when the server may write to it.

    Raises ValueError when ``store`` names no store.
    """
    if empty and store is None:
        with temporary_folder("scograph-empty-") as folder:
            yield create_empty_store(folder / "store")
        return
    if store is not None:
        if empty and not store.exists():
            create_empty_store(store)
        if not is_store(store):
            raise ValueError(f"{store} is not a pyoxigraph store (see `scograph build`).")
        yield store
        return
    built = bundled_store()
    if not writable:
        yield built
        return
    with temporary_folder("scograph-store-") as folder:
        copy = folder / "store"
        shutil.copytree(built, copy)
        yield copy
