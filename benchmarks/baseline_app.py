"""The straightforward way to put pyoxigraph behind FastAPI, as a point of comparison.

One synchronous handler (FastAPI runs it in its thread pool) calls ``store.query``
and pyoxigraph's own serialiser, one uvicorn worker, no caching and no content
negotiation beyond the kind of result. It is what scograph's design is measured
against: whatever scograph does beyond this has to pay for itself.

``python -m benchmarks.baseline_app --store DIR --port P``
"""

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Form, Query, Request, Response


def create_app(store_path: Path) -> FastAPI:
    """Return the app; the store is opened read-only at start-up and kept on ``app.state``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = ox.Store.read_only(str(store_path))
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/sparql")
    def sparql_get(request: Request, query: Annotated[str, Query()]) -> Response:
        return run_query(request.app.state.store, query)

    @app.post("/sparql")
    def sparql_post(request: Request, query: Annotated[str, Form()]) -> Response:
        return run_query(request.app.state.store, query)

    return app


def run_query(store: ox.Store, query: str) -> Response:
    """Run ``query`` over the union of the graphs and serialise the whole result."""
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        return Response(str(error), status_code=400, media_type="text/plain")
    if isinstance(result, ox.QueryTriples):
        body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return Response(body, media_type="application/n-triples")
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, media_type="application/sparql-results+json")


def main() -> None:
    """Serve the baseline on 127.0.0.1 with one worker."""
    parser = argparse.ArgumentParser(description="The baseline FastAPI + pyoxigraph endpoint.")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The access log is off, as it would be in a tuned deployment: it is not what is compared.
    uvicorn.run(
        create_app(args.store),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
