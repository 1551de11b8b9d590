"""Worker processes the app can kill: a pool of readers and one writer.

pyoxigraph cannot cancel a query in-process, so every query runs in a worker
process (:mod:`scograph.server.worker`), started fresh with ``python -m`` (never
forked from a process holding RocksDB). The app talks to each worker over a Unix
socket pair with asyncio, so waiting for a worker blocks nothing.

A reader answers several queries at once, one thread each over one store handle,
and every frame names the call it belongs to (see :class:`ReaderPool`). A timer
armed for each query's time limit SIGKILLs its reader if the query is still running
then: the query is really stopped and its CPU freed, a spare reader takes the killed
one's place at once, and the killed one's other queries run again there. A reader
that dies on its own (the engine crashed on a query) is replaced the same way.

Writes go to the one writer process, one at a time; readers then move to a
snapshot the writer takes (see :class:`Writer`), so a client reads its own writes.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import os
import shutil
import signal
import socket
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import scograph
from scograph.server import wire
from scograph.server.errors import (
    EndpointError,
    InsufficientStorageError,
    ServiceUnavailableError,
    UnprocessableError,
    error_for_status,
)
from scograph.server.stores import working_folder

_START_TIMEOUT = 120.0
_SNAPSHOT_RETRY_SECONDS = 5.0
# How long after a short query answered the long ones still give way to short ones.
_MIXED_SECONDS = 1.0
# How much of an answer may wait, unread, for the task that copies it on.
_UNREAD_BYTES = 4 * 1024 * 1024
_log = logging.getLogger("uvicorn.error")
T = TypeVar("T")
SNAPSHOTS_PREFIX = ".scograph-snapshots-"


def _child_environment() -> dict[str, str]:
    """The workers' environment: scograph importable, and no write token."""
    environment = {k: v for k, v in os.environ.items() if k != "SCOGRAPH_WRITE_TOKEN"}
    source = str(Path(scograph.__file__).resolve().parents[1])
    paths = [source, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return environment


class WorkerProcess:
    """One worker process and the app's end of its socket."""

    def __init__(
        self,
        role: str,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.role = role
        self.process = process
        self.pid = process.pid
        self._reader = reader
        self._writer = writer
        self.killed = False
        # Which snapshot of the store the worker has open (readers only).
        self.generation = 0

    @classmethod
    async def start(cls, role: str, store: Path, *options: str) -> "WorkerProcess":
        """Start a worker on ``store`` and wait until it has opened the store."""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "scograph.server.worker",
                role,
                str(child.fileno()),
                str(store),
                *options,
                pass_fds=(child.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
                env=_child_environment(),
            )
        finally:
            child.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent)
        worker = cls(role, process, reader, writer)
        try:
            async with asyncio.timeout(_START_TIMEOUT):
                kind, _, _ = await worker.read_frame()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as error:
            worker.kill()
            raise RuntimeError(f"the {role} process could not open the store {store}") from error
        if kind != wire.END:
            worker.kill()
            raise RuntimeError(f"the {role} process sent {kind!r} instead of being ready")
        return worker

    @property
    def alive(self) -> bool:
        return not self.killed and self.process.returncode is None

    def send(self, data: bytes) -> None:
        """Queue frames for the worker (the socket buffer absorbs a request)."""
        self._writer.write(data)

    async def read_frame(self) -> tuple[bytes, int, bytes]:
        """Return the next frame (kind, call, payload); raises IncompleteReadError when gone."""
        prefix = await self._reader.readexactly(wire.PREFIX_SIZE)
        kind, call, size = wire.parse_prefix(prefix)
        return kind, call, (await self._reader.readexactly(size) if size else b"")

    def kill(self) -> None:
        """SIGKILL the worker (whatever it is doing stops) and close the socket."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self._writer.close()


class _Lease:
    """The writer busy with one write, killed if the write outlives its time limit."""

    def __init__(self, worker: WorkerProcess, timeout: float) -> None:
        self.worker = worker
        self.timeout = timeout
        # Why the worker was killed on purpose (the client's 503), if it was.
        self.stopped: str | None = None
        self.done = False
        self._timer = asyncio.get_running_loop().call_later(timeout, self._expire)

    def _expire(self) -> None:
        if not self.done:
            self.stopped = (
                f"The update ran over the time limit of {self.timeout:g} s and was stopped; "
                "nothing was changed."
            )
            self.abort()

    async def frame(self) -> tuple[bytes, bytes]:
        try:
            kind, _, payload = await self.worker.read_frame()
            return kind, payload
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.abort()
            if self.stopped is not None:
                raise ServiceUnavailableError(self.stopped) from error
            raise UnprocessableError(
                "The query engine crashed on this update (it may be too large or too "
                "complex); it was not completed."
            ) from error

    async def exchange(
        self, request: dict[str, Any], bodies: Sequence[bytes] = ()
    ) -> dict[str, Any]:
        """Send a request (and its bodies) answered by END alone; return END's content.

        Raises the worker's error as its :class:`EndpointError`. The worker is idle
        again after END or ERROR, and killed if anything else happens on the way.
        """
        try:
            frames = [wire.json_frame(wire.REQUEST, request)]
            frames += [wire.frame(wire.BODY, body) for body in bodies]
            self.worker.send(b"".join(frames))
            kind, payload = await self.frame()
        except BaseException:
            self.abort()
            raise
        self.finish()
        if kind == wire.ERROR:
            raise _error(payload)
        return json.loads(payload) if payload else {}

    def finish(self) -> None:
        """The worker answered completely: it is idle again."""
        if not self.done:
            self.done = True
            self._timer.cancel()

    def abort(self) -> None:
        """The worker is in the middle of something nobody will read: kill it."""
        if not self.done:
            self.done = True
            self._timer.cancel()
            self.worker.kill()


@dataclass
class Answer:
    """A worker's answer: what it is, and its bytes (all of them, or a stream)."""

    content_type: str
    truncated: bool
    max_rows: int | None
    body: bytes | None
    _call: "_Call | None" = None
    _first: list[bytes] = field(default_factory=list)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the rest of a streamed answer; raises if the reader fails midway."""
        call = self._call
        assert call is not None
        try:
            for part in self._first:
                yield part
            self._first = []
            while True:
                try:
                    kind, payload = await call.frame()
                except _LostError as lost:
                    raise lost.error from None
                if kind == wire.DATA:
                    yield payload
                elif kind == wire.END:
                    return
                else:
                    raise _error(payload)
        finally:
            call.abort()

    def close(self) -> None:
        """Give up a streamed answer before reading it all (its reader stops producing it)."""
        if self._call is not None:
            self._call.abort()


async def _end_content(call: "_Call") -> dict[str, Any]:
    """The content of a call's END, its only frame (its ERROR raised as it says)."""
    kind, payload = await call.frame()
    if kind == wire.ERROR:
        raise _error(payload)
    return json.loads(payload) if payload else {}


def _error(payload: bytes) -> EndpointError:
    error = json.loads(payload)
    return error_for_status(error["status"], error["message"])


def _work(request: dict[str, Any]) -> Hashable:
    """What decides the engine's work for a request (the answer's format and cap do not)."""
    return (
        request["op"],
        request.get("query"),
        request.get("graph"),
        request.get("base"),
        request.get("union"),
        _graphs(request.get("default_graphs")),
        _graphs(request.get("named_graphs")),
    )


def _graphs(iris: list[str] | None) -> tuple[str, ...] | None:
    return None if iris is None else tuple(iris)


def _ran_over(timeout: float) -> str:
    return f"The query ran over the time limit of {timeout:g} s and was stopped."


class _LostError(Exception):
    """A call's reader process went away before the call was answered."""

    def __init__(self, error: EndpointError, retry: bool) -> None:
        super().__init__(error.message)
        self.error = error
        # Whether the call may run again on another reader (nothing of it was used yet).
        self.retry = retry


class _Call:
    """One request a reader process answers, and the frames that have come for it."""

    def __init__(
        self, pool: "ReaderPool", process: "_ReaderProcess", number: int, work: Hashable
    ) -> None:
        self.pool = pool
        self.process = process
        self.number = number
        # What the engine does for it: identical calls share a place (see ``ReaderPool``).
        self.work = work
        self.generation = pool.generation
        self.began = asyncio.get_running_loop().time()
        self.long = False
        # The answer was handed on (a stream the client reads): it cannot run again.
        self.handed = False
        # Why the call was stopped on purpose (the client's 503), if it was.
        self.stopped: str | None = None
        # It was stopped at its time limit.
        self.ran_over = False
        self.answered = False
        self.abandoned = False
        self._lost: _LostError | None = None
        self._frames: deque[tuple[bytes, bytes]] = deque()
        self._buffered = 0
        self._arrived = asyncio.Event()
        self._drained = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None

    def arm(self, deadline: float) -> None:
        """Stop the call (and its process) if it is not answered by ``deadline``."""
        self._timer = asyncio.get_running_loop().call_at(deadline, self._expire)

    def _expire(self) -> None:
        self.ran_over = not self.answered
        self.stop(_ran_over(self.pool.timeout))

    def stop(self, message: str) -> None:
        """Kill the call's process now; the call's client gets a 503 with ``message``."""
        if not self.answered:
            self.stopped = message
            self.pool.kill(self.process)

    async def deliver(self, kind: bytes, payload: bytes) -> None:
        """A frame for this call came (waits while too much of the answer is unread)."""
        if self.abandoned:
            return
        self._frames.append((kind, payload))
        self._buffered += len(payload)
        self._arrived.set()
        while self._buffered > _UNREAD_BYTES and not self.abandoned:
            self._drained.clear()
            await self._drained.wait()

    def settle(self) -> None:
        """The process sent the call's last frame: the call holds nothing any more."""
        self.answered = True
        if self._timer is not None:
            self._timer.cancel()

    def lose(self, error: _LostError) -> None:
        """The process is gone: whoever waits for a frame gets ``error``."""
        self.settle()
        self._lost = error
        self._arrived.set()
        self._drained.set()

    async def frame(self) -> tuple[bytes, bytes]:
        """The next frame of the answer; raises :class:`_LostError` if the process went."""
        while not self._frames:
            if self._lost is not None:
                raise self._lost
            self._arrived.clear()
            await self._arrived.wait()
        kind, payload = self._frames.popleft()
        self._buffered -= len(payload)
        if self._buffered <= _UNREAD_BYTES:
            self._drained.set()
        return kind, payload

    def abort(self) -> None:
        """Nobody will read the rest of the answer: the reader is told to stop producing it.

        The call keeps its place (and its time limit) until the reader lets it go.
        """
        if self.abandoned:
            return
        self.abandoned = True
        self._frames.clear()
        self._drained.set()
        if not self.answered:
            self.process.cancel(self.number)
            self.pool.abandoned(self)


class _ReaderProcess:
    """A reader process, the calls it is answering, and the task that sorts its frames."""

    def __init__(self, worker: WorkerProcess, pool: "ReaderPool") -> None:
        self.worker = worker
        self.pool = pool
        self.calls: dict[int, _Call] = {}
        # The newest snapshot of the store a call has named to it.
        self.generation = pool.generation
        # Set when the app killed it (a call ran over): its other calls may run again.
        self.killed_on_purpose = False
        self._task = asyncio.create_task(self._sort_frames())

    @property
    def pid(self) -> int:
        return self.worker.pid

    @property
    def short_calls(self) -> int:
        """The calls not (yet) long-running."""
        return sum(not call.long for call in self.calls.values())

    @property
    def places_taken(self) -> int:
        """The places its short calls take: one for each different work among them."""
        return len({call.work for call in self.calls.values() if not call.long})

    def runs(self, work: Hashable) -> bool:
        """Whether a short call doing ``work`` is running here."""
        return any(call.work == work and not call.long for call in self.calls.values())

    def send(self, call: _Call, request: dict[str, Any]) -> None:
        self.calls[call.number] = call
        self.generation = call.generation
        self.worker.send(wire.json_frame(wire.REQUEST, request, call.number))

    def cancel(self, number: int) -> None:
        if self.worker.alive:
            self.worker.send(wire.frame(wire.CANCEL, b"", number))

    def lower(self, number: int) -> None:
        if self.worker.alive:
            self.worker.send(wire.frame(wire.LOWER, b"", number))

    async def _sort_frames(self) -> None:
        try:
            while True:
                kind, number, payload = await self.worker.read_frame()
                call = self.calls.get(number)
                if call is None:
                    continue
                if kind == wire.LONG:
                    self.pool.turned_long(call)
                    continue
                if kind in (wire.END, wire.ERROR):
                    del self.calls[number]
                    call.settle()
                    self.pool.answered(self, call)
                await call.deliver(kind, payload)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            self.pool.lost(self)
        except Exception:
            # A bug here must not leave the process's calls waiting for their time limit.
            _log.exception("Reader %d: its answers could not be sorted; it is replaced", self.pid)
            self.pool.lost(self)

    async def close(self) -> None:
        self.worker.kill()
        self._task.cancel()
        await self.worker.process.wait()


@dataclass
class _Waiter:
    """A request waiting for a place in a reader, and the call it is given."""

    request: dict[str, Any]
    work: Hashable
    deadline: float
    long: bool
    call: asyncio.Future[_Call]


class ReaderPool:
    """Reader processes answering queries, each running several at once over one store handle.

    ``size`` reader processes take the queries, a new query going to the least busy; while
    short queries come, each runs up to ``threads`` at a time (see :meth:`_places`), and
    long-running ones leave their place. Identical queries share one place, up to
    :attr:`most_at_once` queries in the process: run together, they read the same blocks
    at the same time (8 identical COUNTs at once, against 4 and 4 more waiting, served
    8% more requests a second), while different ones would only share the CPU. A query
    that has used ``long_query_cpu`` seconds of CPU is long-running: when short queries
    come too, its thread gets the lowest CPU priority, so they keep the CPU. At most
    ``max_long_queries`` run at once; one more is stopped with a 503 as soon as it turns
    long-running.

    A query that runs over its time limit is stopped by killing its process (pyoxigraph
    cannot cancel a query in-process). The process's other queries that had not
    answered yet run again on another reader, with what is left of their own time
    limits; one already streaming its answer fails. ``spare_readers`` processes, started
    ahead, take the killed one's place at once, and a new spare starts.

    Readers open :attr:`source` (the store, or the writer's latest snapshot of it);
    each request names the source, and a reader on an older one reopens first.
    """

    what = "query"

    def __init__(
        self,
        store: Path,
        size: int,
        timeout: float,
        *,
        threads: int = 16,
        long_query_cpu: float = 0.25,
        max_long_queries: int = 8,
        spare_readers: int = 1,
        union_stored: bool = False,
    ) -> None:
        self.source = store
        # The store's default graph holds the union of its graphs (see ``union_store``):
        # a request for the union view reads it instead.
        self.union_stored = union_stored
        self.generation = 0
        self.size = size
        self.threads = threads
        self.timeout = timeout
        self.long_query_cpu = long_query_cpu
        self.max_long_queries = max_long_queries
        self.spare_readers = spare_readers
        # Brings the source up to date before a read (set by the writer).
        self.freshen: Callable[[], Awaitable[None]] | None = None
        self._readers: list[_ReaderProcess] = []
        self._spares: list[_ReaderProcess] = []
        self._long: set[_Call] = set()
        # Long calls still at the normal priority: no short call needed the CPU yet.
        self._unlowered: set[_Call] = set()
        # When a short call last answered (short calls and long ones running together).
        self._short_answered_at = -_MIXED_SECONDS
        self._numbers = itertools.count(1)
        # Requests waiting for a place, first come first served.
        self._waiting: deque[_Waiter] = deque()
        self._starting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._retired: dict[int, Path] = {}
        self._closing = False

    async def start(self) -> None:
        """Start the readers and the spares, and wait until all have opened the store."""
        count = self.size + self.spare_readers
        for process in await asyncio.gather(*(self._start_one() for _ in range(count))):
            self._place(process)

    async def _start_one(self) -> _ReaderProcess:
        worker = await WorkerProcess.start("reader", self.source, str(self.long_query_cpu))
        return _ReaderProcess(worker, self)

    def _place(self, process: _ReaderProcess) -> None:
        """Put a started reader where one is missing: among the query readers, or the spares."""
        if self._closing:
            self._spawn(process.close())
        elif len(self._readers) < self.size:
            self._readers.append(process)
            self._hand_places()
        elif len(self._spares) < self.spare_readers:
            self._spares.append(process)
        else:
            self._spawn(process.close())

    def _replace(self) -> None:
        """Promote spares to the readers missing, and start what is missing of both."""
        if self._closing:
            return
        while self._spares and len(self._readers) < self.size:
            self._readers.append(self._spares.pop())
        self._hand_places()
        missing = self.size - len(self._readers) + self.spare_readers - len(self._spares)
        for _ in range(missing - self._starting):
            self._starting += 1
            self._spawn(self._add_reader())

    async def _add_reader(self) -> None:
        """Start one reader (retrying while the store cannot be opened) and place it."""
        try:
            while True:
                try:
                    process = await self._start_one()
                    break
                except RuntimeError:
                    await asyncio.sleep(1.0)
        finally:
            self._starting -= 1
        self._place(process)

    async def close(self) -> None:
        """Kill every reader."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        processes = self._readers + self._spares
        self._readers, self._spares = [], []
        await asyncio.gather(*(p.close() for p in processes), return_exceptions=True)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live readers (spares included)."""
        return sorted(p.pid for p in self._readers + self._spares if p.worker.alive)

    @property
    def long_running(self) -> int:
        """How many long-running queries are in progress."""
        return len(self._long)

    def publish(self, source: Path, generation: int) -> None:
        """Make readers use a newer snapshot; older ones go once no reader has them open."""
        self._retired[self.generation] = self.source
        self.source, self.generation = source, generation
        self._remove_unused_snapshots()

    def _remove_unused_snapshots(self) -> None:
        in_use = set()
        for process in self._readers + self._spares:
            in_use.add(process.generation)
            in_use.update(call.generation for call in process.calls.values())
        for generation in [g for g in self._retired if g not in in_use]:
            path = self._retired.pop(generation)
            if path.parent.name.startswith(SNAPSHOTS_PREFIX):
                self._spawn(asyncio.to_thread(shutil.rmtree, path, ignore_errors=True))

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        async def run() -> None:
            await coroutine

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def kill(self, process: _ReaderProcess) -> None:
        """Kill a reader now (a call ran over); its calls learn it when its socket closes."""
        process.killed_on_purpose = True
        process.worker.kill()

    def turned_long(self, call: _Call) -> None:
        """A call's thread used ``long_query_cpu`` s of CPU: it is long-running."""
        if call.answered:
            return
        call.long = True
        if call.abandoned:
            self._reap(call.process)
        elif len(self._long) >= self.max_long_queries:
            call.stop(
                f"The query was stopped after {self.long_query_cpu:g} s of CPU time: "
                f"{len(self._long)} long-running queries were already running, the most this "
                "endpoint runs at once. Try again later."
            )
        else:
            self._long.add(call)
            self._unlowered.add(call)
            self._hand_places()  # a long call leaves its place to a short one
            if self._mixed():
                self._lower_long_calls()

    @property
    def most_at_once(self) -> int:
        """The most short calls a reader runs at once: a run of scans alone, or identical
        queries sharing a place."""
        return max(self.threads, self.max_long_queries)

    def _mixed(self) -> bool:
        """Whether short queries came lately (a query is not known to be short before it ends)."""
        return asyncio.get_running_loop().time() - self._short_answered_at < _MIXED_SECONDS

    def _places(self) -> int:
        """How many calls not known to be long a reader runs at once.

        ``threads`` while short queries come: more would share the CPU more finely, and
        each would take longer. Otherwise the calls are scans: a cap would only stagger
        their starts, and identical scans that start together share the blocks each one
        reads (8 GROUP BYs staggered by a quarter second cost 12-15% more CPU each).
        """
        return self.threads if self._mixed() else self.most_at_once

    def _lower_long_calls(self) -> None:
        """Lower the threads of the long calls, so the short calls get the CPU first.

        Only when short queries come: a lowered thread gives way to everything else on
        the machine too, and stays lowered (its thread ends with the call), which costs
        a run of long queries alone about a fifth of their speed.
        """
        for call in self._unlowered:
            call.process.lower(call.number)
        self._unlowered.clear()

    def note_short_answer(self) -> None:
        """A short query was answered (here, or from the response cache): the CPU is wanted."""
        self._short_answered_at = asyncio.get_running_loop().time()
        if self._unlowered:
            self._lower_long_calls()

    def _forget(self, call: _Call) -> None:
        self._long.discard(call)
        self._unlowered.discard(call)

    def abandoned(self, call: _Call) -> None:
        """Nobody waits for a call any more (its client left, or it was refused)."""
        self._forget(call)
        self._reap(call.process)

    def _reap(self, process: _ReaderProcess) -> None:
        """Kill a reader left with nothing but long calls nobody waits for.

        Such a call stops only at its next write, which a scan or an aggregate may not
        reach for a long time; killing the process costs nobody else anything, while
        with a call still wanted beside it, the abandoned one runs on (lowered while
        short queries come) until it ends or reaches its time limit.
        """
        calls = process.calls.values()
        if calls and all(c.abandoned for c in calls) and any(c.long for c in calls):
            self.kill(process)

    def answered(self, process: _ReaderProcess, call: _Call) -> None:
        """A call's last frame came: its place in the process is free."""
        self._forget(call)
        # Short: answered within the CPU time that makes a query long, in wall time (a
        # query near that mark that ran beside others would otherwise count as short).
        if not call.long and call.began + self.long_query_cpu > asyncio.get_running_loop().time():
            self.note_short_answer()
        self._reap(process)
        self._hand_places()
        if self._retired:
            self._remove_unused_snapshots()

    def lost(self, process: _ReaderProcess) -> None:
        """A reader's socket closed: it was killed, or it died. Its calls learn how."""
        process.worker.kill()
        if process in self._readers:
            self._readers.remove(process)
        if process in self._spares:
            self._spares.remove(process)
        calls, process.calls = list(process.calls.values()), {}
        ran_over = {call.work for call in calls if call.ran_over}
        for call in calls:
            self._forget(call)
            call.lose(self._loss(process, call, ran_over))
        self._replace()

    def _loss(self, process: _ReaderProcess, call: _Call, ran_over: set[Hashable]) -> _LostError:
        """What a call lost with its process gets, and whether it may run again;
        ``ran_over``: the works of the calls there that ran over their time limit."""
        if call.stopped is not None:
            return _LostError(ServiceUnavailableError(call.stopped), retry=False)
        if call.work in ran_over:
            # Run again, it would do the same work with less time than it already took.
            error = ServiceUnavailableError(
                "The query was stopped with an identical one beside it that ran over the "
                f"time limit of {self.timeout:g} s; it has less of its own limit left."
            )
            return _LostError(error, retry=False)
        if process.killed_on_purpose:
            # Another query in the same process ran over: this one did nothing wrong.
            error = ServiceUnavailableError(
                "The query was stopped with another that ran over its limit in the same "
                "worker; try again."
            )
            return _LostError(error, retry=not call.handed)
        crashed = UnprocessableError(
            "The query engine crashed on this query (it may be too large or too complex) "
            "or on one running beside it; it was not completed."
        )
        # The query that crashed the engine is likely the long one: only short ones run again.
        return _LostError(crashed, retry=not call.handed and not call.long)

    async def refresh(self) -> None:
        """Bring :attr:`source` up to date with the last write, if there is a writer."""
        if self.freshen is not None:
            await self.freshen()

    async def _begin(
        self, request: dict[str, Any], deadline: float, long: bool, again: bool = False
    ) -> _Call:
        """Send a request to the least busy reader (waiting, until ``deadline``, for room).

        ``long``: the request runs again after its reader was lost, and was long-running
        there; while short queries come, its thread starts at the lowest priority.
        ``again``: it runs again, so it waits ahead of the requests that have not run yet.
        """
        loop = asyncio.get_running_loop()
        if loop.time() >= deadline:
            raise ServiceUnavailableError(_ran_over(self.timeout))
        self._hand_places()  # those waiting go first, if places freed without an answer
        work = _work(request)
        if not self._waiting:
            process = self._free_reader(work)
            if process is not None:
                return self._send(process, request, work, deadline, long)
        waiter = _Waiter(request, work, deadline, long, loop.create_future())
        if again:
            self._waiting.appendleft(waiter)
        else:
            self._waiting.append(waiter)
        try:
            async with asyncio.timeout_at(deadline):
                return await waiter.call
        except BaseException as error:
            if waiter.call.done() and not waiter.call.cancelled() and not waiter.call.exception():
                # Given a place just as its wait ended: the call is not wanted.
                waiter.call.result().abort()
            waiter.call.cancel()
            if isinstance(error, TimeoutError):
                raise ServiceUnavailableError(
                    f"All {self.size} query workers stayed busy for {self.timeout:g} s; "
                    "try again later."
                ) from None
            raise

    def _free_reader(self, work: Hashable) -> _ReaderProcess | None:
        """The live reader to do ``work`` now, if one has room: one doing the same work
        already (it joins that call's place), else the one with the most places free."""
        alive = [p for p in self._readers if p.worker.alive]
        for process in alive:
            if process.runs(work) and process.short_calls < self.most_at_once:
                return process
        places = self._places()
        taken = {p: p.places_taken for p in alive}
        ready = [p for p in alive if taken[p] < places]
        return min(ready, key=taken.__getitem__) if ready else None

    def _send(
        self,
        process: _ReaderProcess,
        request: dict[str, Any],
        work: Hashable,
        deadline: float,
        long: bool,
    ) -> _Call:
        if self._unlowered and self._mixed():
            self._lower_long_calls()
        call = _Call(self, process, next(self._numbers), work)
        call.arm(deadline)
        lower = long and self._mixed()
        union = bool(request.get("union")) and not self.union_stored
        process.send(call, {**request, "store": str(self.source), "lower": lower, "union": union})
        return call

    def _hand_places(self) -> None:
        """Send waiting requests to the places free now, in their order of arrival.

        Sent here, as a place frees, rather than by each waiting task when it next
        runs: the reader starts the next query at once, and no core idles meanwhile.
        """
        if not self._waiting:
            return  # every request's path comes by here
        now = asyncio.get_running_loop().time()
        while self._waiting:
            waiter = self._waiting[0]
            if waiter.call.done():  # its client left, or its wait ran out
                self._waiting.popleft()
                continue
            if now >= waiter.deadline:
                # Sent now, its timer would kill the reader it went to at once.
                self._waiting.popleft()
                waiter.call.set_exception(ServiceUnavailableError(_ran_over(self.timeout)))
                continue
            process = self._free_reader(waiter.work)
            if process is None:
                return
            self._waiting.popleft()
            call = self._send(process, waiter.request, waiter.work, waiter.deadline, waiter.long)
            waiter.call.set_result(call)

    async def _retrying(self, request: dict[str, Any], read: Callable[[_Call], Awaitable[T]]) -> T:
        """Send ``request`` and ``read`` its answer; again while its reader is lost in a way
        that allows it (see :meth:`_loss`).

        The time limit counts from now (the wait for a reader included) and holds for
        every attempt together.
        """
        await self.refresh()
        deadline = asyncio.get_running_loop().time() + self.timeout
        long = again = False
        while True:
            call = await self._begin(request, deadline, long, again)
            try:
                return await read(call)
            except _LostError as lost:
                if not lost.retry:
                    raise lost.error from None
                long, again = call.long, True
            except BaseException:
                call.abort()
                raise

    async def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a request a reader answers with END alone; return END's content."""
        return await self._retrying(request, _end_content)

    async def answer(self, request: dict[str, Any]) -> Answer:
        """Run a query (or graph read) and return its answer.

        Returns once the reader has sent the answer's head and either all of it
        (small answers, in memory) or more than one chunk (a stream), so errors
        found early are still errors and not a broken 200.
        """
        return await self._retrying(request, self._first_part)

    async def _first_part(self, call: _Call) -> Answer:
        kind, payload = await call.frame()
        if kind == wire.ERROR:
            raise _error(payload)
        head = json.loads(payload)
        parts: list[bytes] = []
        while len(parts) < 2:
            kind, payload = await call.frame()
            if kind == wire.DATA:
                parts.append(payload)
            elif kind == wire.END:
                return Answer(
                    head["content_type"],
                    head.get("truncated", False),
                    head.get("max_rows"),
                    b"".join(parts),
                )
            else:
                raise _error(payload)
        call.handed = True
        return Answer(
            head["content_type"],
            head.get("truncated", False),
            head.get("max_rows"),
            None,
            call,
            parts,
        )


class Writer:
    """The one process that writes to the store; writes run one at a time.

    Readers never open the store the writer writes to: RocksDB may delete a file
    a read-only handle opened earlier still needs. Before a read that follows a
    write, the writer takes a snapshot (a RocksDB checkpoint: hard links, no copy)
    and the readers move to it, so a client always reads its own writes.
    """

    def __init__(self, store: Path, timeout: float, readers: ReaderPool) -> None:
        self.store = store
        self.timeout = timeout
        self.readers = readers
        self._worker: WorkerProcess | None = None
        self._lock = asyncio.Lock()
        self._snapshots = working_folder(store, "snapshots")
        self._committed = 0
        self._snapshot_generation = -1
        self._snapshot_retry_at = 0.0
        readers.freshen = self.freshen

    async def start(self) -> None:
        """Start the writer process and give the readers their first snapshot."""
        async with self._lock:
            self._worker = await WorkerProcess.start("writer", self.store)
        await self.freshen()

    async def close(self) -> None:
        """Kill the writer process and remove the snapshots."""
        if self._worker is not None:
            self._worker.kill()
            await self._worker.process.wait()
            self._worker = None
        await asyncio.to_thread(shutil.rmtree, self._snapshots, ignore_errors=True)

    async def freshen(self) -> None:
        """Snapshot the store for the readers if it changed since the last snapshot.

        A snapshot needs a little room on the disk. When it cannot be taken (the
        disk is full) the readers stay on the last one, so reads go on, showing the
        store as of then; it is tried again at most every few seconds, since each
        try holds up reads and writes.
        """
        if self._snapshot_generation == self._committed:
            return
        loop = asyncio.get_running_loop()
        if loop.time() < self._snapshot_retry_at:
            return
        async with self._lock:
            generation = self._committed
            if self._snapshot_generation == generation:
                return
            path = self._snapshots / str(generation)
            try:
                await self._call({"op": "snapshot", "path": str(path)})
            except (InsufficientStorageError, ServiceUnavailableError) as error:
                self._snapshot_retry_at = loop.time() + _SNAPSHOT_RETRY_SECONDS
                _log.warning("Readers stay on the last snapshot: %s", error.message)
                return
            self._snapshot_generation = generation
            self.readers.publish(path, generation)

    async def call(self, request: dict[str, Any], bodies: Sequence[bytes] = ()) -> dict[str, Any]:
        """Apply one write; return what the writer reports (e.g. whether a graph was created).

        A write killed at the time limit is not committed.
        """
        async with self._lock:
            try:
                done = await self._call(request, bodies)
            except EndpointError:
                raise
            except BaseException:
                # A write killed just after its commit must still be seen.
                self._committed += 1
                raise
            self._committed += 1
            return done

    async def _call(self, request: dict[str, Any], bodies: Sequence[bytes] = ()) -> dict[str, Any]:
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                # RocksDB's lock is free only once the killed writer has exited.
                await self._worker.process.wait()
            try:
                self._worker = await WorkerProcess.start("writer", self.store)
            except RuntimeError as error:
                message = f"The store cannot be written now: {error}."
                raise ServiceUnavailableError(message) from error
        lease = _Lease(self._worker, self.timeout)
        return await lease.exchange({**request, "bodies": len(bodies)}, bodies)
