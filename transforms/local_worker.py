"""Worker processes of a local run exit as soon as their work is done.

Beam's local runner (``--direct_running_mode multi_processing``) starts one process per worker and,
at the end of a pipeline, stops them one after the other, waiting for each to exit. A worker's
work is done by then (every bundle finished, its files closed, its log handler closed by Beam),
but the interpreter's teardown of the gRPC and Beam modules took 0.6 s per worker here: 1.2 s of
every 2-worker run spent waiting. ``exit_promptly()``, called from the ``setup()`` of crawlsift's
DoFns, makes such a process skip that teardown (``os._exit`` once the ``atexit`` hooks run).

It acts only in a worker process of a local run started by crawlsift's driver: the driver names
itself in ``DRIVER_ENV`` while it runs a pipeline (``driver_of_local_run``), worker processes
inherit the variable, and only a process whose main module is Beam's SDK worker, with another
process id than the driver's, qualifies. Never in the driver (``in_memory`` runs DoFns there),
never in a test process, never on Dataflow. A worker that died of an uncaught exception keeps the
normal exit and its exit status. (A ``SystemExit`` with a non-zero code would exit 0: Beam's
worker main never raises one, it returns when the runner closes its control channel.)
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager

DRIVER_ENV = "CRAWLSIFT_LOCAL_DRIVER"
WORKER_MAIN = "apache_beam.runners.worker.sdk_worker_main"


@contextmanager
def driver_of_local_run(environ: MutableMapping[str, str] = os.environ) -> Iterator[None]:
    """Name this process as the driver while a pipeline runs (the workers it starts inherit the
    name); the variable's earlier value, or its absence, is restored afterwards."""
    before = environ.get(DRIVER_ENV)
    environ[DRIVER_ENV] = str(os.getpid())
    try:
        yield
    finally:
        if before is None:
            environ.pop(DRIVER_ENV, None)
        else:
            environ[DRIVER_ENV] = before


def is_local_worker(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether this process is an SDK worker process started for a crawlsift driver."""
    driver = environ.get(DRIVER_ENV)
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    return bool(driver) and driver != str(os.getpid()) and getattr(main, "name", "") == WORKER_MAIN


def exit_promptly() -> None:
    """In a local worker process, skip the interpreter's teardown at exit (see module docstring)."""
    if is_local_worker():
        _register_once()


@functools.cache
def _register_once() -> None:
    # atexit hooks run last-in, first-out: this one runs before those registered earlier (Beam's,
    # logging's), and skips them with the rest of the teardown
    atexit.register(_exit_now)


def _exit_now() -> None:
    if getattr(sys, "last_value", None) is not None:  # died of an uncaught exception
        return
    logging.shutdown()  # its own atexit hook would run after this one, so never
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
