"""Reading the releases folder: which releases exist, their files, and safe paths to them.

A release folder is recognised by its ``SHA256SUMS``; what its files are comes
from its ``dcat.ttl`` (title, media type, licence of each distribution).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from scograph.publish.checksums import SUMS_FILE, read_sums, sha256_file
from scograph.publish.layout import DCAT_FILE, LATEST, VOID_FILE
from scograph.publish.urls import PublicUrls
from scograph.publish.vocab import DCAT, DCTERMS, VOID

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")


@dataclass(frozen=True)
class ReleaseFile:
    """A file of a release, with what the DCAT says when it is a distribution."""

    name: str
    byte_size: int
    sha256: str
    title: str | None = None
    media_type: str | None = None
    licence: str | None = None


@dataclass(frozen=True)
class Release:
    version: str
    folder: Path
    files: tuple[ReleaseFile, ...]
    is_latest: bool


def latest_version(releases_dir: Path | None) -> str | None:
    """Return the version ``latest`` names (the link's target, or the copy's DCAT version)."""
    if releases_dir is None:
        return None
    latest = releases_dir / LATEST
    if latest.is_symlink():
        target = Path(latest.readlink()).name
        return target if _is_release(releases_dir / target) else None
    if _is_release(latest):
        versions = _objects(_parse(latest / DCAT_FILE), DCAT + "version")
        return versions[0] if versions else None
    return None


def list_releases(releases_dir: Path | None) -> list[Release]:
    """Return the releases in ``releases_dir`` (None: no releases), newest version first."""
    if releases_dir is None or not releases_dir.is_dir():
        return []
    latest = latest_version(releases_dir)
    folders = [
        p
        for p in releases_dir.iterdir()
        if p.name != LATEST and _NAME.fullmatch(p.name) and _is_release(p) and not p.is_symlink()
    ]
    folders.sort(key=lambda p: _version_key(p.name), reverse=True)
    return [Release(p.name, p, _files(p), p.name == latest) for p in folders]


def resolve(releases_dir: Path | None, version: str, name: str | None = None) -> Path | None:
    """Return the path of a release folder (or of a file in it), or None.

    Only plain names are accepted, and the resolved path must stay inside
    ``releases_dir``: ``..``, encoded separators and links leading out all give None.
    """
    if releases_dir is None:
        return None
    if not _NAME.fullmatch(version) or (name is not None and not _NAME.fullmatch(name)):
        return None
    root = releases_dir.resolve()
    folder = (releases_dir / version).resolve()
    if folder.parent != root or not _is_release(folder):
        return None
    if name is None:
        return folder
    path = folder / name
    return path if path.is_file() and not path.is_symlink() else None


def dump_links_of_latest(releases_dir: Path | None, urls: PublicUrls) -> list[ox.Triple]:
    """Return the ``void:dataDump``/``void:feature`` triples of the latest release's VoID.

    Links point to ``urls`` (see :func:`dcat_of`).
    """
    version = latest_version(releases_dir)
    if releases_dir is None or version is None:
        return []
    folder = releases_dir / version
    wanted = {VOID + "dataDump", VOID + "feature"}
    triples = [t for t in _parse(folder / VOID_FILE) if t.predicate.value in wanted]
    return _rebased(triples, _release_base(folder), urls.base)


def dcat_of(folder: Path, urls: PublicUrls) -> list[ox.Triple]:
    """Return the triples of a release's ``dcat.ttl``, its links pointing to ``urls``.

    A release names the public base URL it was made for; a server that serves it
    from another host (a mirror, a local run) rewrites links under that base to its own.
    """
    return _rebased(_parse(folder / DCAT_FILE), _release_base(folder), urls.base)


def _release_base(folder: Path) -> str | None:
    """The public base URL a release was made for: its SPARQL endpoint's URL less ``sparql``."""
    for t in _parse(folder / DCAT_FILE):
        if t.predicate.value == DCAT + "endpointURL" and t.object.value.endswith("/sparql"):
            return t.object.value.removesuffix("sparql")
    return None


def _rebased(triples: list[ox.Triple], old: str | None, new: str) -> list[ox.Triple]:
    if old is None or old == new:
        return triples

    def move(
        term: ox.NamedNode | ox.BlankNode | ox.Literal,
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and term.value.startswith(old):
            return ox.NamedNode(new + term.value.removeprefix(old))
        return term

    return [ox.Triple(move(t.subject), t.predicate, move(t.object)) for t in triples]


def _files(folder: Path) -> tuple[ReleaseFile, ...]:
    """The files ``SHA256SUMS`` lists, then ``SHA256SUMS`` itself (hashed here)."""
    sums = read_sums(folder / SUMS_FILE)
    sums[SUMS_FILE] = sha256_file(folder / SUMS_FILE)
    described = _distributions(_parse(folder / DCAT_FILE))
    files = []
    for name in sorted(sums, key=lambda n: (n == SUMS_FILE, n)):
        path = folder / name
        if not path.is_file():
            continue
        title, media_type, licence = described.get(name, (None, None, None))
        files.append(ReleaseFile(name, path.stat().st_size, sums[name], title, media_type, licence))
    return tuple(files)


def _distributions(
    triples: list[ox.Triple],
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """File name -> (title, media type, licence) of each distribution in a DCAT graph."""
    by_subject: dict[str, dict[str, str]] = {}
    for t in triples:
        by_subject.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
    found = {}
    for props in by_subject.values():
        url = props.get(DCAT + "downloadURL")
        if url:
            media = props.get(DCAT + "mediaType", "")
            found[url.rsplit("/", 1)[-1]] = (
                props.get(DCTERMS + "title"),
                media.rsplit("media-types/", 1)[-1] or None,
                props.get(DCTERMS + "license"),
            )
    return found


def _objects(triples: list[ox.Triple], predicate: str) -> list[str]:
    return sorted(t.object.value for t in triples if t.predicate.value == predicate)


def _parse(path: Path) -> list[ox.Triple]:
    if not path.is_file():
        return []
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    ]


def _is_release(folder: Path) -> bool:
    return (folder / SUMS_FILE).is_file()


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions naturally: 0.10.0 after 0.9.0."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+_-]", version))
