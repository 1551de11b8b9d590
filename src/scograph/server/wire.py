"""Frames exchanged between the app and its worker processes over a Unix socket.

A frame is one kind byte, a 4-byte big-endian length and the payload. The app
sends a REQUEST (JSON), optionally followed by BODY frames (raw bytes of uploaded
data); a worker answers with HEAD (JSON: what the answer is), then DATA frames
(serialised bytes), then END (JSON, may be empty), or with one ERROR (JSON:
status and message) in place of all of these.

This module is imported by the worker processes, so it needs nothing but the
standard library.
"""

import json
import socket
import struct
from typing import Any, Final

REQUEST: Final = b"Q"
BODY: Final = b"B"
HEAD: Final = b"H"
DATA: Final = b"D"
END: Final = b"Z"
ERROR: Final = b"E"

_PREFIX = struct.Struct(">cI")
PREFIX_SIZE: Final = _PREFIX.size


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    """Return one encoded frame."""
    return _PREFIX.pack(kind, len(payload)) + payload


def json_frame(kind: bytes, value: Any) -> bytes:
    """Return one frame whose payload is ``value`` as JSON."""
    return frame(kind, json.dumps(value, separators=(",", ":")).encode())


def parse_prefix(prefix: bytes) -> tuple[bytes, int]:
    """Return the kind and payload length of a frame from its first bytes."""
    return _PREFIX.unpack(prefix)


class FrameSocket:
    """The worker's blocking end of the socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._file = sock.makefile("rb", buffering=1 << 16)

    def receive(self) -> tuple[bytes, bytes] | None:
        """Return the next frame, or None when the app has gone."""
        prefix = self._file.read(PREFIX_SIZE)
        if len(prefix) < PREFIX_SIZE:
            return None
        kind, size = parse_prefix(prefix)
        payload = self._file.read(size)
        if len(payload) < size:
            return None
        return kind, payload

    def send(self, data: bytes) -> None:
        """Send encoded frames (blocks while the app is not reading: backpressure)."""
        self._sock.sendall(data)
