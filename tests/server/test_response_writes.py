"""A response's head goes out with its body in one write, and bytes never change order."""

import asyncio
from typing import Any

from scograph.server.client_limits import HeadWithBody


class RecordingTransport:
    """The writes a transport was given, in order."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def _run(steps: Any) -> RecordingTransport:
    transport = RecordingTransport()

    async def main() -> None:
        await steps(HeadWithBody(transport))  # type: ignore[arg-type]
        await asyncio.sleep(0)

    asyncio.run(main())
    return transport


def test_a_small_response_is_one_write() -> None:
    async def respond(transport: HeadWithBody) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
        transport.write(b"hello")

    assert _run(respond).writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"]


def test_a_head_with_no_body_yet_goes_out_at_the_end_of_the_loop_turn() -> None:
    async def stream(transport: HeadWithBody) -> None:
        transport.write(b"HEAD")
        await asyncio.sleep(0)  # the first chunk is not ready in this turn
        transport.write(b"chunk 1")
        transport.write(b"chunk 2")

    assert _run(stream).writes == [b"HEAD", b"chunk 1", b"chunk 2"]


def test_a_large_body_is_not_copied_onto_the_head() -> None:
    body = b"x" * (1024 * 1024)

    async def respond(transport: HeadWithBody) -> None:
        transport.write(b"HEAD")
        transport.write(body)

    assert _run(respond).writes == [b"HEAD", body]


def test_closing_sends_a_held_head_first() -> None:
    async def refuse(transport: HeadWithBody) -> None:
        transport.write(b"HTTP/1.1 304 Not Modified\r\n\r\n")
        transport.close()

    transport = _run(refuse)
    assert transport.writes == [b"HTTP/1.1 304 Not Modified\r\n\r\n"]
    assert transport.closed
