"""The app's backend when the store is another SPARQL engine (``--store sparql+http://...``)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from scograph.server.remote_engine import EngineUrls, RemoteReaders
from scograph.server.remote_pages import RemoteReadView
from scograph.server.remote_writer import RemoteWriter
from scograph.settings import Settings


def engine_urls(settings: Settings) -> EngineUrls:
    """The engine's query, update and Graph Store URLs from the settings."""
    if settings.remote_query_url is None:
        raise ValueError(
            "No SPARQL engine: set remote_query_url (SCOGRAPH_STORE=sparql+http://...)."
        )
    return EngineUrls.of(
        settings.remote_query_url, settings.remote_update_url, settings.remote_graph_store_url
    )


@asynccontextmanager
async def remote_backend(settings: Settings) -> AsyncIterator[tuple[Any, Any, Any]]:
    """Readers, writer (with a write token) and the pages' read view, all over the engine."""
    urls = engine_urls(settings)
    readers = RemoteReaders(urls, settings.query_timeout, settings.remote_union_parameter)
    writer = RemoteWriter(urls, settings.query_timeout, readers) if settings.writable else None
    pages = RemoteReadView(urls, settings.query_timeout, settings.remote_union_parameter)
    await readers.start()
    try:
        yield readers, writer, pages
    finally:
        pages.close()
        await readers.close()
