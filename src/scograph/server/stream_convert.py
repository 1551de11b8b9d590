"""Converting a line-per-row answer (N-Triples, SPARQL TSV) to another format as it streams.

pyoxigraph's parsers and serialisers are blocking and work on files; here they run in
a thread of their own, reading from and writing to asyncio queues, so an answer of any
size is converted chunk by chunk with a few chunks in memory, and the event loop is
never blocked. When the reader of the result goes away, the thread stops.
"""

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import pyoxigraph as ox

from scograph.server.errors import EndpointError, UpstreamError

_CHUNK_BYTES = 64 * 1024


class _StoppedError(Exception):
    """The converter's reader went away."""


class _Bridge:
    """A pyoxigraph parser and serialiser in a thread, fed and drained by asyncio queues."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue(4)
        self.outbox: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(4)
        self.stop = threading.Event()
        self._pending = b""
        self._ended = False
        self._buffer = bytearray()

    def _wait(self, coroutine: Any) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        while True:
            if self.stop.is_set():
                future.cancel()
                raise _StoppedError
            try:
                return future.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                continue

    # The file the parser reads.
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            if self._ended:  # the parser reads again after the end
                return b""
            item = self._wait(self.inbox.get())
            if item is None:
                self._ended = True
                return b""
            self._pending = item
        size = len(self._pending) if size is None or size < 0 else size
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    # The file the serialiser writes.
    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._wait(self.outbox.put(bytes(self._buffer)))
            self._buffer.clear()

    def run(self, graph: bool, fmt: Any) -> None:
        try:
            if graph:
                ox.serialize(ox.parse(self, ox.RdfFormat.N_TRIPLES), self, fmt)
            else:
                ox.parse_query_results(self, ox.QueryResultsFormat.TSV).serialize(self, fmt)
            self.flush()
            self._wait(self.outbox.put(None))
        except _StoppedError:
            return
        except Exception as error:
            with contextlib.suppress(_StoppedError):
                self._wait(self.outbox.put(_reading_failed(error)))


def _reading_failed(error: Exception) -> EndpointError:
    return UpstreamError(f"The SPARQL engine's answer could not be read midway: {error}")


async def converted(source: AsyncIterator[bytes], graph: bool, fmt: Any) -> AsyncIterator[bytes]:
    """``source`` (N-Triples or TSV) in ``fmt``, converted as it streams."""
    bridge = _Bridge(asyncio.get_running_loop())

    async def feed() -> None:
        try:
            async for chunk in source:
                await bridge.inbox.put(chunk)
            await bridge.inbox.put(None)
        except BaseException as error:
            bridge.stop.set()
            await bridge.outbox.put(error if isinstance(error, Exception) else _StoppedError())
            raise

    thread = threading.Thread(target=bridge.run, args=(graph, fmt), daemon=True)
    feeder = asyncio.ensure_future(feed())
    thread.start()
    try:
        while True:
            item = await bridge.outbox.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        bridge.stop.set()
        feeder.cancel()
        with contextlib.suppress(BaseException):
            await feeder
