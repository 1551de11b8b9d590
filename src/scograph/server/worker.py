"""The worker processes: readers that answer queries, and the one writer.

Run as ``python -m scograph.server.worker reader|writer FD STORE``, where FD is
the worker's end of a Unix socket pair (see :mod:`scograph.server.wire`). A
reader opens the store read-only, and reopens when the app names a newer snapshot
of it (a read-only open sees the store as of opening); the writer owns the one
writable handle RocksDB allows and takes the snapshots. The app kills a worker
whose request runs over the time limit, so a worker never cancels anything itself.

Work runs in a thread with a large stack: the engine recurses once per nesting
level of a query, and the main thread's 8 MiB overflow near 5,000 levels.

Answers are serialised by pyoxigraph's own serialisers. How the row cap is kept
with one run of the query, and without ever holding a large answer in memory (the
app must know whether an answer is cut before it sends the HTTP headers):

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
import re
import socket
import sys
import tempfile
import threading
from typing import Any, BinaryIO

import pyoxigraph as ox

from scograph.server import wire
from scograph.server.conneg import (
    GRAPH_OFFERS,
    RESULT_OFFERS,
    Offer,
    negotiate,
    offered_media_types,
)

_STACK_BYTES = 512 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
# A spilled answer sent as it is goes in larger frames: fewer wake-ups of the app.
_SPILL_READ_BYTES = 256 * 1024
# How large an answer may grow in memory while its rows are counted; beyond, it spills to disk.
_COUNTED_ANSWER_BYTES = 8 * 1024 * 1024
_SYNTAX_ERROR = re.compile(r"^error at (\d+):(\d+): ", re.DOTALL)


class WorkerError(Exception):
    """A request the worker answers with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _EnoughRowsError(Exception):
    pass


class _CountedLines:
    """A serialiser's one-line-per-row output, counted and kept up to ``limit`` lines.

    The first 8 MiB stay in memory; beyond that the lines go to an unnamed temporary
    file, so a large answer is evaluated once and never held in memory. One line past
    ``limit`` stops the serialiser (:class:`_EnoughRowsError`): the answer is cut.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.parts: list[bytes] = []
        self.size = 0
        self.spill: BinaryIO | None = None

    def write(self, data: bytes) -> int:
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
        if self.size > _COUNTED_ANSWER_BYTES:
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


class _Stream:
    """A serialiser's output sent to the app as DATA frames of about 64 KiB."""

    def __init__(self, channel: wire.FrameSocket) -> None:
        self._channel = channel
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._channel.send(wire.frame(wire.DATA, bytes(self._buffer)))
            self._buffer.clear()


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


class _Worker:
    def __init__(self, channel: wire.FrameSocket, path: str) -> None:
        self.channel = channel
        self.path = path

    def send_head(self, **head: Any) -> None:
        self.channel.send(wire.json_frame(wire.HEAD, head))

    def send_end(self, **info: Any) -> None:
        self.channel.send(wire.json_frame(wire.END, info))

    def send_whole(
        self, offer: Offer, body: bytes, truncated: bool = False, max_rows: int | None = None
    ) -> None:
        """Send an answer held in memory complete, in one write (the app wakes up once)."""
        head: dict[str, Any] = {"content_type": offer.content_type, "truncated": truncated}
        if truncated:
            head["max_rows"] = max_rows
        self.channel.send(
            wire.json_frame(wire.HEAD, head) + wire.frame(wire.DATA, body) + wire.frame(wire.END)
        )

    def handle(self, request: dict[str, Any], bodies: list[bytes]) -> None:
        raise NotImplementedError


class Reader(_Worker):
    """Answers queries and Graph Store reads from a read-only store."""

    def __init__(self, channel: wire.FrameSocket, path: str) -> None:
        super().__init__(channel, path)
        self.store = ox.Store.read_only(path)

    def handle(self, request: dict[str, Any], bodies: list[bytes]) -> None:
        path = request.get("store", self.path)
        if path != self.path:
            # A newer snapshot of the store (the app moves readers to it after writes).
            self.store = ox.Store.read_only(path)
            self.path = path
        operation = request["op"]
        if operation == "query":
            self.query(request)
        elif operation == "graph":
            self.graph(request)
        elif operation == "graphs":
            graphs = [g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]
            self.send_end(graphs=sorted(graphs))
        elif operation == "check":
            self.check(request)
        else:
            raise WorkerError(400, f"unknown operation {operation!r}")

    def _execute(self, request: dict[str, Any]) -> Any:
        options: dict[str, Any] = {"base_iri": request.get("base")}
        if request.get("default_graphs") is not None or request.get("named_graphs") is not None:
            options["default_graph"] = [_named_node(g) for g in request.get("default_graphs") or []]
            options["named_graphs"] = [_named_node(g) for g in request.get("named_graphs") or []]
        elif request.get("union"):
            options["use_default_graph_as_union"] = True
        try:
            return self.store.query(request["query"], **options)
        except SyntaxError as error:
            raise _syntax_failure(error) from error
        except (ValueError, OSError) as error:
            raise _evaluation_failure(error, request.get("federated", False)) from error
        except RuntimeError as error:
            # The query calls a function the engine does not have
            # (``<http://example.org/f>(?x)``): valid syntax the endpoint cannot carry
            # out, so 422, not a 500 (and not 400, which would call the syntax wrong).
            raise WorkerError(422, f"The query cannot be evaluated: {error}") from error

    def query(self, request: dict[str, Any]) -> None:
        results = self._execute(request)
        offers = GRAPH_OFFERS if isinstance(results, ox.QueryTriples) else RESULT_OFFERS
        offer = negotiate(request.get("accept"), offers)
        if offer is None:
            raise WorkerError(
                406,
                "No acceptable format; this answer is offered as " + offered_media_types(offers),
            )
        fmt = _format(offer)
        if isinstance(results, ox.QueryBoolean):
            self.send_whole(offer, results.serialize(format=fmt))
            return
        self._answer_counted(request, results, offer, fmt, request["max_rows"])

    def _answer_counted(
        self, request: dict[str, Any], results: Any, offer: Offer, fmt: Any, max_rows: int
    ) -> None:
        """The row cap: one line per row, counted and cut, in memory or (if large) on disk."""
        graph = isinstance(results, ox.QueryTriples)
        lines_format = ox.RdfFormat.N_TRIPLES if graph else ox.QueryResultsFormat.TSV
        header = 0 if graph else 1
        sink = _CountedLines(header + max_rows)
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
            self.send_whole(offer, lines, truncated=truncated, max_rows=max_rows)
            return
        self._stream_spilled(
            sink.spill, offer, graph, fmt, fmt == lines_format, truncated, max_rows
        )

    def _stream_spilled(
        self,
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
            self.send_head(content_type=offer.content_type, truncated=truncated, max_rows=max_rows)
            stream = _Stream(self.channel)
            if as_is:
                while chunk := spill.read(_SPILL_READ_BYTES):
                    self.channel.send(wire.frame(wire.DATA, chunk))
            elif graph:
                ox.serialize(ox.parse(spill, ox.RdfFormat.N_TRIPLES), stream, fmt)
            else:
                ox.parse_query_results(spill, ox.QueryResultsFormat.TSV).serialize(stream, fmt)
            stream.flush()
        self.send_end()

    def graph(self, request: dict[str, Any]) -> None:
        iri = request.get("graph")
        graph = _named_node(iri) if iri is not None else ox.DefaultGraph()
        if iri is not None and not self.store.contains_named_graph(graph):
            raise WorkerError(404, f"There is no graph <{iri}> in the store.")
        offer = negotiate(request.get("accept"), GRAPH_OFFERS)
        if offer is None:
            raise WorkerError(
                406,
                "No acceptable format; graphs are offered as " + offered_media_types(GRAPH_OFFERS),
            )
        self.send_head(content_type=offer.content_type, truncated=False)
        if request.get("head"):
            self.send_end()
            return
        fmt = _format(offer)
        stream = _Stream(self.channel)
        if iri is None and request.get("union"):
            triples = self.store.query(
                "CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True
            )
            triples.serialize(stream, fmt)
        else:
            self.store.dump(stream, fmt, from_graph=graph)
        stream.flush()
        self.send_end()

    def check(self, request: dict[str, Any]) -> None:
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
        self.send_end()


def _store_failure(error: OSError, writing: bool = True) -> WorkerError:
    """The status for a store that failed to write: 507 when its disk is full, else 503."""
    outcome = "; the write was not made, nothing was changed" if writing else ""
    if os.strerror(errno.ENOSPC) in str(error):
        return WorkerError(507, f"The store's disk is full{outcome}: {error}")
    return WorkerError(503, f"The store could not be written{outcome}: {error}")


def _is_store_failure(error: OSError) -> bool:
    # RocksDB's own errors (a full disk, a read-only file system), not a SERVICE call's.
    return str(error).startswith("IO error")


class Writer(_Worker):
    """Applies updates and Graph Store writes, each in one transaction.

    After the store fails to write (a full disk), RocksDB refuses every later
    write until the store is reopened; reopening replays its log without the
    failed transaction. So the handle is dropped, and reopened by the next request.
    """

    def __init__(self, channel: wire.FrameSocket, path: str) -> None:
        super().__init__(channel, path)
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
            self.send_end()
        elif operation in ("put", "post"):
            self.load(request, bodies)
        elif operation == "delete":
            self.delete(request)
        elif operation == "snapshot":
            self.store.backup(request["path"])
            self.send_end()
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
        self.send_end(created=not existed)

    def delete(self, request: dict[str, Any]) -> None:
        iri = request.get("graph")
        if iri is None:
            self._update("DROP DEFAULT")
        else:
            if not self.store.contains_named_graph(_named_node(iri)):
                raise WorkerError(404, f"There is no graph <{iri}> in the store.")
            self._update(f"DROP GRAPH <{iri}>")
        self.send_end()


def serve(worker: _Worker) -> None:
    """Answer requests until the app closes the socket."""
    channel = worker.channel
    while (received := channel.receive()) is not None:
        _, payload = received
        request = json.loads(payload)
        bodies = []
        for _ in range(request.get("bodies", 0)):
            body = channel.receive()
            if body is None:
                return
            bodies.append(body[1])
        try:
            worker.handle(request, bodies)
        except WorkerError as failure:
            channel.send(
                wire.json_frame(wire.ERROR, {"status": failure.status, "message": failure.message})
            )
        except Exception as error:  # a bug: report it, keep serving
            channel.send(
                wire.json_frame(
                    wire.ERROR,
                    {"status": 500, "message": f"Internal error: {type(error).__name__}: {error}"},
                )
            )


def main(argv: list[str]) -> None:
    """Entry point of a worker process."""
    role, fd, path = argv
    channel = wire.FrameSocket(socket.socket(fileno=int(fd)))
    worker: _Worker = Reader(channel, path) if role == "reader" else Writer(channel, path)
    channel.send(wire.json_frame(wire.END, {"ready": True}))
    threading.stack_size(_STACK_BYTES)
    thread = threading.Thread(target=serve, args=(worker,), name=f"scograph-{role}")
    thread.start()
    thread.join()


if __name__ == "__main__":
    main(sys.argv[1:])
