"""What the publishing routes share: the store, the releases folder, the public URLs, caches.

It lives on ``app.state.publishing``. The store is a :class:`PagesStore`: the app's
own open store when there is one, else the store folder opened read-only on first use.
Things computed from the store (the VoID statistics, the graph list, the ontology
page) are computed once: the served store does not change under a running server.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pyoxigraph as ox
from fastapi import Depends, Request

from scograph.publish.urls import PublicUrls

T = TypeVar("T")


class PagesStore:
    """The store pages read in this process (the publishing routes and the web front).

    The app's own open store (``app.state.store``, set by the server's lifespan) when
    there is one, so a process holds one store; else ``path`` opened read-only on
    first use; with no path (a server started empty), an empty store, so things are 404.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._store: ox.Store | None = None
        self._lock = threading.Lock()

    def get(self, app_state: Any) -> ox.Store:
        """Return the app's store, else this one's own read-only (or empty) store."""
        shared = getattr(app_state, "store", None)
        if shared is not None:
            # An open pyoxigraph Store, or a remote engine's view with its read methods.
            return shared
        with self._lock:
            if self._store is None:
                self._store = ox.Store.read_only(str(self.path)) if self.path else ox.Store()
            return self._store


@dataclass
class PublishingContext:
    """Settings and per-process caches of the publishing routes."""

    store: PagesStore
    releases_dir: Path | None
    urls: PublicUrls
    _cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """Return ``compute()``, computed once per process (one thread at a time)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = compute()
            return self._cache[key]


def get_context(request: Request) -> PublishingContext:
    return request.app.state.publishing


def get_store(request: Request) -> ox.Store:
    return get_context(request).store.get(request.app.state)


def root_path(request: Request) -> str:
    """The path prefix the app is mounted under ("" when at the root), for links in pages."""
    return str(request.scope.get("root_path", "")).rstrip("/")


ContextDep = Annotated[PublishingContext, Depends(get_context)]
StoreDep = Annotated[ox.Store, Depends(get_store)]
