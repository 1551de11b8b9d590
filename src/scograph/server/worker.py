"""The worker processes: readers that answer queries, and the one writer.

Run as ``python -m scograph.server.worker reader|writer FD STORE [LONG_QUERY_CPU]``,
where FD is the worker's end of a Unix socket pair (see :mod:`scograph.server.wire`).
A reader opens the store read-only, and reopens when the app names a newer snapshot
of it (a read-only open sees the store as of opening); the writer owns the one
writable handle RocksDB allows and takes the snapshots. The app kills a worker
whose request runs over the time limit, so a worker never stops a query itself.

A reader answers several queries at once, each in a thread of its own over one store
handle: concurrent queries share the engine's block cache (scans of the same data run
about a quarter faster than in separate processes) and no process is started per
query. A query that has used ``LONG_QUERY_CPU`` seconds of CPU is reported to the
app, which has its thread alone lowered to the lowest CPU priority (see
:mod:`scograph.server.priority`) when short queries come too, so those keep the CPU.
Every thread has a large stack: the engine recurses once per nesting level of a
query, and 8 MiB overflow near 5,000 levels.

Answers are serialised by pyoxigraph's own serialisers. How the row cap is kept
without ever holding a large answer in memory (the app must know whether an answer
is cut before it sends the HTTP headers):

0. A SELECT asked for as JSON or CSV is first serialised straight in that format and
   held in memory while a byte every row ends with (``}``, a line break) occurs no
   more than ``max_rows`` times: such an answer cannot have been cut, and is sent
   whole. Past that, or past 1 MiB, serialisation stops and the query runs again as
   below: a second run only for large answers, against a round trip through TSV
   saved for every small one. Queries that sort or group (all their work comes
   before their first row) skip this step. (A SELECT whose own final LIMIT is within
   the cap streams at once, uncounted.)
1. The query runs once and its answer is serialised in a format with one line per
   row (SPARQL TSV for solutions, N-Triples for graphs); the lines are counted as
   they come, and serialisation stops one row past ``max_rows`` (the answer is cut).
2. Up to 8 MiB the lines stay in memory: the answer is sent whole, converted by
   pyoxigraph to the format asked for (measured: the round trip costs less than a
   second run of the query would, and nothing for small answers).
3. A larger answer spills to an unnamed temporary file as it is serialised, then is
   streamed from it: as it is when the lines are the format asked for, else parsed
   and serialised again on the way. One run of the query, memory flat; the disk
   holds the answer (at most ``max_rows`` rows) while it is sent.
"""

import errno
import io
import json
import os
import queue
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import pyoxigraph as ox

from scograph.server import wire
from scograph.server.conneg import (
    GRAPH_OFFERS,
    RESULT_OFFERS,
    Offer,
    negotiate,
    offered_media_types,
)
from scograph.server.final_limit import final_limit
from scograph.server.priority import lower_thread_priority, thread_cpu_seconds

_STACK_BYTES = 512 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
# A spilled answer sent as it is goes in larger frames: fewer wake-ups of the app.
_SPILL_READ_BYTES = 256 * 1024
# How large an answer may grow in memory; beyond, one whose rows are counted spills to
# disk, one the row cap cannot cut streams.
_HELD_ANSWER_BYTES = 8 * 1024 * 1024
# How large a SELECT answer serialised straight may grow before it is counted instead
# (which runs the query again): most answers are far smaller, and a larger one wastes
# little serialisation before it is found out.
_STRAIGHT_ANSWER_BYTES = 1024 * 1024
_SYNTAX_ERROR = re.compile(r"^error at (\d+):(\d+): ", re.DOTALL)


class WorkerError(Exception):
    """A request the worker answers with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _EnoughRowsError(Exception):
    pass


class _UnsureError(Exception):
    """An answer serialised straight may hold more rows than the cap: it is counted instead."""


class _NotWantedError(Exception):
    """The app will not read this call's answer: stop producing it."""


class _Reply:
    """One call's answer on its way back to the app: frames tagged with the call's number."""

    def __init__(
        self, channel: wire.FrameSocket, call: int = 0, lower_at_start: bool = False
    ) -> None:
        self.channel = channel
        self.call = call
        self.cancelled = False
        # The app knows the call to be long, and short ones come: lowered from the start.
        self.lower_at_start = lower_at_start

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        self.channel.send(wire.frame(kind, payload, self.call))

    def send_head(self, **head: Any) -> None:
        self.channel.send(wire.json_frame(wire.HEAD, head, self.call))

    def send_end(self, **info: Any) -> None:
        self.channel.send(wire.json_frame(wire.END, info, self.call))

    def send_error(self, status: int, message: str) -> None:
        self.channel.send(
            wire.json_frame(wire.ERROR, {"status": status, "message": message}, self.call)
        )

    def send_data(self, data: bytes) -> None:
        if self.cancelled:
            raise _NotWantedError
        self.send(wire.DATA, data)

    def send_whole(
        self, offer: Offer, body: bytes, truncated: bool = False, max_rows: int | None = None
    ) -> None:
        """Send an answer held in memory complete, in one write (the app wakes up once)."""
        head: dict[str, Any] = {"content_type": offer.content_type, "truncated": truncated}
        if truncated:
            head["max_rows"] = max_rows
        self.channel.send(
            wire.json_frame(wire.HEAD, head, self.call)
            + wire.frame(wire.DATA, body, self.call)
            + wire.frame(wire.END, b"", self.call)
        )


class _CountedLines:
    """A serialiser's one-line-per-row output, counted and kept up to ``limit`` lines.

    The first 8 MiB stay in memory; beyond that the lines go to an unnamed temporary
    file, so a large answer is evaluated once and never held in memory. One line past
    ``limit`` stops the serialiser (:class:`_EnoughRowsError`): the answer is cut.
    """

    def __init__(self, limit: int, reply: _Reply) -> None:
        self.limit = limit
        self._reply = reply
        self.lines = 0
        self.parts: list[bytes] = []
        self.size = 0
        self.spill: BinaryIO | None = None

    def write(self, data: bytes) -> int:
        if self._reply.cancelled:
            raise _NotWantedError
        data = bytes(data)
        count = data.count(b"\n")
        if self.lines + count > self.limit:
            # Keep the lines up to the limit, then stop the serialiser.
            self._keep(data[: _end_of_line(data, self.limit - self.lines)])
            self.lines = self.limit + 1
            raise _EnoughRowsError
        self.lines += count
        self._keep(data)
        return len(data)

    def _keep(self, data: bytes) -> None:
        if self.spill is not None:
            self.spill.write(data)
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size > _HELD_ANSWER_BYTES:
            # Closed by the answer that reads it (or on failure), not in this method.
            self.spill = tempfile.TemporaryFile(prefix="scograph-answer-")  # noqa: SIM115
            self.spill.writelines(self.parts)
            self.parts = []

    def kept(self) -> bytes:
        """The lines kept in memory (when nothing was spilled)."""
        return b"".join(self.parts)

    def flush(self) -> None:
        """Nothing to flush: the lines are read when serialisation ends."""

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()


def _end_of_line(data: bytes, lines: int) -> int:
    """The offset just after the ``lines``-th newline of ``data`` (0 for none)."""
    end = 0
    for _ in range(lines):
        end = data.index(b"\n", end) + 1
    return end


class _MarkedRows:
    """A serialiser's output in the format asked for, held while it surely fits the row cap.

    In SPARQL JSON every row ends with ``}`` and in CSV with a line break, so the count
    of that byte is never below the count of rows (strings and headers only add to
    it). While it stays within the cap, the answer cannot have been cut; past it, or
    past 1 MiB, :class:`_UnsureError` stops the serialiser.
    """

    def __init__(self, limit: int, mark: bytes, reply: _Reply) -> None:
        self._limit = limit
        self._mark = mark
        self._reply = reply
        self._marks = 0
        self._size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        if self._reply.cancelled:
            raise _NotWantedError
        data = bytes(data)
        self._marks += data.count(self._mark)
        self._size += len(data)
        if self._marks > self._limit or self._size > _STRAIGHT_ANSWER_BYTES:
            raise _UnsureError
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts are sent when serialisation ends."""


# Bytes of which a SELECT answer in these formats has at least one per row.
_ROW_MARKS: Final = {"JSON": b"}", "CSV": b"\n"}
# Matched in the upper-cased text. A sort or a grouping does all its work before the
# first row: a second run, after an unsure straight try, would repeat all of it.
_SORTS_OR_GROUPS = re.compile(r"\b(?:ORDER|GROUP)\b")
_AGGREGATE = re.compile(r"\b(?:COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b")
_SELECT = re.compile(r"\bSELECT\b")


def _worth_a_straight_try(query: str) -> bool:
    """Whether a query's answer is tried straight in the format asked for (see
    :meth:`Reader._answer_small`) rather than counted line by line from the start.

    An aggregate without GROUP BY in a query's only SELECT gives one row, so the try
    cannot come out unsure; in a subquery, it too does all its work first, and the
    answer it is joined into may be large.
    """
    # Plain substring tests first, the word-bound searches only when they find something:
    # those took 40 µs on the two-hop join of ``benchmarks/``, 4% of its reader's CPU.
    upper = query.upper()
    if ("ORDER" in upper or "GROUP" in upper) and _SORTS_OR_GROUPS.search(upper):
        return False
    if upper.count("SELECT") == 1:
        return True  # the query's one SELECT keyword, so no subquery
    return _AGGREGATE.search(upper) is None or len(_SELECT.findall(upper)) == 1


class _Stream:
    """A serialiser's output sent to the app as DATA frames of about 64 KiB."""

    def __init__(self, reply: _Reply) -> None:
        self._reply = reply
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._reply.send_data(bytes(self._buffer))
            self._buffer.clear()


class _HeldThenStreamed:
    """A serialiser's output held in memory, then streamed once it outgrows memory.

    For answers the row cap cannot cut: their head need not wait for their end, so
    a large one reaches the client while the engine is still making it, and a small
    one is still sent whole (one write, and the app may keep it in its cache).
    """

    def __init__(self, reply: _Reply, offer: Offer) -> None:
        self._reply = reply
        self._offer = offer
        self._held: list[bytes] = []
        self._size = 0
        self._stream: _Stream | None = None

    def write(self, data: bytes) -> int:
        if self._stream is not None:
            return self._stream.write(data)
        if self._reply.cancelled:
            raise _NotWantedError
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size > _HELD_ANSWER_BYTES:
            self._reply.send_head(content_type=self._offer.content_type, truncated=False)
            self._stream = _Stream(self._reply)
            # Sent and let go part by part: the held answer is never copied whole.
            held, self._held = self._held[::-1], []
            while held:
                self._stream.write(held.pop())
        return len(data)

    def flush(self) -> None:
        """Nothing to flush before the end: :meth:`finish` sends what is left."""

    def finish(self) -> None:
        """Send what is held: the whole answer, or the end of the stream."""
        if self._stream is None:
            self._reply.send_whole(self._offer, b"".join(self._held))
            return
        self._stream.flush()
        self._reply.send_end()


def _reserialise(lines: bytes, graph: bool, fmt: Any) -> bytes:
    """Return an answer held as N-Triples (graph) or SPARQL TSV, serialised in ``fmt``."""
    output = io.BytesIO()
    if graph:
        ox.serialize(ox.parse(lines, ox.RdfFormat.N_TRIPLES), output, fmt)
    else:
        ox.parse_query_results(lines, ox.QueryResultsFormat.TSV).serialize(output, fmt)
    return output.getvalue()


def _syntax_failure(error: SyntaxError) -> WorkerError:
    message = str(error)
    found = _SYNTAX_ERROR.match(message)
    if found:
        line, column = found.groups()
        message = f"Syntax error at line {line}, column {column}: {message[found.end() :]}"
    elif error.lineno:
        message = f"Syntax error at line {error.lineno}, column {error.offset}: {error.msg}"
    return WorkerError(400, message)


def _evaluation_failure(error: Exception, federated: bool) -> WorkerError:
    if isinstance(error, SyntaxError):
        return _syntax_failure(error)
    if isinstance(error, OSError):
        if federated:
            return WorkerError(502, f"A SERVICE call failed: {error}")
        return WorkerError(500, f"The store could not be read: {error}")
    return WorkerError(400, f"The request could not be evaluated: {error}")


def _format(offer: Offer) -> ox.RdfFormat | ox.QueryResultsFormat:
    if offer in RESULT_OFFERS:
        return getattr(ox.QueryResultsFormat, offer.format)
    return getattr(ox.RdfFormat, offer.format)


def _named_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise WorkerError(400, f"Invalid graph IRI <{iri}>: {error}") from error


@dataclass
class _Running:
    """A call a reader is answering, in the thread that answers it."""

    reply: _Reply
    ident: int
    native_id: int
    started: float
    cpu_at_start: float | None
    long: bool = False
    lowered: bool = False


class _Calls:
    """The calls a reader is answering, watched for the ones that turn long-running.

    A watcher thread reads each call's thread CPU time once the call could have used
    ``long_cpu`` seconds of it (CPU time grows no faster than wall time, so short calls
    are never looked at). A call past that is reported to the app with a LONG frame;
    the app answers with LOWER when short queries need the CPU it uses.
    """

    def __init__(self, channel: wire.FrameSocket, long_cpu: float) -> None:
        self._channel = channel
        self._long_cpu = long_cpu
        self._lock = threading.Lock()
        self._running: dict[int, _Running] = {}
        self._wake = threading.Event()
        self._idle_watcher = False
        threading.Thread(target=self._watch, name="scograph-long-queries", daemon=True).start()

    def started(self, reply: _Reply) -> None:
        """The current thread starts answering ``reply``'s call."""
        thread = threading.current_thread()
        assert thread.ident is not None and thread.native_id is not None
        running = _Running(
            reply,
            thread.ident,
            thread.native_id,
            time.monotonic(),
            thread_cpu_seconds(thread.ident),
        )
        with self._lock:
            self._running[reply.call] = running
            wake = self._idle_watcher
            self._idle_watcher = False
        if wake:
            self._wake.set()
        if reply.lower_at_start:
            self.lower(reply.call)

    def finished(self, call: int) -> bool:
        """The call is answered; True if its thread was given the lowest priority."""
        with self._lock:
            return self._running.pop(call).lowered

    def lower(self, call: int) -> None:
        """Give the call's thread the lowest CPU priority (for good: see ``priority``)."""
        with self._lock:
            running = self._running.get(call)
            if running is not None and not running.lowered:
                running.lowered = True
                lower_thread_priority(running.native_id)

    def cancel(self, call: int) -> None:
        """The app will not read the call's answer: it stops at its next write, if any."""
        with self._lock:
            running = self._running.get(call)
            if running is not None:
                running.reply.cancelled = True

    def _watch(self) -> None:
        while True:
            turned_long, wait = self._look()
            for call in turned_long:
                self._channel.send(wire.frame(wire.LONG, b"", call))
            self._wake.wait(wait)
            self._wake.clear()

    def _look(self) -> tuple[list[int], float | None]:
        """The calls that turned long since last time; and when to look again (None: idle)."""
        turned_long = []
        wait: float | None = None
        now = time.monotonic()
        with self._lock:
            for call, running in self._running.items():
                if running.long:
                    continue
                due = running.started + self._long_cpu
                if now < due:
                    wait = min(wait or due - now, due - now)
                    continue
                cpu = thread_cpu_seconds(running.ident)
                if cpu is None or running.cpu_at_start is None:
                    used = now - running.started  # without a thread clock, wall time stands in
                else:
                    used = cpu - running.cpu_at_start
                if used < self._long_cpu:
                    pause = max(0.05, self._long_cpu - used)
                    wait = min(wait or pause, pause)
                    continue
                running.long = True
                turned_long.append(call)
            self._idle_watcher = wait is None
        return turned_long, wait


class _Threads:
    """Threads that answer calls, each with a large stack; started as calls need them.

    A thread whose call was given the lowest priority keeps it, so it ends with that
    call; the others wait for the next one.
    """

    def __init__(self, run: Callable[[int, dict[str, Any]], bool]) -> None:
        self._run = run
        self._jobs: queue.SimpleQueue[tuple[int, dict[str, Any]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._queued = 0

    def submit(self, call: int, request: dict[str, Any]) -> None:
        with self._lock:
            self._queued += 1
            start = self._queued > self._waiting
        self._jobs.put((call, request))
        if start:
            threading.Thread(target=self._serve, name="scograph-query", daemon=True).start()

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._waiting += 1
            call, request = self._jobs.get()
            with self._lock:
                self._waiting -= 1
                self._queued -= 1
            if self._run(call, request):
                return


class Reader:
    """Answers queries and Graph Store reads from a read-only store, several at once.

    Each call runs in a thread of its own over one store handle, so concurrent
    queries share the engine's caches. The app kills the whole process when a call
    runs over its time limit, and runs again elsewhere the other calls that had not
    answered yet.
    """

    def __init__(self, channel: wire.FrameSocket, path: str, long_cpu: float) -> None:
        self.channel = channel
        self.path = path
        self.store = ox.Store.read_only(path)
        self._opening = threading.Lock()
        # Parsing with rdflib (``check``) is not thread-safe: one at a time.
        self._parsing = threading.Lock()
        self._calls = _Calls(channel, long_cpu)
        self._threads = _Threads(self._answer)

    def serve(self) -> None:
        """Take requests (and cancellations) until the app closes the socket."""
        while (received := self.channel.receive()) is not None:
            kind, call, payload = received
            if kind == wire.REQUEST:
                self._threads.submit(call, json.loads(payload))
            elif kind == wire.LOWER:
                self._calls.lower(call)
            elif kind == wire.CANCEL:
                self._calls.cancel(call)

    def _answer(self, call: int, request: dict[str, Any]) -> bool:
        """Answer one call; True if its thread was lowered (and must end)."""
        reply = _Reply(self.channel, call, lower_at_start=bool(request.get("lower")))
        self._calls.started(reply)
        try:
            self.handle(request, reply)
        except _NotWantedError:
            reply.send_error(499, "The answer was not wanted any more.")
        except WorkerError as failure:
            reply.send_error(failure.status, failure.message)
        except Exception as error:  # a bug: report it, keep serving
            reply.send_error(500, f"Internal error: {type(error).__name__}: {error}")
        return self._calls.finished(call)

    def _store(self, path: str) -> ox.Store:
        """The store handle for ``path``: a newer snapshot is opened once, for every thread."""
        with self._opening:
            if path != self.path:
                # The app moves readers to a newer snapshot after writes.
                self.store = ox.Store.read_only(path)
                self.path = path
            return self.store

    def handle(self, request: dict[str, Any], reply: _Reply) -> None:
        store = self._store(request.get("store", self.path))
        operation = request["op"]
        if operation == "query":
            self.query(store, request, reply)
        elif operation == "graph":
            self.graph(store, request, reply)
        elif operation == "graphs":
            graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
            reply.send_end(graphs=sorted(graphs))
        elif operation == "check":
            with self._parsing:
                _check_syntax(request)
            reply.send_end()
        else:
            raise WorkerError(400, f"unknown operation {operation!r}")

    def _execute(self, store: ox.Store, request: dict[str, Any]) -> Any:
        options: dict[str, Any] = {"base_iri": request.get("base")}
        if request.get("default_graphs") is not None or request.get("named_graphs") is not None:
            options["default_graph"] = [_named_node(g) for g in request.get("default_graphs") or []]
            options["named_graphs"] = [_named_node(g) for g in request.get("named_graphs") or []]
        elif request.get("union"):
            options["use_default_graph_as_union"] = True
        try:
            return store.query(request["query"], **options)
        except SyntaxError as error:
            raise _syntax_failure(error) from error
        except (ValueError, OSError) as error:
            raise _evaluation_failure(error, request.get("federated", False)) from error
        except RuntimeError as error:
            # The query calls a function the engine does not have
            # (``<http://example.org/f>(?x)``): valid syntax the endpoint cannot carry
            # out, so 422, not a 500 (and not 400, which would call the syntax wrong).
            raise WorkerError(422, f"The query cannot be evaluated: {error}") from error

    def query(self, store: ox.Store, request: dict[str, Any], reply: _Reply) -> None:
        results = self._execute(store, request)
        offers = GRAPH_OFFERS if isinstance(results, ox.QueryTriples) else RESULT_OFFERS
        offer = negotiate(request.get("accept"), offers)
        if offer is None:
            raise WorkerError(
                406,
                "No acceptable format; this answer is offered as " + offered_media_types(offers),
            )
        fmt = _format(offer)
        if isinstance(results, ox.QueryBoolean):
            reply.send_whole(offer, results.serialize(format=fmt))
            return
        if isinstance(results, ox.QuerySolutions):
            # Read here, not in the app: its one thread is every request's path.
            limit = final_limit(request["query"])
            if limit is not None and limit <= request["max_rows"]:
                # The query's own LIMIT keeps it within the cap: nothing to count or cut.
                self._answer_uncut(request, reply, results, offer, fmt)
                return
            mark = _ROW_MARKS.get(offer.format)
            # A federated query is never tried twice: its SERVICE calls would be made again.
            if (
                mark is not None
                and not request.get("federated")
                and _worth_a_straight_try(request["query"])
            ):
                if self._answer_small(request, reply, results, offer, fmt, mark):
                    return
                results = self._execute(store, request)
        self._answer_counted(request, reply, results, offer, fmt, request["max_rows"])

    def _answer_small(
        self,
        request: dict[str, Any],
        reply: _Reply,
        results: Any,
        offer: Offer,
        fmt: Any,
        mark: bytes,
    ) -> bool:
        """Send an answer serialised straight in the format asked for, if it surely fits
        the row cap and memory; False when unsure (the query must run again, counted).

        Most answers are small: this spares them the round trip through one line per
        row (measured on a 30-row join: 12% of the reader's CPU, 16% more answers a second).
        """
        sink = _MarkedRows(request["max_rows"], mark, reply)
        try:
            results.serialize(sink, fmt)
        except _UnsureError:
            return False
        except _NotWantedError:
            raise
        except Exception as error:
            raise _evaluation_failure(error, request.get("federated", False)) from error
        reply.send_whole(offer, b"".join(sink.parts))
        return True

    def _answer_uncut(
        self, request: dict[str, Any], reply: _Reply, results: Any, offer: Offer, fmt: Any
    ) -> None:
        """Serialise straight into the format asked for; a large answer streams as it comes."""
        sink = _HeldThenStreamed(reply, offer)
        try:
            results.serialize(sink, fmt)
        except _NotWantedError:
            raise
        except Exception as error:
            raise _evaluation_failure(error, request.get("federated", False)) from error
        sink.finish()

    def _answer_counted(
        self,
        request: dict[str, Any],
        reply: _Reply,
        results: Any,
        offer: Offer,
        fmt: Any,
        max_rows: int,
    ) -> None:
        """The row cap: one line per row, counted and cut, in memory or (if large) on disk."""
        graph = isinstance(results, ox.QueryTriples)
        lines_format = ox.RdfFormat.N_TRIPLES if graph else ox.QueryResultsFormat.TSV
        header = 0 if graph else 1
        sink = _CountedLines(header + max_rows, reply)
        try:
            results.serialize(sink, lines_format)
        except _EnoughRowsError:
            pass  # one row past the cap: the answer is cut, the rest is not needed
        except Exception as error:
            sink.close()
            raise _evaluation_failure(error, request.get("federated", False)) from error
        truncated = sink.lines > header + max_rows
        if sink.spill is None:
            lines = sink.kept()
            if fmt != lines_format:
                lines = _reserialise(lines, graph, fmt)
            reply.send_whole(offer, lines, truncated=truncated, max_rows=max_rows)
            return
        self._stream_spilled(
            reply, sink.spill, offer, graph, fmt, fmt == lines_format, truncated, max_rows
        )

    def _stream_spilled(
        self,
        reply: _Reply,
        spill: BinaryIO,
        offer: Offer,
        graph: bool,
        fmt: Any,
        as_is: bool,
        truncated: bool,
        max_rows: int,
    ) -> None:
        """Send a large answer held on disk as lines, as it is or converted while it is read."""
        with spill:
            spill.seek(0)
            reply.send_head(content_type=offer.content_type, truncated=truncated, max_rows=max_rows)
            stream = _Stream(reply)
            if as_is:
                while chunk := spill.read(_SPILL_READ_BYTES):
                    reply.send_data(chunk)
            elif graph:
                ox.serialize(ox.parse(spill, ox.RdfFormat.N_TRIPLES), stream, fmt)
            else:
                ox.parse_query_results(spill, ox.QueryResultsFormat.TSV).serialize(stream, fmt)
            stream.flush()
        reply.send_end()

    def graph(self, store: ox.Store, request: dict[str, Any], reply: _Reply) -> None:
        iri = request.get("graph")
        graph = _named_node(iri) if iri is not None else ox.DefaultGraph()
        if iri is not None and not store.contains_named_graph(graph):
            raise WorkerError(404, f"There is no graph <{iri}> in the store.")
        offer = negotiate(request.get("accept"), GRAPH_OFFERS)
        if offer is None:
            raise WorkerError(
                406,
                "No acceptable format; graphs are offered as " + offered_media_types(GRAPH_OFFERS),
            )
        reply.send_head(content_type=offer.content_type, truncated=False)
        if request.get("head"):
            reply.send_end()
            return
        fmt = _format(offer)
        stream = _Stream(reply)
        if iri is None and request.get("union"):
            triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            triples.serialize(stream, fmt)
        else:
            store.dump(stream, fmt, from_graph=graph)
        stream.flush()
        reply.send_end()


def _check_syntax(request: dict[str, Any]) -> None:
    """Parse without evaluating (rdflib's parser: pyoxigraph cannot parse without running).

    Used only for requests refused anyway, to tell a syntax error (400) from a
    refusal (403) without letting the engine contact anything.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    parse = parseUpdate if request.get("update") else parseQuery
    try:
        parse(request["text"])
    except ParseException as error:
        raise WorkerError(
            400,
            f"Syntax error at line {error.lineno}, column {error.col}: {error.msg}",
        ) from error
    except RecursionError:
        # rdflib's parser recurses deeply on a few nested groups (a SERVICE inside a
        # SERVICE): that says nothing about the syntax, so the refusal (403) stands.
        pass
    except Exception as error:
        raise WorkerError(400, f"Syntax error: {error}") from error


def _store_failure(error: OSError, writing: bool = True) -> WorkerError:
    """The status for a store that failed to write: 507 when its disk is full, else 503."""
    outcome = "; the write was not made, nothing was changed" if writing else ""
    if os.strerror(errno.ENOSPC) in str(error):
        return WorkerError(507, f"The store's disk is full{outcome}: {error}")
    return WorkerError(503, f"The store could not be written{outcome}: {error}")


def _is_store_failure(error: OSError) -> bool:
    # RocksDB's own errors (a full disk, a read-only file system), not a SERVICE call's.
    return str(error).startswith("IO error")


class Writer:
    """Applies updates and Graph Store writes, each in one transaction.

    After the store fails to write (a full disk), RocksDB refuses every later
    write until the store is reopened; reopening replays its log without the
    failed transaction. So the handle is dropped, and reopened by the next request.
    """

    def __init__(self, channel: wire.FrameSocket, path: str) -> None:
        self.channel = channel
        self.path = path
        self._reply = _Reply(channel)
        self._store: ox.Store | None = ox.Store(path)

    @property
    def store(self) -> ox.Store:
        """The writable store, reopened if an earlier write failed in the store."""
        if self._store is None:
            self._store = ox.Store(self.path)  # an OSError is reported by handle()
        return self._store

    def handle(self, request: dict[str, Any], bodies: list[bytes]) -> None:
        try:
            self._handle(request, bodies)
        except OSError as error:
            if not _is_store_failure(error):
                raise
            self._store = None
            raise _store_failure(error, writing=request["op"] != "snapshot") from error

    def _handle(self, request: dict[str, Any], bodies: list[bytes]) -> None:
        operation = request["op"]
        if operation == "update":
            self._update(request["update"], request.get("base"))
            self._reply.send_end()
        elif operation in ("put", "post"):
            self.load(request, bodies)
        elif operation == "delete":
            self.delete(request)
        elif operation == "snapshot":
            self.store.backup(request["path"])
            self._reply.send_end()
        else:
            raise WorkerError(400, f"unknown operation {operation!r}")

    def _update(self, text: str, base: str | None = None) -> None:
        try:
            self.store.update(text, base_iri=base)
        except SyntaxError as error:
            raise _syntax_failure(error) from error
        except RuntimeError as error:
            # The update conflicts with the store (DROP of a missing graph, CREATE of an
            # existing one): a 409, not a 500, since nothing went wrong in the server.
            # A function the engine does not have: 422, as for a query.
            status = 422 if "is not supported" in str(error) else 409
            raise WorkerError(status, f"The update failed, nothing was changed: {error}") from error
        except ValueError as error:
            raise WorkerError(400, f"The update failed, nothing was changed: {error}") from error
        except OSError as error:
            if _is_store_failure(error):
                raise
            raise WorkerError(502, f"The update failed, nothing was changed: {error}") from error

    def load(self, request: dict[str, Any], bodies: list[bytes]) -> None:
        """PUT (replace) or POST (merge) RDF into a graph, in one update."""
        iri = request.get("graph")
        graph = _named_node(iri) if iri is not None else None
        triples: list[ox.Triple] = []
        for media_type, body in zip(request["media_types"], bodies, strict=True):
            fmt = ox.RdfFormat.from_media_type(media_type)
            if fmt is None:
                raise WorkerError(415, f"Cannot read RDF sent as {media_type}.")
            try:
                quads = ox.parse(
                    body, fmt, base_iri=iri or request.get("base"), without_named_graphs=True
                )
                triples.extend(quad.triple for quad in quads)
            except SyntaxError as error:
                raise _syntax_failure(error) from error
            except ValueError as error:
                raise WorkerError(400, f"The data could not be read: {error}") from error
        existed = graph is None or self.store.contains_named_graph(graph)
        target = f"<{iri}>" if iri is not None else "DEFAULT"
        operations = []
        if request["op"] == "put":
            operations.append(f"DROP SILENT {'GRAPH ' if iri else ''}{target}")
        if iri is not None:
            operations.append(f"CREATE SILENT GRAPH {target}")
        if triples:
            data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
            if iri is not None:
                data = f"GRAPH {target} {{\n{data}}}"
            operations.append(f"INSERT DATA {{\n{data}}}")
        self._update(" ;\n".join(operations))
        self._reply.send_end(created=not existed)

    def delete(self, request: dict[str, Any]) -> None:
        iri = request.get("graph")
        if iri is None:
            self._update("DROP DEFAULT")
        else:
            if not self.store.contains_named_graph(_named_node(iri)):
                raise WorkerError(404, f"There is no graph <{iri}> in the store.")
            self._update(f"DROP GRAPH <{iri}>")
        self._reply.send_end()


def serve_writes(writer: Writer) -> None:
    """Apply writes one at a time until the app closes the socket."""
    channel = writer.channel
    while (received := channel.receive()) is not None:
        request = json.loads(received[2])
        bodies = []
        for _ in range(request.get("bodies", 0)):
            body = channel.receive()
            if body is None:
                return
            bodies.append(body[2])
        try:
            writer.handle(request, bodies)
        except WorkerError as failure:
            writer._reply.send_error(failure.status, failure.message)
        except Exception as error:  # a bug: report it, keep serving
            writer._reply.send_error(500, f"Internal error: {type(error).__name__}: {error}")


def main(argv: list[str]) -> None:
    """Entry point of a worker process: ``reader|writer FD STORE [LONG_QUERY_CPU]``."""
    role, fd, path, *options = argv
    channel = wire.FrameSocket(socket.socket(fileno=int(fd)))
    # Set before any thread starts: every thread that runs a request gets the large stack.
    threading.stack_size(_STACK_BYTES)
    if role == "reader":
        reader = Reader(channel, path, float(options[0]) if options else 0.25)
        channel.send(wire.json_frame(wire.END, {"ready": True}))
        reader.serve()
        return
    writer = Writer(channel, path)
    channel.send(wire.json_frame(wire.END, {"ready": True}))
    thread = threading.Thread(target=serve_writes, args=(writer,), name="scograph-writer")
    thread.start()
    thread.join()


if __name__ == "__main__":
    main(sys.argv[1:])
