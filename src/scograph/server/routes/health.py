"""``/health`` for load balancers: 200 while the endpoint can answer queries."""

from starlette.requests import Request
from starlette.responses import JSONResponse

from scograph.server.dependencies import readers_of


async def health(request: Request) -> JSONResponse:
    """Say whether queries can be answered (503 when not), and how the response cache does."""
    readers = readers_of(request)
    probe = getattr(readers, "health", None)
    if probe is not None:
        # Another SPARQL engine is the store: it must answer.
        ok, details = await probe()
    else:
        alive = len(readers.pids)
        ok, details = alive > 0, {"query_workers": alive}
    status = "ok" if ok else "unavailable"
    document: dict[str, object] = {"status": status, **details}
    cache = getattr(request.app.state, "response_cache", None)
    if cache is not None:
        document["response_cache"] = {
            "bytes": cache.size,
            "max_bytes": cache.max_bytes,
            "answers": len(cache),
            "hits": cache.hits,
            "misses": cache.misses,
        }
    return JSONResponse(document, status_code=200 if ok else 503)
