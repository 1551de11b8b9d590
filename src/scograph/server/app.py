"""The app factory: ``create_app(settings)`` builds the SPARQL endpoint.

The lifespan starts the worker processes (readers, and the writer when a write
token is set) over the on-disk store named by the settings, and keeps them on
``app.state``; nothing is global, nothing is read at import time.
"""

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from scograph import resources
from scograph.publish.routes import include_publishing
from scograph.server import openapi
from scograph.server.cache_layer import CachedAnswers
from scograph.server.errors import install_error_handlers
from scograph.server.executor import ReaderPool, Writer
from scograph.server.query_path import QueryShortPath
from scograph.server.response_cache import CACHE_STATUS_HEADER, ResponseCache
from scograph.server.responses import MAX_ROWS_HEADER, TRUNCATED_HEADER
from scograph.server.routes import allowed_methods, build_routes
from scograph.server.service_description import Descriptions
from scograph.server.stores import working_folder
from scograph.server.union_store import union_store
from scograph.server.warm import warm
from scograph.settings import Settings
from scograph.web import include_web


def _store_path(settings: Settings) -> Path:
    if settings.store is None:
        raise ValueError("No store to serve: set Settings.store (SCOGRAPH_STORE).")
    store = settings.store.resolve()
    if not (store / "CURRENT").is_file():
        raise ValueError(f"{store} is not a pyoxigraph store (build or create it first).")
    return store


Backend = tuple[Any, Any, Any]


@asynccontextmanager
async def _local_backend(store: Path, settings: Settings) -> AsyncIterator[Backend]:
    """Reader and writer processes over the on-disk store, and the pages' store."""
    async with contextlib.AsyncExitStack() as stack:
        union = None
        if settings.reads_stored_union:
            union = await asyncio.to_thread(stack.enter_context, union_store(store))
        async with _processes(store, union, settings) as backend:
            yield backend


@asynccontextmanager
async def _processes(store: Path, union: Path | None, settings: Settings) -> AsyncIterator[Backend]:
    """Readers over ``union`` (the store with its union stored) if given, else ``store``."""
    readers = ReaderPool(
        union or store,
        settings.readers,
        settings.query_timeout,
        threads=settings.reader_threads,
        long_query_cpu=settings.long_query_cpu,
        max_long_queries=settings.max_long_queries,
        spare_readers=settings.spare_readers,
        union_stored=union is not None,
    )
    pages_store, pages_copy = _open_pages_store(store, settings.writable)
    writer = Writer(store, settings.query_timeout, readers) if settings.writable else None
    try:
        await readers.start()
        if writer is not None:
            await writer.start()
        yield readers, writer, pages_store
    finally:
        await readers.close()
        if writer is not None:
            await writer.close()
        del pages_store
        if pages_copy is not None:
            shutil.rmtree(pages_copy, ignore_errors=True)


class Endpoint(FastAPI):
    """The app, with the response cache's short path in front of every other layer."""

    def build_middleware_stack(self) -> ASGIApp:
        """The framework's layers (errors, CORS, routing) behind the query's short path,
        and that behind the cache's when it is on."""
        settings: Settings = self.state.settings
        stack = QueryShortPath(super().build_middleware_stack(), cors=bool(settings.cors_origins))
        cache = getattr(self.state, "response_cache", None)
        return stack if cache is None else CachedAnswers(stack, cache, self.state)


def create_app(settings: Settings) -> FastAPI:
    """Return the endpoint app for ``settings`` (its workers start with the app's lifespan)."""
    remote = settings.remote_query_url is not None
    store = None if remote else _store_path(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is None:
            from scograph.server.remote_backend import remote_backend

            backend = remote_backend(settings)
        else:
            backend = _local_backend(store, settings)
        async with backend as (readers, writer, pages_store):
            app.state.store = pages_store
            app.state.readers = readers
            app.state.writer = writer
            app.state.descriptions = Descriptions(settings, readers, writer is not None)
            # After the start, in the background: the server answers from the first moment.
            warming = asyncio.create_task(warm(app.state))
            try:
                yield
            finally:
                warming.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warming
                # The pages' store is closed before its snapshot folder is removed.
                del app.state.store, pages_store

    app = Endpoint(
        title="scograph SPARQL endpoint",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # Off unless wanted: checking for OpenTelemetry providers costs every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    # Another engine's data may change without this server knowing: nothing is kept.
    if settings.response_cache_bytes > 0 and not remote:
        app.state.response_cache = ResponseCache(
            settings.response_cache_bytes, settings.response_cache_entry_bytes
        )
    app.state.allowed_methods = allowed_methods
    install_error_handlers(app)
    app.router.routes.extend(build_routes())
    include_publishing(
        app,
        store_path=store,
        releases_dir=settings.releases_dir,
        public_base_url=settings.public_base_url,
    )
    include_web(app, store_path=store, queries_dir=resources.queries_dir())
    openapi.install(app)
    if settings.cors_origins:
        # Reads only: writes need a preflight for their method or Authorization
        # header, which this refuses; credentials are never allowed.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],
            allow_credentials=False,
            expose_headers=[
                TRUNCATED_HEADER,
                MAX_ROWS_HEADER,
                "Warning",
                "Location",
                "ETag",
                CACHE_STATUS_HEADER,
            ],
            max_age=3600,
        )
    return app


def _open_pages_store(store: Path, writable: bool) -> tuple[ox.Store, Path | None]:
    """Open the store the entity pages read in this process, and the copy to remove after.

    A read-only endpoint's store never changes, so the pages read it directly. When a
    writer owns the store it may delete files under a reader, so the pages read a
    snapshot taken at start (hard links, no copy) and show the data as of then.
    """
    if not writable:
        return ox.Store.read_only(str(store)), None
    copy = working_folder(store, "pages")
    snapshot = copy / "store"
    ox.Store.read_only(str(store)).backup(str(snapshot))
    return ox.Store.read_only(str(snapshot)), copy


def app_from_environment() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several processes): settings from the environment."""
    return create_app(Settings())
