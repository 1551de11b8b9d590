"""SHA-256 checksums of release files, in the format ``sha256sum -c`` checks."""

import hashlib
from pathlib import Path

SUMS_FILE = "SHA256SUMS"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks so large dumps need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_sums(folder: Path) -> Path:
    """Write ``SHA256SUMS`` for every other regular file of ``folder``, sorted by name.

    Each line is ``<hex>  <name>`` (two spaces: text mode), as ``sha256sum`` writes it.
    """
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != SUMS_FILE)
    lines = "".join(f"{sha256_file(folder / name)}  {name}\n" for name in names)
    target = folder / SUMS_FILE
    target.write_text(lines, encoding="ascii")
    return target


def read_sums(path: Path) -> dict[str, str]:
    """Return file name -> hex SHA-256 from a ``SHA256SUMS`` file."""
    sums = {}
    for line in path.read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            sums[name] = digest
    return sums
