"""What can go wrong with a request, and the one shape every error answer takes.

Protocol clients get plain text with the right status; each domain exception
carries its message (and any header the status needs, such as ``Allow`` or
``WWW-Authenticate``).
"""

from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException


class EndpointError(Exception):
    """A request the endpoint refuses or cannot answer."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequestError(EndpointError):
    """Malformed request: syntax error, missing or repeated parameter, excessive nesting."""

    status = 400


class UnauthorizedError(EndpointError):
    """A write without credentials."""

    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="scograph"'})


class ForbiddenError(EndpointError):
    """A write with the wrong token, a write to a read-only endpoint, a refused SERVICE or LOAD."""

    status = 403


class NotFoundError(EndpointError):
    """No such graph."""

    status = 404


class MethodNotAllowedError(EndpointError):
    """A method the resource does not support."""

    status = 405


class NotAcceptableError(EndpointError):
    """The Accept header accepts none of the formats offered."""

    status = 406


class ConflictError(EndpointError):
    """An update that conflicts with the store (e.g. DROP of a graph that does not exist)."""

    status = 409


class PayloadTooLargeError(EndpointError):
    """A body or query over its size limit."""

    status = 413


class UnsupportedMediaTypeError(EndpointError):
    """A body type the endpoint does not read."""

    status = 415


class UnprocessableError(EndpointError):
    """A request the engine failed on (its worker process crashed)."""

    status = 422


class UpstreamError(EndpointError):
    """A SERVICE endpoint that could not be reached or failed."""

    status = 502


class ServiceUnavailableError(EndpointError):
    """A query over the time limit (stopped), every worker busy, a store that cannot be written."""

    status = 503


class InsufficientStorageError(EndpointError):
    """A write that does not fit on the store's disk."""

    status = 507


_BY_STATUS: dict[int, type[EndpointError]] = {
    cls.status: cls
    for cls in (
        BadRequestError,
        ForbiddenError,
        NotFoundError,
        MethodNotAllowedError,
        NotAcceptableError,
        ConflictError,
        PayloadTooLargeError,
        UnsupportedMediaTypeError,
        UnprocessableError,
        UpstreamError,
        ServiceUnavailableError,
        InsufficientStorageError,
    )
}


def error_for_status(status: int, message: str) -> EndpointError:
    """Return the domain exception for a status a worker process reported."""
    return _BY_STATUS.get(status, EndpointError)(message)


def plain_text(
    status: int, message: str, headers: dict[str, str] | None = None
) -> PlainTextResponse:
    """The one error shape: the message as plain text."""
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


async def _endpoint_error(_: Request, error: Exception) -> PlainTextResponse:
    assert isinstance(error, EndpointError)
    return plain_text(error.status, error.message, error.headers)


async def _http_exception(request: Request, error: Exception) -> PlainTextResponse:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Each (path, method) is its own route, so the framework knows only one of them.
        headers["Allow"] = ", ".join(request.app.state.allowed_methods(request.url.path))
    return plain_text(error.status_code, str(error.detail), headers)


async def _validation_error(_: Request, error: Exception) -> PlainTextResponse:
    return plain_text(400, f"Invalid request: {error}")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every refusal, including the framework's own 404 and 405, as plain text."""
    app.add_exception_handler(EndpointError, _endpoint_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
