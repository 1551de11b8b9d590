"""The on-disk stores ``scograph serve`` and ``scograph query`` open.

The bundled graph is built once per version of its files (and of scograph and
pyoxigraph) into the user's cache; a server that may write gets its own copy, so
the cache always holds the bundled graph as built.
"""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

import scograph


def is_store(path: Path) -> bool:
    """Whether ``path`` holds a pyoxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file()


def cache_dir() -> Path:
    """Where built stores are kept (``$XDG_CACHE_HOME/scograph/stores``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scograph" / "stores"


def bundled_store(cache: Path | None = None) -> Path:
    """Return a store of the bundled ontology and data, building it if it is not cached."""
    from scograph.build import build_store, source_fingerprint

    key = f"{source_fingerprint()}-{scograph.__version__}-{ox.__version__}"
    path = (cache or cache_dir()) / key
    if not is_store(path):
        build_store(path)
    return path


def bundled_releases(store: Path, public_base_url: str) -> Path:
    """Return the releases folder of a built bundled store, writing its release once.

    The folder sits beside the store in the cache and is keyed by the public URL the
    release's metadata names, so a server at another address writes its own.
    """
    from scograph.publish.release import release

    suffix = hashlib.sha256(public_base_url.encode()).hexdigest()[:8]
    folder = store.with_name(f"{store.name}-releases-{suffix}")
    if not (folder / "latest").exists():
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
