"""Starting the endpoint under uvicorn, as ``scograph serve`` does."""

import os
import signal
from contextlib import ExitStack
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError

from scograph.rdf_files import RdfFileError
from scograph.server.app import create_app
from scograph.server.client_limits import BodyDeadline, raise_open_files_limit, uvicorn_options
from scograph.server.stores import (
    bundled_releases,
    bundled_store,
    check_store_opens,
    remove_stale_working_folders,
    store_to_serve,
)
from scograph.server.union_store import union_store
from scograph.settings import Settings


class LaunchError(Exception):
    """The server cannot start with these options."""


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def serve(
    host: str,
    port: int,
    workers: int,
    store: Path | None,
    empty: bool,
    access_log: bool = True,
) -> None:
    """Serve the endpoint until interrupted.

    Settings come from ``SCOGRAPH_*`` environment variables; the options here
    choose the store. With several uvicorn worker processes each has its own
    query workers, and the endpoint must be read-only: RocksDB allows one writer.
    """
    try:
        settings = Settings()
    except ValidationError as error:
        raise LaunchError(f"Invalid SCOGRAPH_* setting: {error}") from error
    except SettingsError as error:
        # A list setting that is not JSON, for one: the cause names the variable and the value.
        raise LaunchError(f"Invalid SCOGRAPH_* setting: {error}; {error.__cause__}") from error
    remote = settings.remote_query_url is not None
    if remote and (store is not None or empty):
        raise LaunchError("A SPARQL engine as the store takes neither a store folder nor --empty.")
    if workers > 1 and settings.writable and not remote:
        raise LaunchError(
            "--workers above 1 needs a read-only endpoint: unset SCOGRAPH_WRITE_TOKEN "
            "(the store allows a single writer process)."
        )
    # uvicorn re-raises the signal that stopped it; SIGTERM's default action would
    # end the process before the temporary store is removed.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with ExitStack() as stack:
        update: dict[str, object] = {}
        if not remote:  # another SPARQL engine needs no folder
            try:
                path = stack.enter_context(store_to_serve(store, empty, settings.writable))
                check_store_opens(path, settings.writable)
            except (ValueError, RdfFileError) as error:
                raise LaunchError(str(error)) from error
            if settings.writable:
                remove_stale_working_folders(path)
            update = {"store": path, "union_default_graph": not empty}
        if store is None and not empty and not remote and settings.releases_dir is None:
            # The bundled graph comes with its release, so /dumps/ has something to offer.
            update["releases_dir"] = bundled_releases(bundled_store(), settings.public_base_url)
        settings = settings.model_copy(update=update)
        if not remote and settings.reads_stored_union:
            # Built (or found) once here, not by each worker process as it starts.
            stack.enter_context(union_store(path))
        options = uvicorn_options(settings)
        raise_open_files_limit(settings.max_connections)
        if workers > 1:
            if not remote:  # (the engine's URLs are in the environment already)
                os.environ["SCOGRAPH_STORE"] = str(path)
                os.environ["SCOGRAPH_UNION_DEFAULT_GRAPH"] = "false" if empty else "true"
            if settings.releases_dir is not None:
                os.environ["SCOGRAPH_RELEASES_DIR"] = str(settings.releases_dir)
            uvicorn.run(
                "scograph.server.client_limits:app_from_environment",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                access_log=access_log,
                **options,
            )
        else:
            app = BodyDeadline(create_app(settings), settings.body_timeout)
            uvicorn.run(app, host=host, port=port, access_log=access_log, **options)
