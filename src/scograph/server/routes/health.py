"""``/health`` for load balancers: 200 while the endpoint can answer queries."""

from starlette.requests import Request
from starlette.responses import JSONResponse

from scograph.server.dependencies import readers_of


async def health(request: Request) -> JSONResponse:
    """Say whether query workers are up (503 when none is)."""
    alive = len(readers_of(request).pids)
    status = "ok" if alive else "unavailable"
    return JSONResponse(
        {"status": status, "query_workers": alive}, status_code=200 if alive else 503
    )
