"""The facts about the machine and the software a result depends on."""

import hashlib
import importlib.util
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from benchmarks.generate import oxigraph_cli
from benchmarks.loadgen import wrk_version
from benchmarks.servers import PROJECT_ROOT

_PACKAGES = ("pyoxigraph", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "scograph")


def machine_facts() -> dict[str, object]:
    """Return cores, CPU model, memory, OS, load and the versions of what is compared."""
    versions = {name: _version(name) for name in _PACKAGES}
    versions["oxigraph (server)"] = _run([oxigraph_cli(), "--version"]).replace("oxigraph ", "")
    versions["wrk"] = wrk_version()
    versions["python"] = platform.python_version()
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(_mem_total_kib() / 1024**2, 1),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
        "commit": _run(["git", "rev-parse", "--short", "HEAD"]) or None,
        # The benchmark's own files do not change what is measured.
        "uncommitted_changes": bool(
            _run(["git", "status", "--porcelain", "--", ".", ":!benchmarks"])
        ),
        "scograph_source": scograph_source_fingerprint(),
    }


def scograph_source_fingerprint() -> str | None:
    """Return a short hash of the installed scograph package's Python files.

    The server changes between commits while it is being built; this tells which
    code a result was measured on even when the commit does not.
    """
    spec = importlib.util.find_spec("scograph")
    if spec is None or spec.origin is None:
        return None
    digest = hashlib.sha256()
    package = Path(spec.origin).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _mem_total_kib() -> int:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    return 0


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=30, check=False, cwd=PROJECT_ROOT
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
