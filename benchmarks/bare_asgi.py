"""The least an ASGI server on pyoxigraph can do per query: bounds for scograph's design.

Two bare servers, with no framework, no checks, no limits and no content negotiation
(SPARQL JSON for solutions, N-Triples for graphs), show what is left for everything
else once the way a query is run is chosen:

- ``inline``: uvicorn runs the query on its event loop, one process per core. The
  fastest a Python server on pyoxigraph can be; nothing could stop a long query,
  which would also hold up every other request of its process.
- ``isolated``: one uvicorn process sends each query to one query process over a
  socket pair and relays the answer; the query process runs four at a time, in
  threads. The least a server must do whose queries can be stopped (by killing the
  process that runs them), as scograph's are.

``python -m benchmarks.bare_asgi inline|isolated --store DIR --port P``
"""

import argparse
import asyncio
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
import uvicorn

_STORE_VARIABLE = "BARE_ASGI_STORE"
# A frame: the call's number and the payload's length, then the payload.
_FRAME = struct.Struct("!II")
_QUERY_THREADS = 4

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def answer(store: ox.Store, query: str) -> tuple[bytes, bytes]:
    """Run ``query`` over the union of the graphs; return its media type and bytes."""
    results = store.query(query, use_default_graph_as_union=True)
    if isinstance(results, ox.QueryTriples):
        return b"application/n-triples", results.serialize(format=ox.RdfFormat.N_TRIPLES)
    return b"application/sparql-results+json", results.serialize(format=ox.QueryResultsFormat.JSON)


def query_parameter(scope: Scope) -> str:
    """The ``query`` parameter of the URL (the benchmark sends queries by GET)."""
    pairs = parse_qsl(scope["query_string"].decode("utf-8"))
    return next(value for name, value in pairs if name == "query")


async def send_answer(send: Send, media_type: bytes, body: bytes) -> None:
    headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def lifespan(receive: Receive, send: Send, start: Callable[[], Awaitable[None]]) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await start()
        await send({"type": message["type"] + ".complete"})
        if message["type"] == "lifespan.shutdown":
            return


class Inline:
    """ASGI app: the query runs on the event loop."""

    def __init__(self) -> None:
        self.store: ox.Store | None = None

    async def start(self) -> None:
        self.store = ox.Store.read_only(os.environ[_STORE_VARIABLE])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, self.start)
            return
        assert self.store is not None
        await send_answer(send, *answer(self.store, query_parameter(scope)))


class Isolated:
    """ASGI app: each query goes to the query process, its answer comes back."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[bytes]] = {}
        self.calls = 0
        self.writer: asyncio.StreamWriter | None = None

    async def start(self) -> None:
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "benchmarks.bare_asgi", "query-process"]
        command += [str(theirs.fileno()), os.environ[_STORE_VARIABLE]]
        # Started once and left to the process group: the benchmark stops the group.
        subprocess.Popen(command, pass_fds=[theirs.fileno()])
        theirs.close()
        reader, self.writer = await asyncio.open_unix_connection(sock=ours)
        self._reading = asyncio.get_running_loop().create_task(self.read_answers(reader))

    async def read_answers(self, reader: asyncio.StreamReader) -> None:
        while True:
            call, length = _FRAME.unpack(await reader.readexactly(_FRAME.size))
            self.waiting.pop(call).set_result(await reader.readexactly(length))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, self.start)
            return
        assert self.writer is not None
        self.calls += 1
        waiting = asyncio.get_running_loop().create_future()
        self.waiting[self.calls] = waiting
        query = query_parameter(scope).encode("utf-8")
        self.writer.write(_FRAME.pack(self.calls, len(query)) + query)
        reply = await waiting
        media_type, _, body = reply.partition(b"\n")
        await send_answer(send, media_type, body)


def serve_queries(fd: int, store_path: str) -> None:
    """The query process: read frames, answer each in one of a few threads."""
    channel = socket.socket(fileno=fd)
    store = ox.Store.read_only(store_path)
    jobs: queue.SimpleQueue[tuple[int, bytes]] = queue.SimpleQueue()
    sending = threading.Lock()

    def work() -> None:
        while True:
            call, query = jobs.get()
            media_type, body = answer(store, query.decode("utf-8"))
            reply = media_type + b"\n" + body
            with sending:
                channel.sendall(_FRAME.pack(call, len(reply)) + reply)

    for _ in range(_QUERY_THREADS):
        threading.Thread(target=work, daemon=True).start()
    frames = channel.makefile("rb")
    while head := frames.read(_FRAME.size):
        call, length = _FRAME.unpack(head)
        jobs.put((call, frames.read(length)))


inline = Inline()
isolated = Isolated()


def main() -> None:
    if sys.argv[1:2] == ["query-process"]:
        serve_queries(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("inline", "isolated"))
    parser.add_argument("--store", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ[_STORE_VARIABLE] = args.store
    uvicorn.run(
        f"benchmarks.bare_asgi:{args.mode}",
        host="127.0.0.1",
        port=args.port,
        workers=os.cpu_count() if args.mode == "inline" else 1,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
