"""Serving a file from disk: sendfile, ranges, HEAD, and validators with 304 answers.

Starlette's ``FileResponse`` sends the file (zero-copy where the server can) and
answers ``Range`` (206, 416) and ``HEAD``; this adds a strong, content-based ETag
(the file's SHA-256, so re-writing identical bytes keeps it) and the 304 answers
to ``If-None-Match`` / ``If-Modified-Since``.
"""

import functools
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from fastapi import Request, Response
from starlette.responses import FileResponse

from scograph.publish.checksums import sha256_file

# Compressed dumps are served as what they are on disk. With "Content-Encoding:
# gzip" instead, browsers and HTTP libraries would unpack them on the fly and save
# N-Triples under a .gz name, the SHA-256 would no longer match what was saved, and
# byte ranges would address compressed bytes of a resource that claims to be text.
_MEDIA_TYPES = {
    ".gz": "application/gzip",
    ".ttl": "text/turtle; charset=utf-8",
    ".trig": "application/trig",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_PLAIN_NAMES = {"SHA256SUMS": "text/plain; charset=utf-8"}


def media_type_of(path: Path) -> str:
    """The Content-Type to serve a file with, from its name."""
    return _PLAIN_NAMES.get(path.name) or _MEDIA_TYPES.get(path.suffix, "application/octet-stream")


def file_response(request: Request, path: Path, cache_control: str) -> Response:
    """Answer a GET or HEAD for ``path`` (which must exist), honouring conditional headers."""
    stat = path.stat()
    etag = f'"{_content_hash(str(path), stat.st_size, stat.st_mtime_ns)}"'
    headers = {
        "ETag": etag,
        "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
        "Cache-Control": cache_control,
    }
    if _not_modified(request, etag, stat.st_mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, headers=headers, media_type=media_type_of(path), stat_result=stat)


@functools.lru_cache(maxsize=256)
def _content_hash(path: str, size: int, mtime_ns: int) -> str:
    """The SHA-256 of a file, hashed once per (path, size, mtime)."""
    return sha256_file(Path(path))


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` or ``*`` (weak comparison)."""
    if if_none_match is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        # HTTP dates have whole seconds.
        return int(mtime) <= since
    return False
