"""The app the browser tests serve: the endpoint with the publishing routes and the web front.

uvicorn imports it in a process of its own (``--factory live_app:build_app``);
the store and the releases folder come from the environment the test sets.
Routes the app factory already has are not added twice, so this keeps working
once ``create_app`` includes the publishing routes and the web front itself.
"""

import os
from pathlib import Path

from fastapi import FastAPI

from scograph import resources
from scograph.publish.routes import include_publishing
from scograph.server.app import create_app
from scograph.settings import Settings
from scograph.web import include_web

RELEASES_VARIABLE = "SCOGRAPH_TEST_RELEASES"
PUBLIC_BASE_VARIABLE = "SCOGRAPH_TEST_PUBLIC_BASE"


def build_app() -> FastAPI:
    """``create_app`` over the store named by ``SCOGRAPH_STORE``, plus what it lacks."""
    settings = Settings()
    app = create_app(settings)
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/doc/{kind}/{key}" not in paths:
        include_publishing(
            app,
            store_path=settings.store,
            releases_dir=Path(os.environ[RELEASES_VARIABLE]),
            public_base_url=os.environ[PUBLIC_BASE_VARIABLE],
        )
    if "/query" not in paths:
        include_web(app, store_path=settings.store, queries_dir=resources.queries_dir())
    return app
