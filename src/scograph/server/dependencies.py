"""What handlers need from the app: its settings, its workers, the write permission.

The app keeps its state on ``app.state`` (see :func:`scograph.server.app.create_app`);
handlers get it only through these functions, so a test can put its own there.

Handlers are plain Starlette endpoints that call these, not FastAPI ``Depends``:
solving dependencies parses the query string and costs more per request than a
simple query does in the engine (measured: about 100 µs per request).
"""

import hmac

from starlette.requests import Request

from scograph.server.errors import ForbiddenError, UnauthorizedError
from scograph.server.executor import ReaderPool, Writer
from scograph.server.service_description import Descriptions
from scograph.settings import Settings


def settings_of(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def readers_of(request: Request) -> ReaderPool:
    """The pool of query worker processes."""
    return request.app.state.readers


def descriptions_of(request: Request) -> Descriptions:
    """The service description, cached per store generation."""
    return request.app.state.descriptions


def authorised_writer(request: Request) -> Writer:
    """The writer process, once the request has shown the write token.

    Raises 401 (with ``WWW-Authenticate``) without credentials and 403 with the
    wrong token or on a read-only endpoint. The token is compared in constant time
    and never logged.
    """
    settings = settings_of(request)
    writer: Writer | None = request.app.state.writer
    if writer is None or settings.write_token is None:
        raise ForbiddenError("This endpoint is read-only: it accepts no updates.")
    authorization = request.headers.get("authorization")
    if not authorization:
        raise UnauthorizedError("Writing needs the header 'Authorization: Bearer <token>'.")
    scheme, _, token = authorization.partition(" ")
    expected = settings.write_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise ForbiddenError("The write token is not valid.")
    return writer
