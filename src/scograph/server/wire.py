"""Frames exchanged between the app and its worker processes over a Unix socket.

A frame is one kind byte, a 4-byte big-endian call number, a 4-byte big-endian
length and the payload. A reader runs several calls at once, and every frame names
the call it belongs to; the writer runs one at a time, always call 0.

The app sends a REQUEST (JSON), optionally followed by BODY frames (raw bytes of
uploaded data); it may send CANCEL for a call whose answer nobody will read, and
LOWER for a call whose thread must give way to others. A worker answers a call with
HEAD (JSON: what the answer is), then DATA frames (serialised bytes), then END
(JSON, may be empty), or with one ERROR (JSON: status and message) in place of all
of these; a reader also sends LONG when a call has used enough CPU to count as
long-running.

This module is imported by the worker processes, so it needs nothing but the
standard library.
"""

import json
import socket
import struct
import threading
from typing import Any, Final

REQUEST: Final = b"Q"
BODY: Final = b"B"
CANCEL: Final = b"C"
LOWER: Final = b"W"
HEAD: Final = b"H"
DATA: Final = b"D"
END: Final = b"Z"
ERROR: Final = b"E"
LONG: Final = b"L"

_PREFIX = struct.Struct(">cII")
PREFIX_SIZE: Final = _PREFIX.size


def frame(kind: bytes, payload: bytes = b"", call: int = 0) -> bytes:
    """Return one encoded frame."""
    return _PREFIX.pack(kind, call, len(payload)) + payload


def json_frame(kind: bytes, value: Any, call: int = 0) -> bytes:
    """Return one frame whose payload is ``value`` as JSON."""
    return frame(kind, json.dumps(value, separators=(",", ":")).encode(), call)


def parse_prefix(prefix: bytes) -> tuple[bytes, int, int]:
    """Return the kind, call number and payload length of a frame from its first bytes."""
    return _PREFIX.unpack(prefix)


class FrameSocket:
    """The worker's blocking end of the socket, shared by the threads that answer calls."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._file = sock.makefile("rb", buffering=1 << 16)
        self._sending = threading.Lock()

    def receive(self) -> tuple[bytes, int, bytes] | None:
        """Return the next frame (kind, call, payload), or None when the app has gone."""
        prefix = self._file.read(PREFIX_SIZE)
        if len(prefix) < PREFIX_SIZE:
            return None
        kind, call, size = parse_prefix(prefix)
        payload = self._file.read(size)
        if len(payload) < size:
            return None
        return kind, call, payload

    def send(self, data: bytes) -> None:
        """Send whole encoded frames (blocks while the app is not reading: backpressure)."""
        with self._sending:
            self._sock.sendall(data)
