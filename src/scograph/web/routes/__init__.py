"""The web front's routes, added to an app by :func:`include_web`."""

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from scograph.web.graph import GraphReader
from scograph.web.pages import STATIC_DIR
from scograph.web.routes import home, network, query, search, twinning_map
from scograph.web.site import WebSite

STATIC_PATH = "/static"


def include_web(app: FastAPI, *, store_path: Path | None, queries_dir: Path) -> None:
    """Add the web front to ``app``.

    Routes: ``/`` (home), ``/search`` (HTML or JSON), ``/query`` (the editor),
    ``/queries`` (the example queries), ``/map`` and ``/map/data.json``,
    ``/network`` and ``/network/data.json``, and the files under ``/static/``.

    The pages read the graph through the endpoint's reader processes when the app
    keeps them on ``app.state.readers`` (as :func:`scograph.server.app.create_app`
    does), else from ``store_path`` opened read-only (or ``app.state.store``). The
    example queries are read from ``queries_dir`` once. State: ``app.state.web``.
    """
    app.state.web = WebSite(GraphReader(store_path), queries_dir)
    for module in (home, search, query, twinning_map, network):
        app.include_router(module.router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="web-static")
