"""Worker processes the app can kill: a pool of readers and one writer.

pyoxigraph cannot cancel a query in-process, so every query runs in a worker
process (:mod:`scograph.server.worker`), started fresh with ``python -m`` (never
forked from a process holding RocksDB). The app talks to each worker over a Unix
socket pair with asyncio, so waiting for a worker blocks nothing.

A request leases an idle worker; a timer armed for the time limit SIGKILLs the
worker if it is still busy then (the query is really stopped and its CPU freed),
and a fresh one takes its place while the other workers keep answering. A worker
that dies on its own (the engine crashed on a query) is replaced the same way.
A query that keeps running drops to the lowest CPU priority and leaves the other
queries a reader of their own (see :class:`ReaderPool`).

Writes go to the one writer process, one at a time; readers then move to a
snapshot the writer takes (see :class:`Writer`), so a client reads its own writes.
"""

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scograph
from scograph.server import wire
from scograph.server.errors import (
    EndpointError,
    InsufficientStorageError,
    ServiceUnavailableError,
    UnprocessableError,
    error_for_status,
)
from scograph.server.priority import cpu_seconds, lower_priority, restore_priority
from scograph.server.stores import working_folder

_START_TIMEOUT = 120.0
_SNAPSHOT_RETRY_SECONDS = 5.0
# How long spares beyond the configured number may sit unused before they go.
_SPARE_IDLE_SECONDS = 30.0
_log = logging.getLogger("uvicorn.error")
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
    async def start(cls, role: str, store: Path) -> "WorkerProcess":
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
                kind, _ = await worker.read_frame()
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

    async def read_frame(self) -> tuple[bytes, bytes]:
        """Return the next frame; raises IncompleteReadError when the worker is gone."""
        prefix = await self._reader.readexactly(wire.PREFIX_SIZE)
        kind, size = wire.parse_prefix(prefix)
        return kind, (await self._reader.readexactly(size) if size else b"")

    def kill(self) -> None:
        """SIGKILL the worker (whatever it is doing stops) and close the socket."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self._writer.close()


class _Lease:
    """A worker busy with one request, killed if the request outlives its time limit."""

    def __init__(
        self,
        owner: "_Owner",
        worker: WorkerProcess,
        timeout: float,
        remaining: float | None = None,
    ) -> None:
        """``timeout`` is the time limit; ``remaining`` what is left of it (all by default)."""
        self.owner = owner
        self.worker = worker
        self.timeout = timeout
        # Why the worker was killed on purpose (the client's 503), if it was.
        self.stopped: str | None = None
        self.done = False
        left = timeout if remaining is None else max(0.0, remaining)
        self._timer = asyncio.get_running_loop().call_later(left, self._expire)

    def _expire(self) -> None:
        self.stop(
            f"The {self.owner.what} ran over the time limit of {self.timeout:g} s "
            f"and was stopped{self.owner.stopped_note}."
        )

    def stop(self, message: str) -> None:
        """Kill the worker now; whoever waits for its answer gets a 503 with ``message``."""
        if not self.done:
            self.stopped = message
            self.owner.discard(self.worker)

    async def frame(self) -> tuple[bytes, bytes]:
        try:
            return await self.worker.read_frame()
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.abort()
            if self.stopped is not None:
                raise ServiceUnavailableError(self.stopped) from error
            raise UnprocessableError(
                f"The query engine crashed on this {self.owner.what} (it may be too large or "
                "too complex); it was not completed."
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
            self.owner.release(self.worker)

    def abort(self) -> None:
        """The worker is in the middle of something nobody will read: kill it."""
        if not self.done:
            self.done = True
            self._timer.cancel()
            self.owner.discard(self.worker)


@dataclass
class Answer:
    """A worker's answer: what it is, and its bytes (all of them, or a stream)."""

    content_type: str
    truncated: bool
    max_rows: int | None
    body: bytes | None
    _lease: _Lease | None = None
    _first: list[bytes] = field(default_factory=list)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the rest of a streamed answer; raises if the worker fails midway."""
        lease = self._lease
        assert lease is not None
        try:
            for part in self._first:
                yield part
            self._first = []
            while True:
                kind, payload = await lease.frame()
                if kind == wire.DATA:
                    yield payload
                elif kind == wire.END:
                    lease.finish()
                    return
                else:
                    lease.finish()
                    raise _error(payload)
        finally:
            lease.abort()

    def close(self) -> None:
        """Give up a streamed answer before reading it all (kills its worker)."""
        if self._lease is not None:
            self._lease.abort()


def _error(payload: bytes) -> EndpointError:
    error = json.loads(payload)
    return error_for_status(error["status"], error["message"])


class _Owner:
    """What leases hand workers back to."""

    what = "query"
    stopped_note = ""

    def release(self, worker: WorkerProcess) -> None:
        raise NotImplementedError

    def discard(self, worker: WorkerProcess) -> None:
        raise NotImplementedError


class ReaderPool(_Owner):
    """Reader processes answering queries, each over a read-only store handle.

    ``size`` readers at normal CPU priority take the queries. A query whose reader
    has used ``long_query_cpu`` seconds of CPU is long-running: its reader drops to
    the lowest CPU priority, and a spare reader (started ahead, held back) takes its
    place at once, so short queries neither queue behind long ones nor share the CPU
    evenly with them. When a long query is answered, its reader gets the normal
    priority back and becomes a spare; spares beyond ``spare_readers`` go once they
    have sat unused for a while. A server without the privilege to raise a priority
    retires the reader instead. At most ``max_long_queries``
    run at once; one more is stopped with a 503 as soon as it turns long-running, so
    the processes stay bounded by ``size + max_long_queries + spare_readers``.

    Readers open :attr:`source` (the store, or the writer's latest snapshot of it);
    each request names the source, and a reader on an older one reopens first.
    """

    def __init__(
        self,
        store: Path,
        size: int,
        timeout: float,
        *,
        long_query_cpu: float = 0.25,
        max_long_queries: int = 8,
        spare_readers: int = 1,
    ) -> None:
        self.source = store
        self.generation = 0
        self.size = size
        self.timeout = timeout
        self.long_query_cpu = long_query_cpu
        self.max_long_queries = max_long_queries
        self.spare_readers = spare_readers
        # Brings the source up to date before a read (set by the writer).
        self.freshen: Callable[[], Awaitable[None]] | None = None
        self._idle: asyncio.Queue[WorkerProcess] = asyncio.Queue()
        self._workers: set[WorkerProcess] = set()
        self._spares: list[WorkerProcess] = []
        self._long: set[WorkerProcess] = set()
        # The pending CPU check of each busy reader (whether its query turned long).
        self._checks: dict[WorkerProcess, asyncio.TimerHandle] = {}
        self._starting = 0
        self._trim: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._retired: dict[int, Path] = {}
        self._closing = False

    @property
    def capacity(self) -> int:
        """The most reader processes the pool runs at once."""
        return self.size + self.max_long_queries + self.spare_readers

    async def start(self) -> None:
        """Start the readers and the spares, and wait until all have opened the store."""
        count = self.size + self.spare_readers
        workers = await asyncio.gather(*(self._start_one() for _ in range(count)))
        for worker in workers:
            self._place(worker)

    async def _start_one(self) -> WorkerProcess:
        worker = await WorkerProcess.start("reader", self.source)
        worker.generation = self.generation
        return worker

    def _place(self, worker: WorkerProcess) -> None:
        """Put a started reader where one is missing: among the query readers, or the spares."""
        if self._closing:
            worker.kill()
        elif len(self._workers) - len(self._long) - len(self._spares) < self.size:
            self._workers.add(worker)
            self._idle.put_nowait(worker)
        elif len(self._spares) < self.spare_readers:
            self._workers.add(worker)
            self._spares.append(worker)
        else:
            worker.kill()  # no longer needed: a long query ended meanwhile

    def _rebalance(self) -> None:
        """Bring the query readers back to ``size`` (spares first) and start what is missing."""
        if self._closing:
            return
        while self._spares and len(self._workers) - len(self._long) - len(self._spares) < self.size:
            self._idle.put_nowait(self._spares.pop())
        normal = len(self._workers) - len(self._long) - len(self._spares)
        missing = max(0, self.size - normal) + max(0, self.spare_readers - len(self._spares))
        room = self.capacity - len(self._workers)
        for _ in range(min(missing, room) - self._starting):
            self._starting += 1
            self._spawn(self._add_reader())

    async def _add_reader(self) -> None:
        """Start one reader (retrying while the store cannot be opened) and place it."""
        try:
            while True:
                try:
                    worker = await self._start_one()
                    break
                except RuntimeError:
                    await asyncio.sleep(1.0)
        finally:
            self._starting -= 1
        self._place(worker)

    async def close(self) -> None:
        """Kill every reader."""
        self._closing = True
        if self._trim is not None:
            self._trim.cancel()
        for check in self._checks.values():
            check.cancel()
        for task in self._tasks:
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
        await asyncio.gather(*(w.process.wait() for w in self._workers), return_exceptions=True)
        self._workers.clear()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live readers (spares and long-running ones included)."""
        return sorted(w.pid for w in self._workers if w.alive)

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
        in_use = {w.generation for w in self._workers if w.alive}
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

    def release(self, worker: WorkerProcess) -> None:
        self._stop_checking(worker)
        if not worker.alive:
            self.discard(worker)
            return
        if worker in self._long:
            # Its place among the query readers was taken when its query turned long.
            if not restore_priority(worker.pid):
                self.discard(worker)  # retired: an unprivileged server cannot raise it again
                return
            self._long.discard(worker)
            if len(self._workers) - len(self._long) - len(self._spares) > self.size:
                # One reader too many: this one stays a spare (its caches are warm). Extra
                # spares go only once they have sat unused for a while: under a run of
                # scans every query turns long, and starting and retiring a process for
                # each one would cost more CPU than the scans themselves.
                self._spares.append(worker)
                self._trim_spares_later()
                return
        self._idle.put_nowait(worker)
        if self._retired:
            self._remove_unused_snapshots()

    def _trim_spares_later(self) -> None:
        """Retire the spares beyond ``spare_readers`` that stay unused for a while."""
        if self._trim is not None:
            self._trim.cancel()
        self._trim = asyncio.get_running_loop().call_later(_SPARE_IDLE_SECONDS, self._trim_spares)

    def _trim_spares(self) -> None:
        self._trim = None
        while len(self._spares) > self.spare_readers:
            self.discard(self._spares.pop(0))

    def discard(self, worker: WorkerProcess) -> None:
        self._stop_checking(worker)
        if worker not in self._workers:
            return
        self._workers.discard(worker)
        self._long.discard(worker)
        if worker in self._spares:
            self._spares.remove(worker)
        worker.kill()
        self._rebalance()

    def _check_cpu(self, lease: _Lease) -> None:
        """Watch a lease's CPU time, and handle its query once it turns long-running."""
        worker = lease.worker
        loop = asyncio.get_running_loop()
        started_cpu, started = cpu_seconds(worker.pid), loop.time()

        def check() -> None:
            if lease.done or worker not in self._workers:
                return
            now = cpu_seconds(worker.pid)
            if now is None or started_cpu is None:
                used = loop.time() - started  # without /proc, wall time stands in
            else:
                used = now - started_cpu
            if used < self.long_query_cpu:
                # CPU time grows no faster than wall time: no need to look sooner.
                wait = max(0.25, self.long_query_cpu - used)
                self._checks[worker] = loop.call_later(wait, check)
                return
            del self._checks[worker]
            self._turn_long(lease)

        self._checks[worker] = loop.call_later(self.long_query_cpu, check)

    def _stop_checking(self, worker: WorkerProcess) -> None:
        check = self._checks.pop(worker, None)
        if check is not None:
            check.cancel()

    def _turn_long(self, lease: _Lease) -> None:
        """A query used ``long_query_cpu`` s of CPU: lower its priority, give its place away."""
        if len(self._long) >= self.max_long_queries:
            lease.stop(
                f"The {self.what} was stopped after {self.long_query_cpu:g} s of CPU time: "
                f"{len(self._long)} long-running queries were already running, the most this "
                "endpoint runs at once. Try again later."
            )
            return
        lower_priority(lease.worker.pid)
        self._long.add(lease.worker)
        self._rebalance()

    async def refresh(self) -> None:
        """Bring :attr:`source` up to date with the last write, if there is a writer."""
        if self.freshen is not None:
            await self.freshen()

    async def _lease(self) -> _Lease:
        """Lease an idle reader; the time limit counts from now, the wait for one included."""
        await self.refresh()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            try:
                if self._idle.empty():
                    async with asyncio.timeout_at(deadline):
                        worker = await self._idle.get()
                else:
                    worker = self._idle.get_nowait()
            except TimeoutError:
                raise ServiceUnavailableError(
                    f"All {self.size} query workers stayed busy for {self.timeout:g} s; "
                    "try again later."
                ) from None
            if worker.alive:
                worker.generation = self.generation
                lease = _Lease(self, worker, self.timeout, deadline - loop.time())
                self._check_cpu(lease)
                return lease
            self.discard(worker)

    def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        return {**request, "store": str(self.source)}

    async def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a request a reader answers with END alone; return END's content."""
        lease = await self._lease()
        return await lease.exchange(self._request(request))

    async def answer(self, request: dict[str, Any]) -> Answer:
        """Run a query (or graph read) and return its answer.

        Returns once the worker has sent the answer's head and either all of it
        (small answers, in memory) or more than one chunk (a stream), so errors
        found early are still errors and not a broken 200.
        """
        lease = await self._lease()
        try:
            lease.worker.send(wire.json_frame(wire.REQUEST, self._request(request)))
            kind, payload = await lease.frame()
            if kind == wire.ERROR:
                lease.finish()
                raise _error(payload)
            head = json.loads(payload)
            parts: list[bytes] = []
            while len(parts) < 2:
                kind, payload = await lease.frame()
                if kind == wire.DATA:
                    parts.append(payload)
                elif kind == wire.END:
                    lease.finish()
                    return Answer(
                        head["content_type"],
                        head.get("truncated", False),
                        head.get("max_rows"),
                        b"".join(parts),
                    )
                else:
                    lease.finish()
                    raise _error(payload)
        except BaseException:
            lease.abort()
            raise
        return Answer(
            head["content_type"],
            head.get("truncated", False),
            head.get("max_rows"),
            None,
            lease,
            parts,
        )


class Writer(_Owner):
    """The one process that writes to the store; writes run one at a time.

    Readers never open the store the writer writes to: RocksDB may delete a file
    a read-only handle opened earlier still needs. Before a read that follows a
    write, the writer takes a snapshot (a RocksDB checkpoint: hard links, no copy)
    and the readers move to it, so a client always reads its own writes.
    """

    what = "update"
    stopped_note = "; nothing was changed"

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

    def release(self, worker: WorkerProcess) -> None:
        """The writer stays the writer."""

    def discard(self, worker: WorkerProcess) -> None:
        worker.kill()

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
        lease = _Lease(self, self._worker, self.timeout)
        return await lease.exchange({**request, "bodies": len(bodies)}, bodies)
