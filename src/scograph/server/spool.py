"""A streamed answer copied to a temporary file as fast as its worker sends it.

Sent straight from the worker, a large answer goes at the pace of its client,
and a client that reads slowly (or not at all) holds a query worker until the
time limit; a few such clients hold them all and every other query waits. The
spool frees the worker as soon as the answer is written, and the client reads
the file at its own pace.
"""

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator

_READ_BYTES = 256 * 1024


class Spool:
    """Bytes written by one task (:meth:`fill`) and read, as they arrive, by another."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._size = 0
        self._done = False
        self._error: BaseException | None = None
        self._grown = asyncio.Event()

    async def fill(self, chunks: AsyncIterator[bytes]) -> None:
        """Write every chunk to the file; a failure is kept for the reader to raise."""
        try:
            async for chunk in chunks:
                # Written to the page cache: microseconds for a chunk, no thread needed.
                os.pwrite(self._file.fileno(), chunk, self._size)
                self._size += len(chunk)
                self._grown.set()
        except Exception as error:
            self._error = error
        finally:
            self._done = True
            self._grown.set()

    async def read(self) -> AsyncIterator[bytes]:
        """Yield the bytes as they are written; raise the writer's failure at its point."""
        offset = 0
        while True:
            if offset < self._size:
                data = os.pread(self._file.fileno(), min(_READ_BYTES, self._size - offset), offset)
                offset += len(data)
                yield data
            elif self._done:
                if self._error is not None:
                    raise self._error
                return
            else:
                self._grown.clear()
                await self._grown.wait()

    def close(self) -> None:
        """Remove the file."""
        self._file.close()
