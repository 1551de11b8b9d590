"""Writes to a remote SPARQL engine: SPARQL Update, and the Graph Store Protocol for graphs.

:class:`RemoteWriter` takes the requests the routes give the local writer process
(:class:`scograph.server.executor.Writer`) and sends them to the engine. The engine
applies each in its own transaction; its refusals come back as the endpoint's errors.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import pyoxigraph as ox

from scograph.server.errors import (
    BadRequestError,
    NotFoundError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
    UpstreamError,
)
from scograph.server.remote_engine import (
    N_TRIPLES,
    EngineUrls,
    RemoteReaders,
    refusal,
    syntax_message,
    unreachable,
    with_base,
)


class RemoteWriter:
    """Sends updates and Graph Store writes to the engine, as the :class:`Writer` process does.

    Bodies are read here first (so a bad body is a 400 with the same message as
    the local store gives, relative IRIs resolve against the graph's IRI) and sent
    as one N-Triples document, which the engine stores in one request.
    """

    def __init__(self, urls: EngineUrls, timeout: float, readers: RemoteReaders) -> None:
        self.urls = urls
        self.timeout = timeout
        self.readers = readers

    async def start(self) -> None:
        """Nothing to start: writes share the readers' connection pool."""

    async def close(self) -> None:
        """Nothing to stop."""

    async def call(self, request: dict[str, Any], bodies: Sequence[bytes] = ()) -> dict[str, Any]:
        """Apply one write; return ``{"created": bool}`` for Graph Store PUT and POST."""
        operation = request["op"]
        iri = request.get("graph")
        target = {"graph": iri} if iri is not None else {"default": ""}
        if operation == "update":
            text = with_base(request["update"], request.get("base"))
            args: dict[str, Any] = {
                "content": text.encode(),
                "headers": {"Content-Type": "application/sparql-update"},
            }
            response = await self._send("POST", self.urls.update, args, "update")
        elif operation in ("put", "post"):
            data = await asyncio.to_thread(_as_n_triples, request, bodies)
            args = {
                "content": data,
                "params": target,
                "headers": {"Content-Type": N_TRIPLES},
            }
            response = await self._send(operation.upper(), self.urls.graph_store, args, "write")
        elif operation == "delete":
            response = await self._send(
                "DELETE", self.urls.graph_store, {"params": target}, "write"
            )
            if response.status_code == 404:
                raise NotFoundError(f"There is no graph <{iri}> in the store.")
        else:
            raise BadRequestError(f"unknown operation {operation!r}")
        if response.status_code >= 300:
            raise refusal(response.status_code, response.text, operation)
        return {"created": response.status_code == 201}

    async def _send(self, method: str, url: str, args: dict[str, Any], what: str) -> httpx.Response:
        client = self.readers.http_client()
        try:
            async with asyncio.timeout(self.timeout):
                return await client.request(method, url, **args)
        except TimeoutError as error:
            raise ServiceUnavailableError(
                f"The {what} ran over the time limit of {self.timeout:g} s; scograph stopped "
                "waiting, and the SPARQL engine may still apply it."
            ) from error
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise unreachable(url, error) from error
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"The SPARQL engine broke off the {what} ({type(error).__name__}: {error}); "
                "it may or may not have been applied."
            ) from error
        finally:
            # Whatever happened, what readers see may have changed.
            self.readers.generation += 1


def _as_n_triples(request: dict[str, Any], bodies: Sequence[bytes]) -> bytes:
    """The triples of the request's RDF bodies, as one N-Triples document."""
    iri = request.get("graph")
    triples: list[ox.Triple] = []
    for media_type, body in zip(request["media_types"], bodies, strict=True):
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UnsupportedMediaTypeError(f"Cannot read RDF sent as {media_type}.")
        try:
            quads = ox.parse(
                body, fmt, base_iri=iri or request.get("base"), without_named_graphs=True
            )
            triples.extend(quad.triple for quad in quads)
        except SyntaxError as error:
            raise BadRequestError(syntax_message(str(error))) from error
        except ValueError as error:
            raise BadRequestError(f"The data could not be read: {error}") from error
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
