"""HTTP responses carrying a worker's answer: whole when small, streamed when not."""

import asyncio
import contextlib
import logging
from typing import Final

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from scograph.server.executor import Answer
from scograph.server.spool import Spool

_log = logging.getLogger("uvicorn.error")

TRUNCATED_HEADER: Final = "X-SPARQL-Truncated"
MAX_ROWS_HEADER: Final = "X-SPARQL-Max-Rows"


def answer_headers(answer: Answer) -> dict[str, str]:
    """Content-Type, Vary, and the truncation notice when the row cap cut the answer."""
    headers = {"Content-Type": answer.content_type, "Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[MAX_ROWS_HEADER] = str(answer.max_rows)
        headers["Warning"] = (
            f'199 scograph "Truncated: only the first {answer.max_rows} rows are sent '
            "(the endpoint's row limit, SCOGRAPH_MAX_ROWS).\""
        )
    return headers


def answer_response(answer: Answer, head_only: bool = False) -> Response:
    """Return the response for ``answer`` (for HEAD, its headers alone)."""
    headers = answer_headers(answer)
    if head_only:
        answer.close()
        return Response(headers=headers)
    if answer.body is not None:
        return Response(answer.body, headers=headers)
    return StreamedAnswer(answer, headers)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class StreamedAnswer(Response):
    """Sends a worker's answer chunk by chunk, as fast as the client reads it.

    The answer goes through a :class:`~scograph.server.spool.Spool`, so its worker
    is free once it has produced it, however slowly the client reads. A client
    that reads nothing for ``SCOGRAPH_SEND_TIMEOUT`` seconds is dropped; one that goes away
    stops the answer (its worker, if still busy, is killed and replaced). A worker
    that fails midway breaks the connection, so a cut answer never looks complete.
    """

    def __init__(self, answer: Answer, headers: dict[str, str]) -> None:
        self.answer = answer
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        send_timeout = scope["app"].state.settings.send_timeout
        spool = Spool()
        chunks = self.answer.chunks()
        filling = asyncio.ensure_future(spool.fill(chunks))
        watcher = asyncio.ensure_future(_disconnected(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async for chunk in spool.read():
                if watcher.done():
                    return
                try:
                    async with asyncio.timeout(send_timeout):
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                except TimeoutError:
                    _log.info("A client read nothing for %g s; answer dropped.", send_timeout)
                    return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            filling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await filling
            await chunks.aclose()
            self.answer.close()
            spool.close()
