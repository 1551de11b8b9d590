"""Sending a request exactly as written: the request target, headers and body as bytes.

HTTP libraries repair what they send (they percent-encode the target, refuse bytes
that are not ASCII, set Content-Length), so requests that are broken on purpose are
written to the socket here and the answer is read with the standard library's parser.
Every read has a deadline: a server that hangs fails the caller instead of blocking it.
"""

import contextlib
import http.client
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass

Header = tuple[str, str | bytes]


@dataclass(frozen=True)
class RawResponse:
    """What came back, and how long it took."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def request_bytes(
    method: str,
    target: str | bytes,
    host: str,
    headers: Iterable[Header] = (),
    body: bytes = b"",
    chunked: bool = False,
) -> bytes:
    """The request as it goes on the wire (Content-Length added unless given or chunked)."""
    lines = [_bytes(method) + b" " + _bytes(target) + b" HTTP/1.1", b"Host: " + _bytes(host)]
    named = set()
    for name, value in headers:
        named.add(name.lower())
        lines.append(_bytes(name) + b": " + _bytes(value))
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
        step = 64 * 1024
        parts = [
            b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step])
            for i in range(0, len(body), step)
        ]
        body = b"".join(parts) + b"0\r\n\r\n"
    elif "content-length" not in named and (body or method in ("POST", "PUT")):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def send(
    base: str,
    method: str,
    target: str | bytes,
    headers: Iterable[Header] = (),
    body: bytes = b"",
    chunked: bool = False,
    timeout: float = 10.0,
) -> RawResponse:
    """Send one request to ``base`` (``http://host:port``) on a new connection; read the answer.

    A server may answer before it has read a large body and close the connection;
    the answer is still read after the write fails.
    """
    host = base.removeprefix("http://").rstrip("/")
    address, _, port = host.partition(":")
    wire = request_bytes(method, target, host, headers, body, chunked)
    started = time.monotonic()
    with socket.create_connection((address, int(port)), timeout=timeout) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(wire)
        response = http.client.HTTPResponse(connection, method=method)
        try:
            response.begin()
            content = response.read()
        finally:
            response.close()
    return RawResponse(
        response.status,
        {name.lower(): value for name, value in response.getheaders()},
        content,
        time.monotonic() - started,
    )
