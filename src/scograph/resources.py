"""Where the bundled ontology, data and example queries live.

A wheel carries them under ``scograph/_bundled``; a source checkout (an editable
install, or the tests) reads them from the project's top-level folders.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE_DIR / "_bundled"


def resource_root() -> Path:
    """Return the folder that holds ``ontology/``, ``data/`` and ``queries/``."""
    if _BUNDLED.is_dir():
        return _BUNDLED
    return _PACKAGE_DIR.parents[1]


def ontology_dir() -> Path:
    return resource_root() / "ontology"


def data_dir() -> Path:
    return resource_root() / "data"


def queries_dir() -> Path:
    return resource_root() / "queries"
