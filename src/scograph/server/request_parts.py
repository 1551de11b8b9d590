"""Reading the parts of a request: parameters, body (within its limit), media type."""

import re
from urllib.parse import parse_qsl

from starlette.requests import Request

from scograph.server.errors import BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError

_UTF8 = frozenset({"utf-8", "utf8"})
# A '%' that does not start an escape: decoding would keep it as it is, and the
# query the client meant would reach the engine changed (or fail with a syntax
# error that points at the wrong thing).
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def url_parameters(request: Request) -> list[tuple[str, str]]:
    """The URL's query parameters, percent-decoded once, in order, repeats kept."""
    return _parse_pairs(request.scope["query_string"])


def form_parameters(body: bytes) -> list[tuple[str, str]]:
    """The parameters of an ``application/x-www-form-urlencoded`` body."""
    return _parse_pairs(body)


def _parse_pairs(encoded: bytes) -> list[tuple[str, str]]:
    if not encoded:
        return []
    bad = _BAD_PERCENT.search(encoded)
    if bad is not None:
        found = encoded[bad.start() : bad.start() + 3].decode("ascii", "replace")
        raise BadRequestError(
            f"Bad percent-encoding {found!r} at character {bad.start() + 1} of the "
            "parameters: '%' must be followed by two hexadecimal digits (send '%' as %25)."
        )
    try:
        return parse_qsl(encoded.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequestError(
            f"Parameters must be percent-encoded UTF-8; these are not valid UTF-8: {error}"
        ) from error


def media_type(request: Request) -> str:
    """The body's media type, lower-cased, without parameters.

    Raises 415 when a ``charset`` other than UTF-8 is declared.
    """
    value = request.headers.get("content-type", "")
    kind, _, parameters = value.partition(";")
    for parameter in parameters.split(";"):
        name, _, charset = parameter.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() not in _UTF8:
            named = charset.strip() or "an empty charset"
            raise UnsupportedMediaTypeError(f"Only UTF-8 is accepted, not {named}.")
    return kind.strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body; 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"The body is over the limit of {limit} bytes.")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"The body is over the limit of {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_text(body: bytes, what: str) -> str:
    """Decode a query or update sent as the body (400 when it is not UTF-8)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequestError(f"The {what} is not valid UTF-8: {error}") from error


def endpoint_url(request: Request) -> str:
    """The URL the request was sent to, without its query string (the base IRI)."""
    scope = request.scope
    host = request.headers.get("host")
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    return f"{scope['scheme']}://{host}{scope.get('root_path', '')}{scope['path']}"
