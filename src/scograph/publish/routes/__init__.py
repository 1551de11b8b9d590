"""The publishing routes: resolvable IRIs, pages, the ontology, VoID and the dumps.

The server includes them with :func:`include_publishing`.
"""

from pathlib import Path

from fastapi import FastAPI

from scograph.publish.routes import assets, dumps, ontology, things, void
from scograph.publish.routes.context import PagesStore, PublishingContext
from scograph.publish.urls import DEFAULT_PUBLIC_BASE_URL, PublicUrls


def include_publishing(
    app: FastAPI,
    *,
    store_path: Path | None,
    releases_dir: Path | None,
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
) -> None:
    """Add the publishing routes to ``app``.

    Routes: ``/id/{type}/{key}`` (303), ``/doc/{type}/{key}[.ext]``, ``/ontology[.ext]``,
    ``/.well-known/void``, ``/dumps/``, ``/dumps/{version}/``, ``/dumps/{version}/{file}``,
    ``/assets/scograph.css``.

    The routes read the store from ``app.state.store`` when the app keeps an open
    ``pyoxigraph.Store`` there, else they open ``store_path`` read-only on first use.
    With ``releases_dir`` None, ``/dumps/`` lists no release.
    They keep their own state on ``app.state.publishing``. ``public_base_url`` is
    where the dumps and the SPARQL endpoint are downloaded from (in VoID and DCAT).
    """
    app.state.publishing = PublishingContext(
        PagesStore(store_path), releases_dir, PublicUrls(public_base_url)
    )
    for module in (things, ontology, void, dumps, assets):
        app.include_router(module.router)
